"""A thread page's messages, drawn once for every member and kept by each worker.

A member's page of 300 messages differs from another member's in few places: the forms' CSRF
token, and for each message whether they wrote it (Edit and Delete instead of Flag, no
Appreciate, the link to earlier versions, the appeal of a removal), appreciated it or
bookmarked it. So the messages are drawn once with every such place left as a slot holding
each of its variants (KeptView), kept while the thread stands still (its `changes` counter,
kept by database triggers, is in the key, as for VisitorPages), and each member's page copies
the parts and swaps in the few variants that are theirs. Stewards and admins (their tools on
every message), and anyone with a held or rejected message in view (only they see it), are
drawn for as before. A person renamed is seen within MAX_AGE seconds."""
from __future__ import annotations

from dataclasses import dataclass

from flask import request
from flask_login import current_user
from markupsafe import Markup

from app.forum import reading
from app.forum.drawing import MessageView, message_html, tree_html
from app.models.forum import ForumPost, ForumThread, PostStatus
from app.worker_cache import WorkerCache, worker_cache

CSRF_MARK = "\x01csrf\x01"  # where each form's token goes
_SLOT = "\x00"  # around a slot's number in the drawn text, which is split on it


@dataclass
class Drawn:
    """What templates/forum/thread.html shows of the messages, however they were drawn."""
    opening: Markup
    replies: Markup
    opening_id: int
    page: int = 1
    pages: int = 1
    next_after: int | None = None  # the flat view's next page


class KeptView(MessageView):
    """A MessageView for a member who moderates nothing, whoever they are: each slot is drawn
    in its three variants (someone else's message; their own; appreciated or bookmarked)."""

    def __init__(self, view: MessageView):  # what the member may do, asked once, is the same
        self.__dict__.update(view.__dict__)
        self.csrf = CSRF_MARK
        self.me = None  # owns() is False outside the slots
        self.slots: list[tuple[int, str, str, str, str]] = []

    def slot(self, kind, post, marked, draw) -> str:
        self.slots.append((post.id, kind, draw(False, False), draw(True, False), draw(False, True)))
        return f"{_SLOT}{len(self.slots) - 1}{_SLOT}"


@dataclass
class KeptDrawing:
    """Drawn messages as parts (the variants for someone else's messages in place) and, by
    message, where its slots are and what else they may hold."""
    parts: list[str]
    csrf_parts: list[int]  # where the member's form token goes
    slots: dict[int, list[tuple[int, int, str, str, str]]]  # post id -> (first part, end, kind, own, marked)
    written_by: dict[int, list[int]]  # author id -> their messages on the page
    opening_part: int  # parts before it are the opening message, the rest the replies
    shown: frozenset[int]
    drawn: Drawn
    hidden_from: frozenset[int]  # who has a held or rejected message here: drawn for alone

    @classmethod
    def of(cls, opening: str, replies: str, view: KeptView, posts: list[ForumPost], drawn: Drawn,
           hidden_from: frozenset[int]):
        parts: list[str] = []
        csrf_parts: list[int] = []

        def add(text: str) -> None:  # each form's token its own part, filled in by for_member
            for number, piece in enumerate(text.split(CSRF_MARK)):
                if number:
                    csrf_parts.append(len(parts))
                    parts.append("")
                parts.append(piece)

        slots: dict[int, list] = {}
        opening_part = 0
        pieces = f"{str(opening)}{_SLOT}-{_SLOT}{str(replies)}".split(_SLOT)  # as text: no escaping
        for number, piece in enumerate(pieces):
            if number % 2 == 0:
                add(piece)
            elif piece == "-":
                opening_part = len(parts)
                parts.append("")
            else:
                post_id, kind, theirs, own, marked = view.slots[int(piece)]
                first = len(parts)
                add(theirs)
                slots.setdefault(post_id, []).append((first, len(parts), kind, own, marked))
        written_by: dict[int, list[int]] = {}
        for post in posts:
            if post.author_id is not None:
                written_by.setdefault(post.author_id, []).append(post.id)
        return cls(parts, csrf_parts, slots, written_by, opening_part,
                   frozenset(post.id for post in posts), drawn, hidden_from)

    def for_member(self, me: int, appreciated: set[int], bookmarked: set[int], csrf: str) -> Drawn:
        parts = self.parts.copy()
        for index in self.csrf_parts:
            parts[index] = csrf

        def swap(first: int, end: int, variant: str) -> None:  # the span keeps its length
            parts[first:end] = [variant.replace(CSRF_MARK, csrf)] + [""] * (end - first - 1)

        mine = self.written_by.get(me, ())
        for post_id in mine:
            for first, end, _kind, own, _marked in self.slots.get(post_id, ()):
                swap(first, end, own)
        for chosen, kind in ((appreciated, "appreciate"), (bookmarked, "bookmark")):
            for post_id in chosen:
                if kind == "appreciate" and post_id in mine:
                    continue  # no Appreciate on one's own message
                for first, end, slot_kind, _own, marked in self.slots.get(post_id, ()):
                    if slot_kind == kind:
                        swap(first, end, marked)
        cut = self.opening_part
        kept = self.drawn
        return Drawn(Markup("".join(parts[:cut])), Markup("".join(parts[cut + 1:])), kept.opening_id,
                     kept.page, kept.pages, kept.next_after)


MAX_AGE = 60  # seconds: a person renamed is seen within it
SIZE = 32  # drawings of 300 messages hold some 600 kilobytes each


def member_drawings() -> WorkerCache:
    """Each worker's KeptDrawings, by thread, its changes, the page's address and what the
    member may do (write, reply, flag)."""
    return worker_cache("forum_member_drawings", SIZE, MAX_AGE)


def _flat_html(posts, answered, v, appreciated, bookmarked) -> str:
    items = "".join(f'<li class="replies__item">{message_html(post, v, appreciated, bookmarked, answered.get(post.id))}</li>'
                    for post in posts)
    return f'<ol class="replies replies--flat">\n{items}\n</ol>'


def _load(thread: ForumThread, flat: bool, after: int, page_number: int):
    """The page's opening, every message loaded for it (whatever its state), how to draw the
    replies for a view (those the viewer may see, or everyone's), and the page's numbers."""
    if flat:
        found = reading.flat_page(thread, current_user, after)
        opening = reading.opening_of(thread)

        def draw(v, appreciated, bookmarked, everyone):
            viewer = None if everyone else current_user
            shown = [post for post in found.everything if reading.visible(post, viewer)]
            return _flat_html(shown, found.answered, v, appreciated, bookmarked)
        return opening, [opening] + found.everything, draw, Drawn(
            Markup(), Markup(), opening.id, next_after=found.next_after)
    page = reading.thread_page(thread, current_user, page_number)

    def draw(v, appreciated, bookmarked, everyone):
        nodes = reading.build_tree(page.posts, None) if everyone else page.nodes
        return tree_html(nodes, v, appreciated, bookmarked)
    return page.opening, [page.opening] + page.posts, draw, Drawn(
        Markup(), Markup(), page.opening.id, page.page, page.pages)


def kept_for(view: MessageView) -> bool:
    """Whether this viewer's messages come from the kept drawing: members who moderate nothing."""
    return view.signed_in and not view.can_moderate


def thread_messages(thread: ForumThread, flat: bool, after: int, page_number: int) -> Drawn:
    """The opening message and a page of replies as this person sees them."""
    user = current_user
    view = MessageView(thread)
    keepable = kept_for(view)
    key = (thread.id, thread.changes, request.full_path, view.can_write, view.can_reply, view.can_flag)
    if keepable:
        drawing = member_drawings().get(key)
        if drawing is not None and user.id not in drawing.hidden_from:
            return drawing.for_member(user.id, *reading.viewer_marks_in(user, thread.id, drawing.shown),
                                      view.csrf)
    opening, posts, draw, drawn = _load(thread, flat, after, page_number)
    appreciated, bookmarked = reading.viewer_marks(user, posts)
    hidden = frozenset(post.author_id for post in posts if post.status != PostStatus.PUBLISHED)
    if keepable and user.id not in hidden:
        kept_view = KeptView(view)
        # Published messages only (a visitor's view of them): what every such member sees.
        drawing = KeptDrawing.of(message_html(opening, kept_view, (), ()),
                                 draw(kept_view, (), (), True), kept_view, posts, drawn, hidden)
        member_drawings().put(key, drawing)
        return drawing.for_member(user.id, appreciated, bookmarked, view.csrf)
    drawn.opening = message_html(opening, view, appreciated, bookmarked)
    drawn.replies = Markup(draw(view, appreciated, bookmarked, False))
    return drawn
