"""The opening: before a partnership is active, every partner answers its opening questions and
accepts the current version of its agreement. The questions are versioned and written by admins
(a partnership keeps the version in force when it started); the agreement is the partners' own,
and every edit is a new version that each partner accepts again. Views commit."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select, update

from app.database import insert_unique
from app.extensions import db
from app.models.accounts import User
from app.models.base import utcnow
from app.models.partnerships import (
    AgreementAcceptance, AgreementVersion, InvitationState, OpeningAnswer, OpeningQuestion,
    OpeningQuestionSet, Partnership, PartnershipInvitation, PartnershipState,
)
from app.partnerships import meetings, members, telling
from app.partnerships.members import Refused

ANSWER_MAX = 2000
AGREEMENT_MIN, AGREEMENT_MAX = 20, 6000
NOTE_MAX = 200
QUESTION_MAX, HINT_MAX, QUESTIONS_MAX = 300, 300, 12

# The demo's and a new site's questions, on the five things partners settle first.
DEFAULT_QUESTIONS = [
    ("What do you hope to learn or change through this partnership, and how would you notice "
     "that it is working?", "A sentence or a few is plenty; there are no wrong answers."),
    ("How do you like to be spoken to and listened to? What helps you say what you really think?",
     "Some of us think aloud, some need a quiet minute first; say what suits you."),
    ("What should stay between us, and is there anything you would like to be free to share "
     "with others?", "For example: stories about people we work with, or our own doubts."),
    ("When we disagree, what would you like us to do?",
     "Think of a disagreement that went well for you: what made it go well?"),
    ("How often can you meet, at which times, and what would make you cancel a meeting?",
     "Your answer helps you choose your rhythm together."),
]

DEFAULT_AGREEMENT = """We meet as equals. Nobody owns this partnership: each meeting has a convener, and that role passes round.

- We start and end on time, and we say early when we cannot come.
- We listen to understand before we answer, and each of us gets time to speak.
- What a partner tells us about their own life and work stays between us, unless they say otherwise.
- When we disagree, we say so kindly and plainly, and we look for what we can learn from it.
- Any of us may pause the partnership or leave it. We say why if we can, and we part on good terms.
- We read this agreement again after our first three meetings."""


# The questions --------------------------------------------------------------------------

def current_questions() -> OpeningQuestionSet:
    """The version in force: the newest; the first use makes version 1 from DEFAULT_QUESTIONS."""
    found = db.session.scalar(select(OpeningQuestionSet).order_by(OpeningQuestionSet.number.desc()).limit(1))
    if found is not None:
        return found
    first = OpeningQuestionSet(number=1, questions=[
        OpeningQuestion(position=n, text=text, hint=hint)
        for n, (text, hint) in enumerate(DEFAULT_QUESTIONS, start=1)])
    if insert_unique(first):  # two first partnerships at once: one version 1
        return first
    return db.session.scalar(select(OpeningQuestionSet).where(OpeningQuestionSet.number == 1))


def questions_of(partnership: Partnership) -> list[OpeningQuestion]:
    if partnership.question_set_id is None:
        return []
    found = db.session.get(OpeningQuestionSet, partnership.question_set_id)
    return list(found.questions) if found else []


def publish_questions(entries: list[tuple[str, str]], by: User) -> OpeningQuestionSet:
    """A new version from the admins' form ((question, hint) rows; empty rows dropped): for the
    partnerships started from now on."""
    kept, problems = [], []
    for text, hint in entries:
        text, hint = " ".join((text or "").split()), " ".join((hint or "").split())
        if not text and not hint:
            continue
        if not text or len(text) > QUESTION_MAX or len(hint) > HINT_MAX:
            problems.append(f"Question {len(kept) + 1}: write the question in at most {QUESTION_MAX} "
                            f"characters, and its hint in at most {HINT_MAX}.")
        kept.append((text, hint))
    if not kept:
        problems.append("Write at least one question.")
    elif len(kept) > QUESTIONS_MAX:
        problems.append(f"Keep to {QUESTIONS_MAX} questions: the opening should be short.")
    if problems:
        raise Refused(" ".join(problems))
    for _attempt in range(3):  # two admins at once: the second takes the next number
        number = (db.session.scalar(select(func.max(OpeningQuestionSet.number))) or 0) + 1
        made = OpeningQuestionSet(number=number, created_by_id=by.id, questions=[
            OpeningQuestion(position=n, text=text, hint=hint) for n, (text, hint) in enumerate(kept, 1)])
        if insert_unique(made):
            return made
    raise Refused("Another version was published at the same moment; send yours again.")


def all_question_sets() -> list[OpeningQuestionSet]:
    return list(db.session.scalars(select(OpeningQuestionSet).order_by(OpeningQuestionSet.number.desc())))


# Answers --------------------------------------------------------------------------------

def answers_by_person(partnership: Partnership) -> dict[int, dict[int, OpeningAnswer]]:
    """{user id: {question id: answer}} of the current partners."""
    current = {member.user_id for member in members.current_members(partnership)}
    found: dict[int, dict[int, OpeningAnswer]] = {}
    for answer in db.session.scalars(select(OpeningAnswer).where(
            OpeningAnswer.partnership_id == partnership.id).order_by(OpeningAnswer.id)):
        if answer.user_id in current:
            found.setdefault(answer.user_id, {})[answer.question_id] = answer
    return found


def save_answers(partnership: Partnership, user: User, texts: list[str]) -> None:
    """The person's answers, one per question in order; every question needs one."""
    if not members.is_partner(partnership, user) or partnership.state == PartnershipState.CLOSED:
        raise Refused("Only the partners answer their partnership's opening questions.")
    questions = questions_of(partnership)
    texts = [(text or "").strip() for text in texts][:len(questions)]
    texts += [""] * (len(questions) - len(texts))
    problems = []
    for number, text in enumerate(texts, start=1):
        if not text:
            problems.append(f"Answer question {number}: a few words are enough.")
        elif len(text) > ANSWER_MAX:
            problems.append(f"Your answer to question {number} is {len(text):,} characters long; "
                            f"keep it to {ANSWER_MAX:,}.")
    if problems:
        raise Refused(" ".join(problems))
    mine = {answer.question_id: answer for answer in db.session.scalars(select(OpeningAnswer).where(
        OpeningAnswer.partnership_id == partnership.id, OpeningAnswer.user_id == user.id))}
    for question, text in zip(questions, texts):
        answer = mine.get(question.id)
        if answer is None:
            if not insert_unique(OpeningAnswer(partnership_id=partnership.id, user_id=user.id,
                                               question_id=question.id, text=text)):
                db.session.execute(update(OpeningAnswer).where(
                    OpeningAnswer.partnership_id == partnership.id, OpeningAnswer.user_id == user.id,
                    OpeningAnswer.question_id == question.id).values(text=text, answered_at=utcnow()))
        elif answer.text != text:
            answer.text, answer.answered_at = text, utcnow()
    db.session.flush()
    maybe_open(partnership)


def forget_answers(partnership: Partnership, user: User) -> None:
    db.session.execute(delete(OpeningAnswer).where(OpeningAnswer.partnership_id == partnership.id,
                                                   OpeningAnswer.user_id == user.id))


# The agreement ---------------------------------------------------------------------------

def start_agreement(partnership: Partnership) -> AgreementVersion:
    """Version 1, the site's starting text, for the partners to change as they like."""
    first = AgreementVersion(partnership_id=partnership.id, number=1, text=DEFAULT_AGREEMENT,
                             note="The site's starting text")
    db.session.add(first)
    partnership.agreement_version = 1
    db.session.flush()
    return first


def current_agreement(partnership: Partnership) -> AgreementVersion | None:
    return db.session.scalar(select(AgreementVersion).where(
        AgreementVersion.partnership_id == partnership.id,
        AgreementVersion.number == partnership.agreement_version))


def versions(partnership: Partnership) -> list[AgreementVersion]:
    """Every version, newest first."""
    return list(db.session.scalars(select(AgreementVersion).where(
        AgreementVersion.partnership_id == partnership.id).order_by(AgreementVersion.number.desc())))


def accepted_by(version: AgreementVersion | None) -> set[int]:
    if version is None:
        return set()
    return set(db.session.scalars(select(AgreementAcceptance.user_id).where(
        AgreementAcceptance.version_id == version.id)))


class Conflict(Refused):
    """Another partner saved a new version while this one was being written."""


def edit_agreement(partnership: Partnership, user: User, text: str, note: str, base: int | None) -> AgreementVersion:
    """A new version, shown to every partner, who each accept it again (its writer has)."""
    if not members.is_partner(partnership, user) or partnership.state == PartnershipState.CLOSED:
        raise Refused("Only the partners change their agreement.")
    text = (text or "").strip()
    note = " ".join((note or "").split())
    if len(text) < AGREEMENT_MIN:
        raise Refused(f"Write the agreement in at least {AGREEMENT_MIN} characters.")
    if len(text) > AGREEMENT_MAX:
        raise Refused(f"The agreement is {len(text):,} characters long; keep it to {AGREEMENT_MAX:,}.")
    if len(note) > NOTE_MAX:
        raise Refused(f"Say what changed in at most {NOTE_MAX} characters.")
    current = current_agreement(partnership)
    if base is None or base != partnership.agreement_version:
        raise Conflict(f"A partner saved version {partnership.agreement_version} while you were "
                       "writing. Your text is below: compare it with the current version and save again.")
    if current is not None and current.text == text:
        raise Refused("The text is the same as the current version: change it, or keep it as it is.")
    number = base + 1
    moved = db.session.execute(
        update(Partnership).where(Partnership.id == partnership.id, Partnership.agreement_version == base)
        .values(agreement_version=number).execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        raise Conflict("A partner saved a new version at the same moment. Your text is below: "
                       "compare it with the current version and save again.")
    version = AgreementVersion(partnership_id=partnership.id, number=number, text=text, note=note,
                               written_by_id=user.id)
    db.session.add(version)
    db.session.flush()
    db.session.expire(partnership, ["agreement_version"])
    db.session.add(AgreementAcceptance(version_id=version.id, user_id=user.id))
    members.log(partnership, "agreement", user, f"version {number}" + (f": {note}" if note else ""))
    telling.agreement_changed(partnership, members.current_people(partnership), user, number, note)
    db.session.flush()
    return version


def accept_agreement(partnership: Partnership, user: User, number: int | None) -> bool:
    """The person accepts the version they read (refused when another came meanwhile); False
    when they had already."""
    if not members.is_partner(partnership, user) or partnership.state == PartnershipState.CLOSED:
        raise Refused("Only the partners accept their agreement.")
    current = current_agreement(partnership)
    if current is None or number != current.number:
        raise Refused(f"The agreement changed while you were reading it: read version "
                      f"{partnership.agreement_version} and accept that one.")
    made = insert_unique(AgreementAcceptance(version_id=current.id, user_id=user.id))
    if made:
        maybe_open(partnership)
    return made


# The gate --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Progress:
    """Where each partner stands in the opening."""

    person: User
    answered: bool
    accepted: bool

    @property
    def done(self) -> bool:
        return self.answered and self.accepted


def progress(partnership: Partnership) -> list[Progress]:
    questions = {question.id for question in questions_of(partnership)}
    answers = answers_by_person(partnership)
    accepted = accepted_by(current_agreement(partnership))
    return [Progress(member.user, questions <= set(answers.get(member.user_id, {})),
                     member.user_id in accepted)
            for member in members.current_members(partnership)]


def opening_done(partnership: Partnership) -> bool:
    found = progress(partnership)
    return len(found) >= 2 and all(item.done for item in found)


def maybe_open(partnership: Partnership) -> bool:
    """The gate: a partnership in its opening becomes active once two or more partners have
    each answered every question and accepted the current agreement. True when it did now."""
    if partnership.state != PartnershipState.OPENING or not opening_done(partnership):
        return False
    members.hold(partnership)  # read again under the lock: two last answers at once open it once
    if partnership.state != PartnershipState.OPENING:
        return False
    partnership.state = PartnershipState.ACTIVE
    partnership.activated_at = utcnow()
    # The partnership has found its people: invitations not yet answered are withdrawn.
    db.session.execute(update(PartnershipInvitation).where(
        PartnershipInvitation.partnership_id == partnership.id,
        PartnershipInvitation.state == InvitationState.PENDING)
        .values(state=InvitationState.WITHDRAWN, answered_at=utcnow()))
    members.log(partnership, "active")
    telling.opened(partnership, members.current_people(partnership))
    db.session.flush()
    meetings.ensure_next(partnership)  # the first meeting, if the rhythm is chosen
    return True
