from tests.forum.test_moderation import *  # noqa
from tests.forum.test_moderation import forum, browser  # noqa

HOSTILE = ("2147483648", "-1", "²", "9"*5000, "x"*5000, "<script>", "", "' OR 1=1 --")

def test_smoke(app, forum, browser, make_user):
    _, held = held_message(app, make_user, forum)
    flag_id = raise_flag(app, forum, forum["opening"])
    a = browser("admin")
    pages = [f"/forum/moderation", f"/forum/posts/{held}/remove", f"/forum/posts/{forum['reply']}/remove",
             f"/forum/posts/{forum['reply']}/flag", "/guidelines", "/forum/guidelines/edit",
             "/forum/categories/manage", f"/forum/categories/{forum['category']}/edit",
             f"/forum/people/{forum['people']['author'].id}/pause?post={forum['reply']}"]
    for url in pages:
        assert a.get(url).status_code < 500, url
        for value in HOSTILE:
            data = {n: value for n in ("item", "note", "days", "appeal", "intro", "items-0-title", "items-0-text",
                                       "name", "slug", "description", "position", "members_only", "email", "next")}
            r = a.post(url, data=data)
            assert r.status_code < 500, (url, value, r.status_code)
            r = a.get(url + ("&" if "?" in url else "?") + "page=" + value[:50] + "&post=" + value[:50])
            assert r.status_code < 500, (url, value)
    for url in (f"/forum/moderation/flags/{flag_id}/dismiss", f"/forum/posts/{held}/reject",
                f"/forum/posts/{forum['reply']}/appeal/answer", f"/forum/categories/{forum['category']}/stewards"):
        for value in HOSTILE:
            assert a.post(url, data={"note": value, "email": value, "next": value}).status_code < 500, url
    au = browser("author")
    shown_removal(browser, forum)
    for value in HOSTILE:
        assert au.post(f"/forum/posts/{forum['reply']}/appeal", data={"appeal": value}).status_code < 500
