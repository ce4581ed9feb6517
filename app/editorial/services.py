"""Editorial rules: proposals change state here, through the workflow's one guard; views commit."""
from __future__ import annotations

import re
import secrets

from flask import current_app
from sqlalchemy import select

from app.database import get_or_create, insert_unique
from app.editorial import covers
from app.editorial.needs import MAX_TAGS, ProposalInput, check_limits, missing
from app.editorial import notifications as tell
from app.editorial.workflow import Action, Actor, Stage, State, TransitionError
from app.extensions import db
from app.models.accounts import Role, User
from app.models.base import utcnow
from app.models.editorial import Comment, Event, Proposal, Revision, Tag
from app.text.markdown import slugify

DEFAULT_CHECKLIST = [
    "The title is clear, short and spelled right",
    "The excerpt reads well on its own",
    "The cover image has alt text that describes it (or there is no cover)",
    "The tags fit the post",
    "Every link was opened and works",
]
class StaleProposal(Exception):
    """Someone changed the proposal after this person loaded it; their change was not made."""

    def __init__(self, proposal: Proposal):
        super().__init__("This proposal changed since you opened it.")
        self.proposal = proposal


# Settings ---------------------------------------------------------------------------------

def checklist_items() -> list[str]:
    return list(current_app.config.get("EDITORIAL_CHECKLIST") or DEFAULT_CHECKLIST)


# Who is acting ----------------------------------------------------------------------------

def actor_for(user: User | None, proposal: Proposal, action: Action) -> Actor:
    """The workflow role this user takes for this action on this proposal."""
    if user is None:
        return Actor.SYSTEM
    is_author = proposal.author_id == user.id
    reviews = user.role in (Role.EDITOR, Role.ADMIN)
    # An editor who wrote the proposal is its author for it, never its reviewer.
    if is_author or not reviews:
        return Actor.AUTHOR
    return Actor.EDITOR


# Proposals: creating and editing ----------------------------------------------------------

def _set_tags(proposal: Proposal, names: list[str]) -> None:
    tags = []
    for name in names[:MAX_TAGS]:
        slug = slugify(name, 40)
        tag = get_or_create(Tag, lambda: Tag(name=name.lower(), slug=slug), slug=slug)
        if tag not in tags:
            tags.append(tag)
    proposal.tags = tags


def _apply(proposal: Proposal, data: ProposalInput) -> None:
    check_limits(data)
    proposal.title = data.title.strip()
    proposal.summary = data.summary.strip()
    proposal.why_it_matters = data.why_it_matters.strip()
    proposal.body = data.body.strip()
    proposal.excerpt = data.excerpt.strip()
    proposal.cover_alt = data.cover_alt.strip()
    _set_tags(proposal, data.tags)
    proposal.saved_at = utcnow()


_FORM_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_form_token() -> str:
    """A one-time token for a new-proposal form."""
    return secrets.token_urlsafe(32)


def usable_token(text: str | None) -> str | None:
    """The form's token if it looks like one we drew, else None (the form then makes a proposal
    every time, as before tokens)."""
    return text if text and _FORM_TOKEN.fullmatch(text) else None


def proposal_from_form(author: User, token: str | None) -> Proposal | None:
    """The proposal this author's form with this token already made, if any."""
    if not token:
        return None
    return db.session.scalar(select(Proposal).where(Proposal.form_token == token,
                                                    Proposal.author_id == author.id))


def differs(proposal: Proposal, data: ProposalInput) -> bool:
    """Whether saving data would change what the proposal says (an empty excerpt is filled in
    from the post on submit, so it changes nothing)."""
    stored = (proposal.title, proposal.summary, proposal.why_it_matters, proposal.body,
              [tag.slug for tag in proposal.tags])
    sent = (data.title.strip(), data.summary.strip(), data.why_it_matters.strip(),
            data.body.strip(), sorted({slugify(name, 40) for name in data.tags[:MAX_TAGS]}))
    return stored != sent or bool(data.excerpt.strip() and data.excerpt.strip() != proposal.excerpt)


def create_proposal(author: User, data: ProposalInput,
                    form_token: str | None = None) -> Proposal | None:
    """A new draft; None when a proposal with this form token was stored first (a form sent
    twice at once: the other request made it)."""
    proposal = Proposal(author=author, state=State.DRAFT, stage=Stage.PITCH, title="",
                        form_token=form_token)
    _apply(proposal, data)
    if form_token is None:
        db.session.add(proposal)
        db.session.flush()
    elif not insert_unique(proposal):
        return None
    db.session.add(Event(proposal=proposal, actor=author, action="create", from_state=None,
                         to_state=State.DRAFT))
    return proposal


def check_version(proposal: Proposal, version: int | None) -> None:
    if version is not None and int(version) != proposal.version:
        raise StaleProposal(proposal)


def save_proposal(proposal: Proposal, user: User, data: ProposalInput,
                  version: int | None) -> None:
    """The author saves a draft, or an editor makes a copy edit (kept as a revision)."""
    from app.permissions import can_edit_proposal

    if not can_edit_proposal(user, proposal):
        if proposal.author_id == user.id:
            raise TransitionError("You cannot edit your proposal while the editors have it. "
                                  "You can comment on it instead.")
        raise TransitionError("This proposal cannot be edited now.")
    check_version(proposal, version)
    _apply(proposal, data)
    if proposal.author_id != user.id:
        snapshot(proposal, user, "copy_edit")
        record_event(proposal, user, "copy_edit", proposal.state, proposal.state, None)
    db.session.flush()


def missing_for_submit(proposal: Proposal) -> list[str]:
    """What the author still has to write before the editors can read it, as the guard names it."""
    stored = ProposalInput(title=proposal.title, summary=proposal.summary,
                           why_it_matters=proposal.why_it_matters, tags=[tag.name for tag in proposal.tags],
                           body=proposal.body, excerpt=proposal.excerpt, cover_alt=proposal.cover_alt)
    return [need.named for need in missing(stored, needs_body=proposal.stage is Stage.POST,
                                           has_cover=bool(proposal.cover_image))]


# The timeline (app.editorial.steps makes the workflow's steps) ---------------------------

def record_event(proposal, user, action, source, target, note) -> Event:
    """A line on the proposal's timeline."""
    record = Event(proposal=proposal, actor=user, action=str(action), from_state=source,
                   to_state=target, note=note)
    db.session.add(record)
    return record


def snapshot(proposal: Proposal, user: User, kind: str) -> Revision:
    """A revision: what the proposal said at a submit, a resubmit or a copy edit."""
    number = len(proposal.revisions) + 1
    revision = Revision(
        proposal=proposal, number=number, kind=kind, made_by=user, title=proposal.title,
        summary=proposal.summary, why_it_matters=proposal.why_it_matters, body=proposal.body,
        excerpt=proposal.excerpt, tags=proposal.tag_text, cover_alt=proposal.cover_alt,
    )
    db.session.add(revision)
    return revision


# Comments ---------------------------------------------------------------------------------

def add_comment(proposal: Proposal, user: User, body: str) -> Comment:
    comment = Comment(proposal=proposal, writer=user, body=body.strip())
    db.session.add(comment)
    db.session.flush()
    tell.tell_about_comment(proposal, comment, user)
    return comment


def edit_comment(comment: Comment, body: str) -> None:
    if comment.is_deleted:
        raise TransitionError("A deleted comment cannot be edited.")
    comment.body = body.strip()
    comment.edited_at = utcnow()


def delete_comment(comment: Comment) -> None:
    comment.body = ""
    comment.deleted_at = utcnow()


# Diffs ------------------------------------------------------------------------------------

def revision_text(revision: Revision | Proposal) -> str:
    """One document per revision, so a single side-by-side diff covers every field."""
    tags = revision.tags if isinstance(revision, Revision) else revision.tag_text
    parts = [
        f"Title: {revision.title}",
        f"Tags: {tags}",
        "",
        "Summary:",
        revision.summary,
        "",
        "Why it matters:",
        revision.why_it_matters,
    ]
    if revision.excerpt:
        parts += ["", "Excerpt:", revision.excerpt]
    if revision.body:
        parts += ["", "Post:", revision.body]
    return "\n".join(parts)


def default_comparison(revisions: list[Revision]) -> tuple[Revision | None, Revision | None]:
    """What the editor last reviewed against what was sent after it: the last two revisions."""
    if len(revisions) < 2:
        return None, None
    return revisions[-2], revisions[-1]


# Leaving the network ------------------------------------------------------------------------

def export_data(user: User) -> dict:
    """The person's part of "download my data": what they proposed, in every state."""
    proposals = db.session.scalars(select(Proposal).where(Proposal.author_id == user.id)).all()
    return {"proposals": [
        {"title": p.title, "state": p.state.value, "summary": p.summary,
         "why_it_matters": p.why_it_matters, "body": p.body, "tags": p.tag_text,
         "created_at": p.created_at.isoformat() + "Z"}
        for p in proposals
    ]}


def forget_user(user: User) -> None:
    """Before the account goes: the person's proposals (published posts too), with their
    revisions, events and comments, and their cover files once the deletion commits.
    Their comments on other people's proposals stay, unsigned (writer set to NULL)."""
    for proposal in db.session.scalars(select(Proposal).where(Proposal.author_id == user.id)).all():
        if proposal.cover_image:
            covers.remove_file(proposal.cover_image)
        db.session.delete(proposal)
