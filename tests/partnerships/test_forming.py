"""Forming: inviting from a leader's profile (into a new partnership or one of yours still forming),
accepting or declining, who is told, and what a profile says ("in N learning partnerships" only
when the person chose it; never with whom)."""
from sqlalchemy import select

from app.extensions import db
from app.models.notifications import Notification
from app.models.partnerships import PartnershipInvitation
from tests.conftest import shown
from tests.partnerships.helpers import leader_profile, load, log_in_as, make_partnership


def _kinds(app, user) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Notification.kind).where(Notification.user_id == user.id)
                                       .order_by(Notification.id)))


def test_inviting_from_a_profile_into_a_new_partnership_and_accepting(app, client, make_user, mailbox):
    lena = make_user(role="leader", name="Lena Leader")
    slug = leader_profile(app, lena)
    sam = make_user(name="Sam Seeker")
    # Visitors and people not confirmed see no invitation button; Lena not on her own profile.
    assert "Invite to a learning partnership" not in shown(client.get(f"/leaders/{slug}"), "Lena Leader")
    log_in_as(client, lena)
    assert "Invite to a learning partnership" not in shown(client.get(f"/leaders/{slug}"), "Lena Leader")
    log_in_as(client, sam)
    shown(client.get(f"/leaders/{slug}"), "Invite to a learning partnership")
    shown(client.get(f"/partnerships/invite/{lena.id}"), "Invite Lena Leader", "A new partnership")
    response = client.post(f"/partnerships/invite/{lena.id}", data={"into": "new", "message": "Shall we?"})
    assert response.status_code == 302
    partnership_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    found = load(app, partnership_id)
    assert found.state == "forming" and found.partner_count == 1
    shown(client.get(f"/partnerships/{partnership_id}"), "Waiting for an answer from Lena Leader")
    assert _kinds(app, lena) == ["partnership_invitation"]
    mail = mailbox.wait_for(lena.email, "invites you to a learning partnership")
    assert "Shall we?" in mailbox.body(mail)
    # Lena accepts from her partnerships page.
    log_in_as(client, lena)
    page = shown(client.get("/partnerships"), "Sam Seeker</strong> invites you", "Shall we?")
    with app.app_context():
        invitation_id = db.session.scalar(select(PartnershipInvitation.id))
    assert f'id="invitation-{invitation_id}"' in page
    assert client.post(f"/partnerships/invitations/{invitation_id}/accept").status_code == 302
    assert load(app, partnership_id).state == "opening"
    assert "partnership_answer" in _kinds(app, sam)
    shown(client.get(f"/partnerships/{partnership_id}"), "The opening", "Sam Seeker")


def test_declining_tells_the_inviter_and_takes_no_seat(app, client, make_user):
    starter, person = make_user(name="Starter"), make_user(name="Dee Decliner")
    partnership_id = make_partnership(app, [starter])
    from tests.partnerships.helpers import invite_row
    invitation = invite_row(app, partnership_id, starter, person)
    log_in_as(client, person)
    assert client.post(f"/partnerships/invitations/{invitation}/decline").status_code == 302
    assert load(app, partnership_id).partner_count == 1
    assert _kinds(app, starter) == ["partnership_answer"]
    # Answered once: accepting afterwards is refused, and someone else's invitation is none of theirs.
    late = client.post(f"/partnerships/invitations/{invitation}/accept", follow_redirects=True)
    shown(late, "already answered or withdrawn")
    log_in_as(client, starter)
    assert client.post(f"/partnerships/invitations/{invitation}/accept").status_code == 404


def test_inviting_into_one_of_yours_still_forming_and_not_after_it_is_active(app, client, make_user):
    ana, ben = make_user(name="Ana"), make_user(name="Ben")
    third = make_user(role="leader", name="Third Person")
    leader_profile(app, third)
    partnership_id = make_partnership(app, [ana, ben])
    log_in_as(client, ana)
    page = shown(client.get(f"/partnerships/invite/{third.id}"), "Ours with Ben")
    assert client.post(f"/partnerships/invite/{third.id}", data={"into": str(partnership_id)}).status_code == 302
    again = client.post(f"/partnerships/invite/{third.id}", data={"into": str(partnership_id)})
    shown(again, "Third Person already has an invitation to this partnership", status=422)
    assert page
    # Someone else's partnership, or a made-up one, is not offered.
    other = make_partnership(app, [make_user(), make_user()])
    wrong = client.post(f"/partnerships/invite/{third.id}", data={"into": str(other)})
    shown(wrong, "Choose one of your partnerships that is still forming", status=422)
    # Once the opening is done, the invitation not yet answered is withdrawn.
    from tests.partnerships.helpers import accept, answer_all
    for person in (ana, ben):
        answer_all(app, partnership_id, person)
        accept(app, partnership_id, person)
    assert load(app, partnership_id).state == "active"
    with app.app_context():
        states = db.session.scalars(select(PartnershipInvitation.state).where(
            PartnershipInvitation.partnership_id == partnership_id, PartnershipInvitation.to_id == third.id)).all()
        assert states == ["withdrawn"]


def test_only_people_others_can_find_here_can_be_invited(client, make_user, login_as):
    hidden = make_user(name="Not Listed")  # no profile, no request
    login_as()
    assert client.get(f"/partnerships/invite/{hidden.id}").status_code == 404
    assert client.post(f"/partnerships/invite/{hidden.id}", data={"into": "new"}).status_code == 404
    assert client.get("/partnerships/invite/99999").status_code == 404


def test_people_who_have_not_confirmed_their_email_cannot_invite(app, client, make_user, login_as):
    lena = make_user(role="leader")
    leader_profile(app, lena)
    login_as(verified=False)
    assert client.get(f"/partnerships/invite/{lena.id}").status_code == 403


def test_a_profile_says_in_n_partnerships_only_when_its_owner_chose_it(app, client, make_user):
    lena = make_user(role="leader", name="Lena Leader")
    slug = leader_profile(app, lena)
    make_partnership(app, [lena, make_user(name="Partner One")])
    make_partnership(app, [make_user(name="Partner Two"), lena])
    assert "learning partnership" not in shown(client.get(f"/leaders/{slug}"), "Lena Leader").replace(
        "Invite to a learning partnership", "")
    log_in_as(client, lena)
    assert client.post("/partnerships/profile", data={"show_count": "y"}).status_code == 302
    client.post("/logout")
    page = shown(client.get(f"/leaders/{slug}"), "In 2 learning partnerships")
    assert "Partner One" not in page and "Partner Two" not in page
    log_in_as(client, lena)
    assert client.post("/partnerships/profile", data={}).status_code == 302
    client.post("/logout")
    assert "In 2 learning partnerships" not in shown(client.get(f"/leaders/{slug}"), "Lena Leader")
