"""Leaving the network: every feature's part of the data download, and a deleted account takes
everything the person owned with it, their photo and cover files too, but nobody else's."""
import io
import json
from pathlib import Path

from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from app.account import services as leaving
from app.directory import photos
from app.editorial.covers import store_cover
from app.editorial.workflow import State
from app.extensions import db
from app.models.accounts import Role, User
from app.models.directory import ContactMessage, LeaderApplication, LeaderProfile
from app.models.editorial import Proposal
from tests.conftest import PASSWORD, login
from tests.directory.profile_helpers import image_bytes, make_leader  # noqa: F401
from tests.editorial.conftest import make_proposal  # noqa: F401


def give_pictures(app, user_id: int, proposal_ids: list[int]) -> set[str]:
    """A photo on the person's profile and a cover on each proposal; the files it stored."""
    with app.app_context():
        profile = db.session.scalar(select(LeaderProfile).where(LeaderProfile.user_id == user_id))
        profile.photo = photos.save_photo(io.BytesIO(image_bytes()))
        files = {f"leaders/{profile.photo}.jpg", f"leaders/{profile.photo}-160.jpg"}
        for proposal_id in proposal_ids:
            proposal = db.session.get(Proposal, proposal_id)
            proposal.cover_image = store_cover(FileStorage(io.BytesIO(image_bytes()), "c.jpg"))
            proposal.cover_alt = "A picture"
            files.add(f"covers/{proposal.cover_image}")
        db.session.commit()
    return files


def stored_files(app) -> set[str]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()}


def test_deleting_an_account_deletes_its_photo_and_cover_files_and_keeps_others(
        app, client, make_leader, make_proposal):
    leaving_user, _ = make_leader()
    staying_user, staying_slug = make_leader()
    own = give_pictures(app, leaving_user.id, [make_proposal(leaving_user.id),
                                               make_proposal(leaving_user.id, state=State.PUBLISHED,
                                                             slug="a-published-post")])
    others = give_pictures(app, staying_user.id, [make_proposal(staying_user.id)])
    assert stored_files(app) == own | others and len(own) == 4

    login(client, leaving_user.email)
    done = client.post("/account/delete", data={"current_password": PASSWORD, "understood": "y"})
    assert done.status_code == 302 and done.headers["Location"] == "/"

    assert stored_files(app) == others
    with app.app_context():
        assert db.session.get(User, leaving_user.id) is None
        assert db.session.scalar(select(func.count()).select_from(Proposal)
                                 .where(Proposal.author_id == leaving_user.id)) == 0
        assert db.session.scalar(select(func.count()).select_from(LeaderProfile)
                                 .where(LeaderProfile.user_id == leaving_user.id)) == 0
    # The other person's pictures are still served.
    photo = next(name for name in others if name.startswith("leaders/") and "-160" not in name)
    assert client.get(f"/leaders/photos/{photo.removeprefix('leaders/')}").status_code == 200
    assert client.get(f"/leaders/{staying_slug}").status_code == 200


def test_a_deletion_that_does_not_commit_keeps_the_files_and_the_rows(app, make_leader,
                                                                      make_proposal):
    user, _ = make_leader()
    own = give_pictures(app, user.id, [make_proposal(user.id)])
    with app.app_context():
        leaving.delete_account(db.session.get(User, user.id))
        db.session.flush()
        db.session.rollback()  # the commit failed, say: nothing of it happened
        assert db.session.get(User, user.id) is not None
    assert stored_files(app) == own


def test_deleting_an_account_removes_its_applications_and_sent_messages(app, client, make_user,
                                                                          make_leader):
    leader, _ = make_leader()
    member = make_user(role=Role.MEMBER)
    with app.app_context():
        profile = db.session.scalar(select(LeaderProfile).where(LeaderProfile.user_id == leader.id))
        db.session.add(LeaderApplication(user_id=member.id, motivation="I run a food bank."))
        db.session.add(ContactMessage(sender_id=member.id, profile_id=profile.id))
        db.session.commit()
    login(client, member.email)
    client.post("/account/delete", data={"current_password": PASSWORD, "understood": "y"})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LeaderApplication)) == 0
        assert db.session.scalar(select(func.count()).select_from(ContactMessage)) == 0


def test_the_data_download_has_every_features_sections_in_order(app, client, make_leader,
                                                                make_proposal):
    user, slug = make_leader()
    make_proposal(user.id, title="Saturday repair café")
    login(client, user.email)
    data = json.loads(client.get("/account/export.json").data)
    assert list(data) == ["account", "sessions", "leader_profile", "proposals", "forum", "gatherings",
                          "partnerships", "notifications"]
    assert data["account"]["email"] == user.email
    assert data["sessions"] and data["leader_profile"]["slug"] == slug
    assert [p["title"] for p in data["proposals"]] == ["Saturday repair café"]


def test_notifications_are_in_the_download_and_go_with_the_account(app, client, make_user):
    from app.models.notifications import Notification, NotificationPreference
    from app.notifications import services as notices
    member = make_user(role=Role.MEMBER)
    other = make_user(role=Role.MEMBER)
    with app.app_context():
        for person in (member, other):
            notices.notify(db.session.get(User, person.id), "comment", "Eda commented on your pitch",
                           "/proposals/1")
        notices.set_email_choice(db.session.get(User, member.id), "post_published", False)
        db.session.commit()
    login(client, member.email)
    data = json.loads(client.get("/account/export.json").data)["notifications"]
    assert [note["message"] for note in data["received"]] == ["Eda commented on your pitch"]
    assert data["email_choices"]["post_published"] is False
    client.post("/account/delete", data={"current_password": PASSWORD, "understood": "y"})
    with app.app_context():
        assert db.session.get(User, member.id) is None
        left = db.session.scalars(select(Notification.user_id)).all()
        assert left == [other.id]  # the other person's stays
        assert db.session.scalar(select(func.count()).select_from(NotificationPreference)) == 0
