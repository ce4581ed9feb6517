"""The opening: a partnership is active only once every partner has answered the opening questions
and accepted the current version of the agreement; its page says who is still to; every edit of
the agreement is a new version each partner accepts again; the questions are versioned by admins."""
from sqlalchemy import select

from app.extensions import db
from app.models.partnerships import AgreementVersion, Partnership
from app.partnerships import opening
from tests.conftest import shown
from tests.partnerships.helpers import accept, answer_all, load, log_in_as, make_partnership


def test_the_partnership_is_active_only_once_everyone_answered_and_accepted(app, client, make_user):
    ana, ben, cleo = make_user(name="Ana Alves"), make_user(name="Ben Boateng"), make_user(name="Cleo Chen")
    partnership_id = make_partnership(app, [ana, ben, cleo])
    assert load(app, partnership_id).state == "opening"
    log_in_as(client, ana)
    page = shown(client.get(f"/partnerships/{partnership_id}"), "The opening", "Still to answer or accept")
    still = page[page.index("Still to answer or accept:</strong>"):].split("</p>")[0]
    # The person reading is "you", the others by name.
    assert "you" in still and "Ben Boateng" in still and "Cleo Chen" in still and "Ana Alves" not in still

    answer_all(app, partnership_id, ana)
    answer_all(app, partnership_id, ben)
    accept(app, partnership_id, ana)
    accept(app, partnership_id, ben)
    answer_all(app, partnership_id, cleo)
    assert load(app, partnership_id).state == "opening"  # Cleo has not accepted the agreement
    page = shown(client.get(f"/partnerships/{partnership_id}"), "Still to answer or accept:</strong> Cleo Chen.")
    assert "Ben Boateng, Cleo Chen" not in page

    log_in_as(client, cleo)
    version = load(app, partnership_id).agreement_version
    response = client.post(f"/partnerships/{partnership_id}/agreement/accept", data={"number": str(version)})
    assert response.status_code == 302
    assert load(app, partnership_id).state == "active"
    shown(client.get(f"/partnerships/{partnership_id}"), "Active")


def test_answering_through_the_page_needs_every_question(app, client, make_user):
    ana, ben = make_user(), make_user(name="Ben Boateng")
    partnership_id = make_partnership(app, [ana, ben])
    log_in_as(client, ana)
    page = shown(client.get(f"/partnerships/{partnership_id}/opening"), "What do you hope to learn",
                 "How often can you meet")
    assert "Save my answers" in page
    refused = client.post(f"/partnerships/{partnership_id}/opening", data={"answers-0": "Only one answer"})
    shown(refused, "Answer question 2", status=422)
    answers = {f"answers-{n}": f"Answer {n}" for n in range(5)}
    assert client.post(f"/partnerships/{partnership_id}/opening", data=answers).status_code == 302
    log_in_as(client, ben)
    shown(client.get(f"/partnerships/{partnership_id}/opening"), "Answer 3",  # Ana's, and his own missing
          "Still to answer:</strong> you.")


def test_an_edit_of_the_agreement_is_a_new_version_everyone_accepts_again(app, client, make_user):
    ana, ben = make_user(name="Ana Alves"), make_user(name="Ben Boateng")
    partnership_id = make_partnership(app, [ana, ben], opened=True)
    assert load(app, partnership_id).state == "active"
    log_in_as(client, ben)
    form = shown(client.get(f"/partnerships/{partnership_id}/agreement"), "Version 1", "Save as version 2")
    assert form
    with app.app_context():
        text = opening.current_agreement(db.session.get(Partnership, partnership_id)).text
    response = client.post(f"/partnerships/{partnership_id}/agreement",
                           data={"text": text + "\n- We bring one question each.", "note": "One question each",
                                 "base": "1"})
    assert response.status_code == 302
    found = load(app, partnership_id)
    assert found.agreement_version == 2 and found.state == "active"
    page = shown(client.get(f"/partnerships/{partnership_id}/agreement"), "Version 2", "Every version",
                 "We bring one question each")
    assert "I accept version 2" not in page  # its writer accepted it by writing it
    # Ana is asked to accept it again: the room says so, and the page offers it.
    log_in_as(client, ana)
    shown(client.get(f"/partnerships/{partnership_id}"), "Version 2 of your agreement", "Waiting for Ana Alves")
    shown(client.get(f"/partnerships/{partnership_id}/agreement"), "I accept version 2", "Still to accept")
    # Accepting the version she read while another came meanwhile is refused.
    stale = client.post(f"/partnerships/{partnership_id}/agreement/accept", data={"number": "1"},
                        follow_redirects=True)
    shown(stale, "The agreement changed while you were reading it")
    assert client.post(f"/partnerships/{partnership_id}/agreement/accept", data={"number": "2"}).status_code == 302
    assert "Waiting for" not in shown(client.get(f"/partnerships/{partnership_id}"), "Your conversation")
    with app.app_context():
        versions = db.session.scalars(select(AgreementVersion.number).where(
            AgreementVersion.partnership_id == partnership_id)).all()
        assert sorted(versions) == [1, 2]


def test_two_partners_editing_from_the_same_version_make_one_new_version(app, client, make_user):
    ana, ben = make_user(), make_user()
    partnership_id = make_partnership(app, [ana, ben])
    log_in_as(client, ana)
    assert client.post(f"/partnerships/{partnership_id}/agreement",
                       data={"text": "We meet as equals and we listen first.", "base": "1"}).status_code == 302
    log_in_as(client, ben)
    late = client.post(f"/partnerships/{partnership_id}/agreement",
                       data={"text": "We meet as equals and we speak plainly.", "base": "1"})
    page = shown(late, "A partner saved version 2 while you were writing", status=422)
    assert "we speak plainly" in page  # his text kept
    assert load(app, partnership_id).agreement_version == 2


def test_a_new_version_of_the_questions_is_for_partnerships_started_after_it(app, client, make_user):
    admin = make_user(role="admin")
    ana, ben = make_user(), make_user()
    before = make_partnership(app, [ana, ben])
    log_in_as(client, admin)
    shown(client.get("/partnerships/admin/questions"), "Version 1 is in force")
    response = client.post("/partnerships/admin/questions", data={
        "questions-0": "What brings you here?", "hints-0": "",
        "questions-1": "What should we never do?", "hints-1": "Be honest."})
    assert response.status_code == 302
    after = make_partnership(app, [ana, ben])
    with app.app_context():
        old = opening.questions_of(db.session.get(Partnership, before))
        new = opening.questions_of(db.session.get(Partnership, after))
        assert len(old) == 5 and [q.text for q in new] == ["What brings you here?", "What should we never do?"]
    log_in_as(client, ana)
    shown(client.get(f"/partnerships/{after}/opening"), "What should we never do?", "Be honest.")
    shown(client.get(f"/partnerships/{before}/opening"), "What do you hope to learn")


def test_people_who_are_not_admins_cannot_edit_the_questions(client, login_as):
    login_as("leader")
    assert client.get("/partnerships/admin/questions").status_code == 403
    assert client.post("/partnerships/admin/questions", data={"questions-0": "Hijacked?"}).status_code == 403
