"""Seven partners at most, held by the database itself and under simultaneous acceptances over real
HTTP (SQLite and PostgreSQL): ten people accepting at once for six seats leave six more partners and
four told it is full; one person's double click accepts once; the constraints refuse an eighth
seat or a seat taken twice whatever the code does."""
import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models.partnerships import (
    MAX_PARTNERS, Partnership, PartnershipInvitation, PartnershipMember,
)
from tests.conftest import PASSWORD
from tests.live import Visitor, at_once
from tests.partnerships.helpers import invite_row, make_partnership


def visitor(live, user) -> Visitor:
    person = Visitor(live.url)
    person.log_in(user.email, PASSWORD)
    return person


def seats(app, partnership_id) -> list[int]:
    with app.app_context():
        return sorted(db.session.scalars(select(PartnershipMember.seat).where(
            PartnershipMember.partnership_id == partnership_id, PartnershipMember.seat.is_not(None))))


def test_ten_people_accepting_at_once_fill_the_six_seats_left_and_no_more(app, live, make_user):
    app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"  # eleven logins from one address
    starter = make_user(name="Starter")
    partnership_id = make_partnership(app, [starter])
    people = [make_user(name=f"Invitee {n}") for n in range(10)]
    invitations = [invite_row(app, partnership_id, starter, person) for person in people]
    browsers = [visitor(live, person) for person in people]
    answers = at_once([lambda b=b, i=i: b.post(f"/partnerships/invitations/{i}/accept", {})
                       for b, i in zip(browsers, invitations)])
    assert [answer.status for answer in answers] == [302] * 10
    joined = [answer for answer in answers if answer.location.endswith(f"/partnerships/{partnership_id}")]
    assert len(joined) == MAX_PARTNERS - 1
    assert seats(app, partnership_id) == list(range(1, MAX_PARTNERS + 1))
    with app.app_context():
        found = db.session.get(Partnership, partnership_id)
        assert found.partner_count == MAX_PARTNERS and found.state == "opening"
        states = dict(db.session.execute(select(PartnershipInvitation.state, func.count()).where(
            PartnershipInvitation.partnership_id == partnership_id).group_by(PartnershipInvitation.state)).all())
        assert states == {"accepted": 6, "pending": 4}  # the others may still join if a seat frees
    # The four who were too late are told it is full, on the page they come back to.
    told = [browser.get("/partnerships").text for browser, answer in zip(browsers, answers) if answer not in joined]
    assert len(told) == 4 and all("This partnership is full" in page for page in told)


def test_one_persons_double_click_accepts_once(app, live, make_user):
    starter, person = make_user(), make_user()
    partnership_id = make_partnership(app, [starter])
    invitation = invite_row(app, partnership_id, starter, person)
    browser = visitor(live, person)
    answers = at_once([lambda: browser.post(f"/partnerships/invitations/{invitation}/accept", {}) for _ in range(4)])
    assert [answer.status for answer in answers] == [302] * 4
    assert seats(app, partnership_id) == [1, 2]
    with app.app_context():
        assert db.session.get(Partnership, partnership_id).partner_count == 2


def test_the_database_refuses_an_eighth_seat_a_seat_twice_and_a_count_past_seven(app, make_user):
    people = [make_user() for _ in range(MAX_PARTNERS)]
    partnership_id = make_partnership(app, people)
    extra = make_user()
    with app.app_context():
        for values in ({"seat": MAX_PARTNERS + 1}, {"seat": 3}, {"seat": 0}):
            with pytest.raises(IntegrityError):
                db.session.execute(insert(PartnershipMember).values(
                    partnership_id=partnership_id, user_id=extra.id, turn=99, **values))
            db.session.rollback()
        with pytest.raises(IntegrityError):  # a seat without being a partner, or left with one
            db.session.execute(update(PartnershipMember).where(PartnershipMember.user_id == people[1].id)
                               .values(left_at=func.current_timestamp()))
        db.session.rollback()
        with pytest.raises(IntegrityError):
            db.session.execute(update(Partnership).where(Partnership.id == partnership_id)
                               .values(partner_count=MAX_PARTNERS + 1))
        db.session.rollback()
    assert seats(app, partnership_id) == list(range(1, MAX_PARTNERS + 1))


def test_a_seat_freed_by_someone_leaving_is_taken_again(app, client, make_user):
    from tests.partnerships.helpers import log_in_as
    people = [make_user() for _ in range(MAX_PARTNERS)]
    partnership_id = make_partnership(app, people)
    late = make_user()
    invitation = invite_row(app, partnership_id, people[0], late)
    log_in_as(client, late)
    full = client.post(f"/partnerships/invitations/{invitation}/accept", follow_redirects=True)
    assert "This partnership is full" in full.get_data(as_text=True)
    log_in_as(client, people[2])
    assert client.post(f"/partnerships/{partnership_id}/leave").status_code == 302
    assert seats(app, partnership_id) == [1, 2, 4, 5, 6, 7]
    log_in_as(client, late)
    assert client.post(f"/partnerships/invitations/{invitation}/accept").status_code == 302
    assert seats(app, partnership_id) == list(range(1, MAX_PARTNERS + 1))
