"""The pieces drawn in Python rather than by templates (app.directory.drawing's leader card, the
search bar kept per worker, app.blog.cards' post card and tag list, the feed's entries and the
home page's rows) escape every value a person typed, wherever they appear."""
import re

import feedparser
import pytest
from markupsafe import escape

from app.editorial.workflow import State
from app.extensions import db
from app.models.directory import FocusArea, LeaderProfile, ProfileProgram, Program
from app.models.editorial import Proposal
from tests.conftest import shown
from tests.directory.profile_helpers import make_leader  # noqa: F401  (fixture)
from tests.editorial.conftest import make_proposal  # noqa: F401  (fixture)

EVIL = '<img src=x onerror="alert(1)">&\''


def evil(field: str) -> str:
    """The payload with the field's name in it, so a failure says which field leaked."""
    return f"{field}{EVIL}"


def escaped(field: str) -> str:
    """What a page must show instead: the text, escaped as the templates escape it."""
    return str(escape(evil(field)))


@pytest.fixture
def hostile(app, make_leader, make_proposal):
    """A leader and a post whose every shown field holds markup; returns (slug, user id, post slug)."""
    owner, slug = make_leader(display_name=evil("name"), headline=evil("headline"), quote=evil("quote"),
                              featured_quote=True, languages=evil("language"), works_online=True,
                              city=evil("city"), country=evil("country"))
    with app.app_context():
        profile = db.session.query(LeaderProfile).filter_by(slug=slug).one()
        profile.region = evil("region")
        area = FocusArea(name=evil("area"), slug="evil-area", official=True)
        program = Program(name=evil("program"), slug="evil-program")
        db.session.add_all([area, program])
        db.session.flush()
        profile.focus_areas.append(area)
        profile.programs.append(ProfileProgram(program_id=program.id, verified=True))
        owner_user = profile.user
        owner_user.display_name = evil("author")
        db.session.commit()
    proposal_id = make_proposal(owner.id, state=State.PUBLISHED, title=evil("title"),
                                excerpt=evil("excerpt"), tags=[evil("tag")])
    with app.app_context():
        post_slug = db.session.get(Proposal, proposal_id).slug
    return slug, owner.id, post_slug


FIELDS_ON = {
    "/leaders?lat=45.76&lng=4.84&keyword=": ("name", "headline", "language", "city", "region", "country",
                                             "area", "program"),
    "/": ("name", "headline", "quote", "city", "title", "author"),
    "/blog": ("title", "excerpt", "author", "tag"),
    "POST": ("title", "author", "tag", "name", "headline"),
    "AUTHOR": ("name", "headline", "language", "area", "program", "title", "excerpt"),
    "PROFILE": ("name", "headline", "quote", "title", "excerpt"),
}


@pytest.mark.parametrize("page", list(FIELDS_ON))
def test_every_drawn_field_is_escaped(client, hostile, page):
    slug, author_id, post_slug = hostile
    url = {"POST": f"/blog/{post_slug}", "AUTHOR": f"/blog/author/{author_id}",
           "PROFILE": f"/leaders/{slug}"}.get(page, page)
    html = shown(client.get(url))
    assert "<img src=x" not in html and 'onerror="alert' not in html
    for field in FIELDS_ON[page]:
        assert escaped(field) in html, (page, field)


def test_the_search_bar_kept_for_one_search_is_not_shown_for_another(client, hostile):
    """The same bar is kept per worker only for the same values: what was typed is never shown to
    the next search, and a hostile value typed is escaped when it is drawn again from the cache."""
    typed = '"><script>window.typed=1</script>'
    for _ in range(2):  # the second answer comes from the kept bar
        page = client.get("/leaders", query_string={"near": typed, "keyword": typed}).get_data(True)
        assert "<script>window.typed" not in page
        assert page.count('value="&#34;&gt;&lt;script&gt;window.typed=1&lt;/script&gt;"') == 2
    other = client.get("/leaders", query_string={"near": "Lyon", "keyword": "teacher"}).get_data(True)
    assert "window.typed" not in other
    assert 'value="Lyon"' in other and 'value="teacher"' in other


def test_feeds_carry_the_text_not_markup(client, hostile):
    _, _, post_slug = hostile
    tag_page = re.search(r'href="(/blog/tag/[^"]+)"', client.get(f"/blog/{post_slug}").get_data(True)).group(1)
    for url in ("/blog/feed.atom", f"{tag_page}/feed.atom"):
        xml = shown(client.get(url))
        assert "<img src=x" not in xml, url
        entry = feedparser.parse(xml).entries[0]
        assert entry.title == evil("title") and entry.author == evil("author")
        assert [tag.label for tag in entry.tags] == [evil("tag")]
        assert entry.link.endswith(f"/blog/{post_slug}")
