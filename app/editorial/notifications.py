"""What editorial tells people: its kinds of notification, and who is told of each step."""
from __future__ import annotations

from sqlalchemy import select

from app.editorial.workflow import ACTION_SPECS, Action
from app.extensions import db
from app.models.accounts import Role, User
from app.models.editorial import Proposal
from app.notifications.kinds import Kind
from app.notifications.services import notify
from app.permissions import is_editor
from app.urls import site_path, site_url

PROPOSAL_SUBMITTED = Kind(
    "proposal_submitted", "Email me when a proposal is sent or resent to the editors",
    "A proposal is sent or resent to the editors (editors only)",
    template="editorial_submitted", shown_to=is_editor)
PROPOSAL_DECISION = Kind(
    "proposal_decision", "Email me when an editor decides on my proposal",
    "An editor decides on your proposal, with their note or reason",
    template="editorial_decision")
POST_PUBLISHED = Kind(
    "post_published", "Email me when my post goes live", "Your post goes live on the blog",
    template="editorial_published")
COMMENT = Kind("comment", "Someone comments on a proposal you write or review")  # in-app only

# Listed in app/features.py (the site's table of kinds), in the settings page's order.
KINDS = (PROPOSAL_SUBMITTED, PROPOSAL_DECISION, POST_PUBLISHED, COMMENT)


def _editors() -> list[User]:
    editors = list(db.session.scalars(select(User).where(User.role == Role.EDITOR,
                                                         User.active.is_(True))))
    return editors or list(db.session.scalars(select(User).where(User.role == Role.ADMIN,
                                                                 User.active.is_(True))))


def tell_editors(proposal: Proposal, action: Action, sender: User | None = None,
                 note: str | None = None) -> None:
    recipients = [proposal.editor] if proposal.editor else _editors()
    verb = "resubmitted" if action is Action.RESUBMIT else "submitted"
    for editor in recipients:
        if editor is None or editor.id == proposal.author_id:
            continue
        notify(editor, PROPOSAL_SUBMITTED.name,
               f"{proposal.author.display_name} {verb} “{proposal.title}”.",
               site_path("editorial.show", proposal_id=proposal.id),
               subject=f"Proposal {verb}: {proposal.title}", proposal=proposal, verb=verb,
               link=site_url("editorial.show", proposal_id=proposal.id))


def tell_author_decision(proposal: Proposal, action: Action, editor: User | None,
                         note: str | None) -> None:
    what = ACTION_SPECS[action].decision  # completes "Eda Editor ...": "approved your pitch"
    name = editor.display_name if editor else "The editors"
    notify(proposal.author, PROPOSAL_DECISION.name, f"{name} {what}: “{proposal.title}”.",
           site_path("editorial.show", proposal_id=proposal.id),
           subject=f"{name} {what}: {proposal.title}", proposal=proposal, editor_name=name,
           what=what, note=note, action=action.value,
           link=site_url("editorial.show", proposal_id=proposal.id))


def tell_author_published(proposal: Proposal, action: Action | None = None,
                          editor: User | None = None, note: str | None = None) -> None:
    notify(proposal.author, POST_PUBLISHED.name, f"Your post “{proposal.title}” is live.",
           site_path("blog.post", slug=proposal.slug),
           subject=f"Your post is live: {proposal.title}", proposal=proposal,
           link=site_url("blog.post", slug=proposal.slug))


def tell_about_comment(proposal: Proposal, comment, writer: User) -> None:
    link = site_path("editorial.show", proposal_id=proposal.id) + f"#comment-{comment.id}"
    others = {proposal.author} | ({proposal.editor} if proposal.editor else set())
    for person in others - {writer}:
        notify(person, COMMENT.name, f"{writer.display_name} commented on “{proposal.title}”.",
               link)


# What a step whose spec names this kind of mail calls: (proposal, action, who acted, note).
TELLS = {
    PROPOSAL_SUBMITTED.name: tell_editors,
    PROPOSAL_DECISION.name: tell_author_decision,
    POST_PUBLISHED.name: tell_author_published,
}
