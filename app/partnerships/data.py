"""The partnerships' part of "download my data" and of deleting an account: the person's
partnerships (never their partners' words), answers, agreement versions, check-ins, requests and
invitations; deleting an account first leaves every partnership as leaving does, then removes
what was theirs."""
from __future__ import annotations

from sqlalchemy import delete, select, update

from app.extensions import db
from app.models.accounts import User
from app.models.partnerships import (
    AgreementAcceptance, AgreementVersion, CheckIn, InvitationState, OpeningAnswer, OpeningQuestion,
    PartnerRequest, Partnership, PartnershipChoice, PartnershipEvent, PartnershipInvitation,
    PartnershipMember,
)
from app.partnerships import lifecycle


def _when(moment) -> str | None:
    return moment.isoformat() if moment else None


def export_data(user: User) -> dict:
    rows = db.session.execute(select(PartnershipMember, Partnership).join(
        Partnership, Partnership.id == PartnershipMember.partnership_id)
        .where(PartnershipMember.user_id == user.id).order_by(PartnershipMember.id)).all()
    questions = {question.id: question.text for question in db.session.scalars(
        select(OpeningQuestion).where(OpeningQuestion.id.in_(
            select(OpeningAnswer.question_id).where(OpeningAnswer.user_id == user.id))))}
    choice = db.session.get(PartnershipChoice, user.id)
    return {"partnerships": {
        "show_count_on_profile": bool(choice and choice.show_count),
        "partnerships": [{"id": partnership.id, "state": partnership.state.value,
                          "joined_at": _when(member.joined_at), "left_at": _when(member.left_at)}
                         for member, partnership in rows],
        "opening_answers": [{"partnership_id": answer.partnership_id,
                             "question": questions.get(answer.question_id, ""), "answer": answer.text,
                             "at": _when(answer.answered_at)}
                            for answer in db.session.scalars(select(OpeningAnswer).where(
                                OpeningAnswer.user_id == user.id).order_by(OpeningAnswer.id))],
        "agreement_versions_written": [{"partnership_id": version.partnership_id, "version": version.number,
                                        "text": version.text, "note": version.note,
                                        "at": _when(version.created_at)}
                                       for version in db.session.scalars(select(AgreementVersion).where(
                                           AgreementVersion.written_by_id == user.id).order_by(AgreementVersion.id))],
        "agreement_versions_accepted": [
            {"partnership_id": version.partnership_id, "version": version.number, "at": _when(accepted.accepted_at)}
            for accepted, version in db.session.execute(
                select(AgreementAcceptance, AgreementVersion).join(
                    AgreementVersion, AgreementVersion.id == AgreementAcceptance.version_id)
                .where(AgreementAcceptance.user_id == user.id).order_by(AgreementVersion.id)).all()],
        "check_ins": [{"partnership_id": item.partnership_id, "meeting_id": item.gathering_id,
                       "met": item.met, "note": item.note, "at": _when(item.created_at)}
                      for item in db.session.scalars(select(CheckIn).where(CheckIn.user_id == user.id)
                                                     .order_by(CheckIn.id))],
        "requests": [{"id": item.id, "about": item.about, "focus_areas": [area.name for area in item.focus_areas],
                      "languages": item.languages, "time_zone": item.time_zone, "mode": item.mode.value,
                      "place": item.place_name, "state": item.state.value, "created_at": _when(item.created_at),
                      "closed_at": _when(item.closed_at)}
                     for item in db.session.scalars(select(PartnerRequest).where(PartnerRequest.user_id == user.id)
                                                    .order_by(PartnerRequest.id))],
        "invitations_received": [{"partnership_id": item.partnership_id, "state": item.state.value,
                                  "message": item.message, "at": _when(item.created_at)}
                                 for item in db.session.scalars(select(PartnershipInvitation).where(
                                     PartnershipInvitation.to_id == user.id).order_by(PartnershipInvitation.id))],
        "invitations_sent": [{"partnership_id": item.partnership_id, "state": item.state.value,
                              "message": item.message, "at": _when(item.created_at)}
                             for item in db.session.scalars(select(PartnershipInvitation).where(
                                 PartnershipInvitation.from_id == user.id).order_by(PartnershipInvitation.id))],
    }}


def forget_user(user: User) -> None:
    """Leave every partnership properly (partners told, meetings passed on, a partnership of two
    closed), then remove the person's requests, answers, check-ins, acceptances and rows."""
    seats = db.session.scalars(select(Partnership).join(
        PartnershipMember, PartnershipMember.partnership_id == Partnership.id)
        .where(PartnershipMember.user_id == user.id, PartnershipMember.seat.is_not(None))).all()
    for partnership in seats:
        lifecycle.leave(partnership, user)
    db.session.execute(update(PartnershipInvitation).where(
        PartnershipInvitation.from_id == user.id, PartnershipInvitation.state == InvitationState.PENDING)
        .values(state=InvitationState.WITHDRAWN))
    db.session.execute(update(PartnershipInvitation).where(PartnershipInvitation.from_id == user.id)
                       .values(from_id=None, message=""))
    db.session.execute(update(AgreementVersion).where(AgreementVersion.written_by_id == user.id)
                       .values(written_by_id=None))
    db.session.execute(update(PartnershipEvent).where(PartnershipEvent.user_id == user.id).values(user_id=None))
    for model, column in ((PartnershipInvitation, PartnershipInvitation.to_id),
                          (OpeningAnswer, OpeningAnswer.user_id), (CheckIn, CheckIn.user_id),
                          (AgreementAcceptance, AgreementAcceptance.user_id),
                          (PartnershipChoice, PartnershipChoice.user_id),
                          (PartnershipMember, PartnershipMember.user_id)):
        db.session.execute(delete(model).where(column == user.id))
    for request in db.session.scalars(select(PartnerRequest).where(PartnerRequest.user_id == user.id)):
        db.session.delete(request)
    db.session.flush()
