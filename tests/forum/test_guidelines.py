"""The community guidelines through HTTP: the public page, new versions by admins (everyone
accepts them again before their next message), and the admins' pages for categories and their
stewards, with who may reach each."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.forum import members, posting
from app.forum.guidelines_text import DEMO_GUIDELINES
from app.models.accounts import User
from app.models.forum import ForumCategory, ForumSteward, Guidelines
from tests.conftest import login, shown
from tests.forum.helpers import make_category, start_thread

XSS = "<script>alert('x')</script>"
ESCAPED = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
REFUSED = ("unconfirmed", "member", "leader", "steward")


@pytest.fixture
def people(app, make_user):
    found = {
        "member": make_user(name="Mira Member"),
        "leader": make_user(role="leader", name="Lea Leader"),
        "admin": make_user(role="admin", name="Ada Admin"),
        "unconfirmed": make_user(name="Una Unconfirmed", verified=False),
        "steward": make_user(name="Stella Steward", email="stella@example.com"),
        "gone": make_user(name="Gus Gone", email="gus@example.com", active=False),
    }
    found["category"] = make_category(app, "Getting started", stewards=[found["steward"]])
    return found


@pytest.fixture
def browser(app, client, people):
    """browser(who): a logged-in client of its own per person ("anonymous": logged out)."""
    clients = {}

    def client_of(who):
        if who not in clients:
            clients[who] = app.test_client()
            if who != "anonymous":
                assert login(clients[who], people[who].email).status_code == 302
        return clients[who]

    return client_of


def publish_demo(app) -> None:
    with app.app_context():
        members.publish_guidelines(*DEMO_GUIDELINES, None)
        db.session.commit()


def rows(*items, empty=0) -> dict:
    """The edit form's fields for these (title, text) items and some empty rows."""
    data = {}
    for row, (title, text) in enumerate(list(items) + [("", "")] * empty):
        data[f"items-{row}-title"], data[f"items-{row}-text"] = title, text
    return data


def refused_to_log_in(answer) -> bool:
    """A logged-out visitor is sent to log in (what they typed is kept first: app/kept.py)."""
    location = answer.headers.get("Location", "")
    return answer.status_code in (302, 303) and ("/login" in location or "kept=" in location)


# The public page ------------------------------------------------------------------------

def test_the_guidelines_page_is_public_with_numbered_items_version_and_date(app, browser):
    shown(browser("anonymous").get("/guidelines"), "The community guidelines are being written")
    publish_demo(app)
    page = shown(browser("anonymous").get("/guidelines"), "Community guidelines", "Version 1",
                 DEMO_GUIDELINES[0][:60], "Power with, not power over",
                 "No blaming, shaming or attacking", "Value every role", 'id="item-4"')
    assert page.index("Power with, not power over") < page.index("Disagree constructively")
    assert "Publish a new version" not in page
    shown(browser("admin").get("/guidelines"), "Publish a new version")


def test_the_demo_guidelines_speak_of_partnership():
    intro, items = DEMO_GUIDELINES
    titles = [item["title"] for item in items]
    assert intro and 6 <= len(items) <= 8 and all(item["text"] for item in items)
    for wanted in ("Power with, not power over", "Disagree constructively",
                   "No blaming, shaming or attacking", "Value every role", "No spam or self-promotion"):
        assert wanted in titles
    assert any("honest" in title.lower() for title in titles)


# Editing: new versions -------------------------------------------------------------------

def test_only_admins_edit_the_guidelines(app, browser):
    publish_demo(app)
    assert refused_to_log_in(browser("anonymous").get("/forum/guidelines/edit"))
    assert refused_to_log_in(browser("anonymous").post("/forum/guidelines/edit",
                                                       data={"intro": "Hi", **rows(("A", "B"))}))
    for who in REFUSED:
        assert browser(who).get("/forum/guidelines/edit").status_code == 403, who
        assert browser(who).post("/forum/guidelines/edit",
                                 data={"intro": "Hi", **rows(("A", "B"))}).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Guidelines)) == 1
    page = shown(browser("admin").get("/forum/guidelines/edit"), "Edit the community guidelines",
                 "now version 1", "Power with, not power over")
    items = len(DEMO_GUIDELINES[1])
    assert f'name="items-{items + 2}-title"' in page and f'name="items-{items + 3}-title"' not in page


def test_a_new_version_is_published_and_everyone_accepts_it_again(app, browser, people):
    publish_demo(app)
    start_thread(app, people["member"], people["category"], "Before the new version")
    data = {"intro": "Be good to each other.",
            **rows(("Listen first", "Read the whole thread before you answer."),
                   (f"Titles {XSS}", "Escaped everywhere."), empty=2)}
    saved = browser("admin").post("/forum/guidelines/edit", data=data)
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/guidelines")
    page = shown(browser("anonymous").get("/guidelines"), "Version 2", "Be good to each other.",
                 "Listen first", f"Titles {ESCAPED}")
    assert XSS not in page and "Power with, not power over" not in page
    with app.test_request_context():
        member = db.session.get(User, people["member"].id)
        assert members.needs_to_accept(member)
        category = db.session.get(ForumCategory, people["category"])
        with pytest.raises(posting.Refused, match="accept them"):
            posting.start_thread(member, category, "After the new version", "Asked again?")
        posting.start_thread(member, category, "After the new version", "Accepted again.",
                             accepted_guidelines=True)
        assert not members.needs_to_accept(member)
        db.session.commit()
    thread_id, opening = start_thread(app, people["leader"], people["category"], "Something to flag")
    flag_page = shown(browser("member").get(f"/forum/posts/{opening}/flag"),
                      "1. Listen first", f"2. Titles {ESCAPED}")
    assert XSS not in flag_page


def test_guidelines_need_a_title_for_every_item_and_at_least_one_item(app, browser):
    admin = browser("admin")
    shown(admin.post("/forum/guidelines/edit", data={"intro": "Hello", **rows(empty=3)}),
          "Write at least one item of the guidelines")
    shown(admin.post("/forum/guidelines/edit",
                     data={"intro": "Hello", **rows(("Fine", "A text"), ("", "Text without a title"))}),
          "Give item 2 a title")
    shown(admin.post("/forum/guidelines/edit", data={"intro": "x" * 5001, **rows(("Fine", ""))}),
          "Keep the introduction to 5,000 characters")
    shown(admin.post("/forum/guidelines/edit", data={"intro": "", **rows(("T" * 121, ""))}),
          "Keep the title to 120 characters")
    shown(admin.post("/forum/guidelines/edit", data={"intro": "", "items-²-title": "Odd row",
                                                     "items-9" * 40: "x"}),
          "Write at least one item of the guidelines")
    with app.app_context():
        assert db.session.scalar(select(Guidelines.id)) is None


# Categories and stewards -----------------------------------------------------------------

CATEGORY = {"name": "Community care", "slug": "community-care",
            "description": "Looking after each other.", "position": "2"}


def test_only_admins_manage_categories_and_stewards(app, browser, people):
    category = people["category"]
    routes = [("get", "/forum/categories/manage", None),
              ("post", "/forum/categories/manage", CATEGORY),
              ("get", f"/forum/categories/{category}/edit", None),
              ("post", f"/forum/categories/{category}/edit", {**CATEGORY, "slug": "renamed"}),
              ("post", f"/forum/categories/{category}/stewards", {"email": "person@example.com"}),
              ("post", f"/forum/categories/{category}/stewards/{people['steward'].id}/remove", {})]
    for method, url, data in routes:
        assert refused_to_log_in(getattr(browser("anonymous"), method)(url, data=data)), url
        for who in REFUSED:
            assert getattr(browser(who), method)(url, data=data).status_code == 403, (who, url)
    with app.app_context():
        assert [c.slug for c in db.session.scalars(select(ForumCategory))] == ["getting-started"]
        assert db.session.scalar(select(ForumSteward.user_id)) == people["steward"].id
    shown(browser("admin").get("/forum/categories/manage"), "Forum categories", "Getting started",
          "Stella Steward")
    shown(browser("admin").get(f"/forum/categories/{category}/edit"), "Stella Steward",
          "stella@example.com")
    assert browser("admin").get("/forum/categories/999999/edit").status_code == 404
    assert browser("admin").post("/forum/categories/999999/stewards",
                                 data={"email": "stella@example.com"}).status_code == 404
    assert browser("admin").post(
        f"/forum/categories/{category}/stewards/999999/remove").status_code == 404


def test_admins_add_categories_with_free_addresses(app, browser):
    admin = browser("admin")
    added = admin.post("/forum/categories/manage", data={**CATEGORY, "members_only": "y",
                                                          "name": f"Care {XSS}"})
    assert added.status_code == 302
    listing = shown(admin.get("/forum/categories/manage"), f"Care {ESCAPED}", "/forum/community-care",
                    "Members only")
    assert XSS not in listing
    with app.app_context():
        made = db.session.scalar(select(ForumCategory).where(ForumCategory.slug == "community-care"))
        assert made.members_only and made.position == 2 and made.description == CATEGORY["description"]
    for slug in ("search", "moderation", "threads", "guidelines", "categories", "people", "posts",
                 "members", "new", "feed.atom", "settings", "bookmarks"):
        shown(admin.post("/forum/categories/manage", data={**CATEGORY, "slug": slug}),
              "choose another")
    shown(admin.post("/forum/categories/manage", data=CATEGORY),
          "Another category already has the address “community-care”")
    for slug in ("Bad Slug!", "two--hyphens", "-edge", "ünïcode"):
        shown(admin.post("/forum/categories/manage", data={**CATEGORY, "slug": slug}),
              "Use lowercase letters, digits and single hyphens")
    for position in ("-1", "abc", "10001"):
        shown(admin.post("/forum/categories/manage", data={**CATEGORY, "slug": "x", "position": position}),
              "Enter a position from 0 to 10,000")
    shown(admin.post("/forum/categories/manage", data={**CATEGORY, "name": ""}),
          "Enter the category&#39;s name")
    assert admin.post("/forum/categories/manage",
                      data={**CATEGORY, "name": "Youth work", "slug": ""}).status_code == 302
    with app.app_context():
        assert sorted(db.session.scalars(select(ForumCategory.slug))) == [
            "community-care", "getting-started", "youth-work"]


def test_admins_edit_a_category_and_choose_its_stewards(app, browser, people, make_user):
    category, admin = people["category"], browser("admin")
    other = make_category(app, "Gardens")
    url = f"/forum/categories/{category}/edit"
    shown(admin.post(url, data={**CATEGORY, "slug": "gardens"}), "Another category already has")
    assert admin.post(url, data={**CATEGORY, "slug": "getting-started", "position": "5"}).status_code == 302
    with app.app_context():
        found = db.session.get(ForumCategory, category)
        assert (found.name, found.position, found.members_only) == ("Community care", 5, False)

    newcomer = make_user(name="Nia New", email="nia@example.com")
    stewards = f"/forum/categories/{category}/stewards"
    shown(admin.post(stewards, data={"email": "nobody@example.com"}), "No active account has this email")
    shown(admin.post(stewards, data={"email": "gus@example.com"}), "No active account has this email")
    shown(admin.post(stewards, data={"email": "STELLA@example.com"}),
          "Stella Steward is already a steward of this category")
    assert refused_to_log_in(browser("anonymous").get("/forum/moderation"))
    nia = app.test_client()
    login(nia, "nia@example.com")
    assert nia.get("/forum/moderation").status_code == 403
    assert 'href="/forum/moderation"' not in nia.get("/forum").get_data(True)  # no "Moderation" in her menu
    assert admin.post(stewards, data={"email": " Nia@Example.com "}).status_code == 302
    shown(admin.get(url), "Nia New")
    shown(nia.get("/forum/moderation"), "The categories you steward")
    assert 'href="/forum/moderation">Moderation</a>' in nia.get("/forum").get_data(True)
    assert admin.post(f"{stewards}/{newcomer.id}/remove").status_code == 302
    shown(admin.post(f"{stewards}/{newcomer.id}/remove", follow_redirects=True),
          "Nia New was not a steward")
    assert nia.get("/forum/moderation").status_code == 403
    assert 'href="/forum/moderation"' not in nia.get("/forum").get_data(True)
    with app.app_context():
        assert db.session.scalar(select(ForumSteward.user_id).where(
            ForumSteward.category_id == other)) is None
