"""The home page shows the whole network: the next online gatherings, the latest blog posts, the
forum's active threads (members-only ones to members only), and leaders and gatherings near the
visitor's last search, remembered in their session alone."""
from app import features
from app.models.accounts import Role
from tests.conftest import login, shown


def test_the_home_page_gathers_the_blog_the_forum_and_the_gatherings(app, client, make_user):
    with app.app_context():
        features.seed_demo()
    page = shown(client.get("/"), "Find community leaders near you", "From the Leaders Blog",
                 "Active in the forum", "Next online gatherings", "Our leaders are saying")
    assert "When a long-time volunteer wants to step back" not in page  # a members-only thread
    assert "Leaders near" not in page  # no search yet
    assert "List yourself as a leader" in page
    login(client, make_user().email)
    shown(client.get("/"), "When a long-time volunteer wants to step back")


def test_the_last_search_brings_leaders_and_gatherings_near_it_home(app, client):
    with app.app_context():
        features.seed_demo()
    shown(client.get("/leaders?near=Lyon"), "Lyon")
    page = shown(client.get("/"), "Leaders near Lyon", "All leaders near Lyon")
    assert "/leaders?near=Lyon" in page
    shown(client.get("/gatherings?near=Nairobi"), "Nairobi")
    shown(client.get("/"), "Near Nairobi", "Seed library open afternoon")
    # A new visitor (another cookie) sees none of it.
    other = app.test_client()
    assert "Leaders near" not in shown(other.get("/"), "From the Leaders Blog")


def test_the_invitation_depends_on_who_is_looking(app, client, make_user):
    page = shown(client.get("/"), "Find community leaders near you")
    assert "List yourself as a leader" in page and 'href="/register"' in page and "Join the network" in page
    assert "Find learning partners" not in page
    login(client, make_user().email)  # a member: may apply, already joined
    page = shown(client.get("/"), "Do you lead a community project?")
    assert "Join the network" not in page and "Find learning partners" not in page
    client.post("/logout")
    login(client, make_user(role=Role.LEADER).email)  # a leader: nothing to apply for; partners to find
    page = shown(client.get("/"), "Learn with other leaders")
    assert 'href="/partnerships/requests"' in page
    assert "Do you lead a community project?" not in page and "Join the network" not in page
