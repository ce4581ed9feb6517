"""The revision diff in one column (for phones) as well as side by side, and the switch."""
import pytest

from app.editorial.workflow import Stage, State
from app.extensions import db
from app.models.editorial import Proposal, Revision
from app.text.diff import side_by_side, unified


def test_one_column_lists_each_changed_blocks_old_lines_then_its_new_ones():
    old = "Title: Swap\nWe met in May.\nForty came.\nBring seeds."
    new = "Title: Swap\nWe met in June.\nBring seeds.\nBring <jars>."
    rows = unified(old, new)
    assert [(r.old_no, r.new_no, r.kind) for r in rows] == [
        (1, 1, "equal"), (2, None, "delete"), (3, None, "delete"), (None, 2, "insert"),
        (4, 3, "equal"), (None, 4, "insert")]
    assert rows[1].html == "We met in <del>May</del>."
    assert rows[3].html == "We met in <ins>June</ins>."
    assert rows[2].html == "<del>Forty came.</del>"
    assert rows[5].html == "<ins>Bring &lt;jars&gt;.</ins>", "text is escaped"


@pytest.mark.parametrize("old,new", [("", ""), ("a\nb", "a\nb"), ("", "x\ny"), ("x\ny", ""),
                                     ("a\nb\nc", "c\nb\na"), ("one\r\ntwo\n", "one\ntwo")])
def test_one_column_holds_the_same_lines_as_side_by_side(old, new):
    rows = unified(old, new)
    pairs = side_by_side(old, new)
    assert [r.old_no for r in rows if r.old_no] == [p.left_no for p in pairs if p.left_no]
    assert [r.new_no for r in rows if r.new_no] == [p.right_no for p in pairs if p.right_no]


def _with_two_revisions(app, make_proposal, people) -> int:
    proposal_id = make_proposal(people.author, state=State.IN_REVIEW, stage=Stage.POST,
                                editor_id=people.editor)
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        db.session.add(Revision(proposal=proposal, number=2, kind="resubmit",
                                made_by_id=people.author, title=proposal.title,
                                summary=proposal.summary, why_it_matters=proposal.why_it_matters,
                                body=proposal.body + "\n\nNow sixty people come.",
                                tags="repairs, neighbours"))
        db.session.commit()
    return proposal_id


@pytest.mark.parametrize("asked,shown", [("", "auto"), ("split", "split"),
                                         ("unified", "unified"), ("<b>", "auto"),
                                         ("x" * 3000, "auto")])
def test_the_diff_view_is_chosen_by_the_address_or_left_to_the_screen(
        app, client, people, act_as, make_proposal, asked, shown):
    proposal_id = _with_two_revisions(app, make_proposal, people)
    act_as(people.editor)
    response = client.get(f"/proposals/{proposal_id}", query_string={"diff": asked})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'class="diff-views diff-views--{shown}"' in page
    # Both views are on the page; the CSS shows one.
    assert 'class="diff"' in page and 'class="diff diff--unified"' in page
    assert "<ins>Now sixty people come.</ins>" in page
    assert f"/proposals/{proposal_id}?diff=unified&amp;from=1&amp;to=2#diff-title" in page
