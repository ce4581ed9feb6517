"""The forum's pages: categories, threads, writing, editing, deleting, appreciating,
bookmarks, drafts, @mention suggestions and people's forum pages."""
from __future__ import annotations

import secrets

from flask import (
    abort, current_app, flash, jsonify, redirect, render_template, request, url_for,
)
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import kept, permissions
from app.auth.forms import ConfirmForm
from app.database import commit_keeping_loaded, writes_on_get
from app.extensions import db, limiter
from app.forum import drafts, marks, members, moderation, posting, reading, telling
from app.forum.blueprint import bp
from app.forum.drawing import (
    MessageView, VisitorPages, author_html, forum_html, message_html, thread_rows_html, tree_html, visitor_pages,
)
from app.forum.thread_drawing import thread_messages
from app.forum.forms import EditForm, MessageForm, StewardMessageForm, ThreadForm
from app.forum.posting import Refused, StalePost
from app.models.forum import (
    ForumPost, ForumPostVersion, ForumThread,
)
from app.params import page_number, whole_number
from app.security import is_safe_next
from app.text.markdown import plain_text, render_markdown
from app.urls import site_url


def _post_limit() -> str:
    return current_app.config["FORUM_POST_RATE_LIMIT"]


def _per_person() -> str:
    """Posting limits count per person (an office behind one address is many people)."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return request.remote_addr or "unknown"


posting_limit = limiter.limit(_post_limit, key_func=_per_person, methods=["POST"])


bp.add_app_template_global(forum_html)
bp.add_app_template_global(message_html, "forum_message_html")
bp.add_app_template_global(tree_html, "forum_tree_html")
bp.add_app_template_global(author_html, "forum_author_html")
bp.add_app_template_global(thread_rows_html, "forum_thread_rows_html")


@bp.app_template_global()
def forum_post_url(post: ForumPost) -> str:
    return reading.post_path(post)


@bp.app_template_global()
def forum_handle(user) -> str:
    return members.handle_of(user)


@bp.app_template_global()
def forum_moderates_anything() -> bool:
    """For the navigation: whether this person has a moderation queue."""
    return current_user.is_authenticated and moderation.moderates_anything(current_user)


@bp.app_template_global()
def guideline_title(number: int | None) -> str:
    return members.item_title(number)


@bp.app_template_global()
def guideline_items():
    return members.items()


@bp.app_template_global()
def needs_guidelines() -> bool:
    return current_user.is_authenticated and members.needs_to_accept(current_user)


@bp.app_template_global()
def markdown_html(source: str) -> Markup:
    return Markup(render_markdown(source or ""))


@bp.app_template_global()
def draft_url(draft) -> str:
    """Where a draft is typed: the new-thread page, the reply page, the edit page."""
    kind, _, rest = draft.place.partition(":")
    if kind == "new":
        from app.models.forum import ForumCategory
        category = db.session.get(ForumCategory, int(rest))
        return url_for(".new_thread", slug=category.slug) if category else url_for(".index")
    if kind == "thread":
        thread_id, _, post_id = rest.partition(":")
        return url_for(".reply", thread_id=int(thread_id), post_id=int(post_id))
    return url_for(".edit", post_id=int(rest))


@bp.app_template_global()
def leader_profile_url(user) -> str | None:
    from app.directory.services import profile_of  # the directory's public page, if listed
    profile = profile_of(user)
    return url_for("directory.profile", slug=profile.slug) if profile and profile.is_public else None


# Reading ----------------------------------------------------------------------------------

@bp.get("/forum")
def index():
    categories = reading.categories_for(current_user, with_stewards=True)
    return render_template("forum/index.html", categories=categories)


def _category_or_404(slug: str):
    category = reading.category_by_slug(slug)
    if category is None:
        abort(404)
    return category


def _readable_category(slug: str):
    category = _category_or_404(slug)
    if category.private:  # a learning partnership's: no page of its own, for anyone
        abort(404)
    if not permissions.can_read_category(current_user, category):
        _members_only()
    return category


def _members_only():
    """A members-only category for someone logged out: log in, then back here."""
    if current_user.is_authenticated:
        abort(403)
    flash("This part of the forum is for members. Log in or join to read it.", "info")
    return abort(redirect(url_for("auth.login", next=request.full_path.rstrip("?"))))


@bp.get("/forum/<slug>")
def category(slug):
    found = _readable_category(slug)
    listing = reading.thread_list(found, current_user,
                                  after=reading.Cursor.read(request.args.get("after")),
                                  before=reading.Cursor.read(request.args.get("before")))
    return render_template("forum/category.html", category=found, listing=listing,
                           canonical=site_url("forum.category", slug=found.slug))


def _thread_or_404(thread_id: int) -> ForumThread:
    thread = db.session.get(ForumThread, thread_id, options=[joinedload(ForumThread.category)])
    if thread is None:
        abort(404)
    if thread.category.private:  # only its partners know it is there
        if not permissions.can_read_thread(current_user, thread):
            abort(404)
        return thread
    if not permissions.can_read_category(current_user, thread.category):
        _members_only()
    return thread


def _private_place(thread: ForumThread, post_id: int | None = None):
    """A private thread is read on the page of the learning partnership it belongs to."""
    return redirect(url_for("partnerships.from_thread", thread_id=thread.id, post=post_id))


@bp.get("/forum/threads/<int:thread_id>")
@bp.get("/forum/threads/<int:thread_id>/<slug>")
@writes_on_get(when=lambda: not VisitorPages.applies())  # what a member has seen (unread marks)
def thread(thread_id, slug=None):
    found = _thread_or_404(thread_id)
    if found.category.private:
        return _private_place(found)
    cacheable = VisitorPages.applies()
    if cacheable:
        kept = visitor_pages().get(VisitorPages.key(found))
        if kept is not None:
            return kept
    flat = request.args.get("view") == "flat"
    after = (whole_number(request.args.get("after"), low=0) or 0) if flat else 0
    drawn = thread_messages(found, flat, after, page_number())
    reading.mark_read(current_user, found)
    page_html = render_template(
        "forum/thread.html", thread=found, drawn=drawn, flat=flat,
        following=current_user.is_authenticated and telling.is_following(current_user, found),
        reply_form=_reply_form(found, drawn.opening_id) if permissions.can_reply(current_user, found) else None,
        follow_ticked=current_user.is_authenticated and telling.reply_box_ticked(current_user, found),
        canonical=site_url("forum.thread", thread_id=found.id, slug=found.slug or None,
                           page=drawn.page if not flat and drawn.page > 1 else None))
    if cacheable:
        visitor_pages().put(VisitorPages.key(found), page_html)
    commit_keeping_loaded()  # after drawing; the 300 messages are not read again
    return page_html


def _flatten(nodes) -> list[ForumPost]:
    out = []
    for node in nodes:
        out.append(node.post)
        out.extend(_flatten(node.children))
    return out


@bp.get("/forum/threads/<int:thread_id>/posts/<int:post_id>")
def post(thread_id, post_id):
    """A message's permalink: the page of the thread that shows it."""
    found = db.session.get(ForumPost, post_id)
    if found is None or found.thread_id != thread_id:
        abort(404)
    thread = _thread_or_404(thread_id)
    if not reading.visible(found, current_user):
        abort(404)
    if thread.category.private:
        return _private_place(thread, found.id)
    anchor = reading.is_collapsed(found)
    if anchor is not None:
        return redirect(url_for(".continued", thread_id=thread.id, post_id=anchor.id)
                        + f"#post-{found.id}")
    page = reading.page_of(found)
    return redirect(url_for(".thread", thread_id=thread.id, slug=thread.slug or None,
                            page=page if page > 1 else None) + f"#post-{found.id}")


@bp.get("/forum/threads/<int:thread_id>/replies/<int:post_id>")
def continued(thread_id, post_id):
    """"Continue this thread": a message and every answer below it, nested from it."""
    found = db.session.get(ForumPost, post_id)
    thread = _thread_or_404(thread_id)
    if found is None or found.thread_id != thread.id or not reading.visible(found, current_user):
        abort(404)
    nodes = reading.subthread(found, current_user)
    shown = _flatten(nodes)
    appreciated, bookmarked = reading.viewer_marks(current_user, shown)
    return render_template("forum/continued.html", thread=thread, root=found, nodes=nodes,
                           appreciated=appreciated, bookmarked=bookmarked, view=MessageView(thread))


# Writing ----------------------------------------------------------------------------------

def _reply_form(thread: ForumThread, parent_id: int) -> MessageForm:
    form = MessageForm()
    if request.method == "GET" and not form.kept_text_shown:
        form.form_token.data = secrets.token_urlsafe(24)
        draft = drafts.load(current_user, drafts.reply_place(thread.id, parent_id))
        if draft is not None:
            form.body.data = draft.body
        form.follow.data = telling.reply_box_ticked(current_user, thread)
    return form


@bp.route("/forum/<slug>/new", methods=["GET", "POST"])
@login_required
@posting_limit
def new_thread(slug):
    category = _readable_category(slug)
    form = ThreadForm()
    place = drafts.new_thread_place(category.id)
    if not permissions.can_post_in_forum(current_user):
        return render_template("forum/confirm_first.html", category=category), 403
    if form.validate_on_submit():
        sent = _send(form, place, lambda: posting.start_thread(
            current_user, category, form.title.data or "", form.body.data or "",
            accepted_guidelines=form.accept_guidelines.data,
            form_token=form.form_token.data or None, follow=form.follow.data),
            lambda opening: url_for(".thread", thread_id=opening.thread_id,
                                    slug=opening.thread.slug or None), title=form.title.data or "")
        if sent is not None:
            return sent
    elif request.method == "GET" and not form.kept_text_shown:
        form.form_token.data = secrets.token_urlsafe(24)
        draft = drafts.load(current_user, place)
        if draft is not None:
            form.title.data, form.body.data = draft.title, draft.body
    return render_template("forum/new_thread.html", category=category, form=form,
                           needs_guidelines=needs_guidelines(), place=place,
                           guidelines=members.items())


def _send(form, place: str, write, address, title: str = ""):
    """A message form sent: "Save draft" keeps it; otherwise `write()` posts it and the person
    goes to `address(message)`. None when it was refused (the form shows why, text kept)."""
    if "save_draft" in request.form:
        drafts.save(current_user, place, form.body.data or "", title)
        db.session.commit()
        flash("Your draft is saved. It is here when you come back, on any device.", "success")
        return redirect(request.path)
    try:
        message = write()
    except Refused as refused:
        db.session.rollback()
        form.form_errors.extend(refused.messages)
        return None
    drafts.discard(current_user, place)
    db.session.commit()
    _say_if_held(message)
    return redirect(address(message))


def _say_if_held(post: ForumPost) -> None:
    if post.status == "held":
        flash("Your message is waiting for a steward: new members' first messages with links are "
              "read by a person before everyone sees them. Only you can see it until then.", "info")


@bp.route("/forum/threads/<int:thread_id>/reply/<int:post_id>", methods=["GET", "POST"])
@posting_limit
def reply(thread_id, post_id):
    """The page for answering one message, with it quoted above the box (and where the
    inline box sends its text too)."""
    thread = _thread_or_404(thread_id)
    parent = db.session.get(ForumPost, post_id)
    if parent is None or parent.thread_id != thread.id or not reading.visible(parent, current_user):
        abort(404)
    if not current_user.is_authenticated:
        if request.method == "POST" or kept.PARAM in request.args:  # log in, text kept
            return current_app.login_manager.unauthorized()
        return render_template("forum/reply.html", thread=thread, parent=parent, form=None)
    if not permissions.can_reply(current_user, thread):
        return render_template("forum/reply.html", thread=thread, parent=parent, form=None), 403
    form = MessageForm()
    place = drafts.reply_place(thread.id, parent.id)
    if form.validate_on_submit():
        sent = _send(form, place, lambda: posting.reply(
            current_user, thread, parent, form.body.data or "",
            accepted_guidelines=form.accept_guidelines.data,
            form_token=form.form_token.data or None, follow=form.follow.data), forum_post_url)
        if sent is not None:
            return sent
    elif request.method == "GET" and not form.kept_text_shown:
        form = _reply_form(thread, parent.id)
        if request.args.get("quote") and not form.body.data and not parent.is_gone:
            form.body.data = _quoted(parent)
    refused = form.errors or form.form_errors
    return render_template("forum/reply.html", thread=thread, parent=parent, form=form), 422 if refused else 200


def _quoted(post: ForumPost) -> str:
    name = post.author.display_name if post.author else "Former member"
    lines = plain_text(post.body).splitlines()[:12]
    return f"{name} wrote:\n\n" + "\n".join(f"> {line}" for line in lines) + "\n\n"


# Editing and deleting ---------------------------------------------------------------------

def _own_post(post_id: int) -> ForumPost:
    found = db.session.get(ForumPost, post_id)
    if found is None or not reading.visible(found, current_user):
        abort(404)
    if not permissions.can_read_thread(current_user, found.thread):
        abort(404)
    if not permissions.can_edit_post(current_user, found):
        abort(403)
    return found


@bp.route("/forum/posts/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit(post_id):
    found = _own_post(post_id)
    form = EditForm()
    conflict = None
    if form.validate_on_submit():
        try:
            posting.edit(current_user, found, form.body.data or "",
                         whole_number(form.version.data), form.title.data if found.is_opening else None)
        except Refused as refused:
            db.session.rollback()
            form.form_errors.extend(refused.messages)
        except StalePost as stale:
            conflict = stale.post
            form.form_errors.append("This message changed since you opened it (in another tab?). "
                                    "Your text is below and the current one above it: nothing "
                                    "was saved. Check and save again.")
            form.version.data = str(conflict.version)
        else:
            drafts.discard(current_user, f"edit:{found.id}")
            db.session.commit()
            flash("Your message is saved. It shows as edited; earlier versions are kept for you "
                  "and the stewards.", "success")
            return redirect(forum_post_url(found))
    elif request.method == "GET" and not form.kept_text_shown:
        form.body.data, form.title.data, form.version.data = found.body, found.title, str(found.version)
    return render_template("forum/edit.html", post=found, form=form, conflict=conflict)


@bp.route("/forum/posts/<int:post_id>/delete", methods=["GET", "POST"])
@login_required
def delete_post(post_id):
    found = _own_post(post_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        posting.delete(current_user, found)
        db.session.commit()
        flash("Your message is deleted. “This reply was deleted.” stays in its place so the "
              "answers around it still read.", "success")
        return redirect(forum_post_url(found))
    return render_template("forum/delete.html", post=found, form=form)


@bp.get("/forum/posts/<int:post_id>/versions")
@login_required
def versions(post_id):
    found = db.session.get(ForumPost, post_id)
    if (found is None or not permissions.can_read_thread(current_user, found.thread)
            or not permissions.can_see_versions(current_user, found)):
        abort(404)
    earlier = db.session.scalars(select(ForumPostVersion).where(ForumPostVersion.post_id == found.id)
                                 .order_by(ForumPostVersion.id.desc())).all()
    return render_template("forum/versions.html", post=found, versions=earlier)


# Appreciations and bookmarks --------------------------------------------------------------

def _readable_post(post_id: int) -> ForumPost:
    found = db.session.get(ForumPost, post_id)
    if (found is None or not reading.visible(found, current_user)
            or not permissions.can_read_thread(current_user, found.thread)):
        abort(404)
    return found


def _back(found: ForumPost):
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else forum_post_url(found))


@bp.post("/forum/posts/<int:post_id>/appreciate")
@login_required
def appreciate(post_id):
    found = _readable_post(post_id)
    if ConfirmForm().validate_on_submit():
        marks.toggle_appreciation(current_user, found)
        db.session.commit()
    if request.accept_mimetypes.best == "application/json":
        return jsonify(count=found.appreciation_count)
    return _back(found)


@bp.get("/forum/posts/<int:post_id>/appreciations")
def appreciations(post_id):
    found = _readable_post(post_id)
    return render_template("forum/appreciations.html", post=found,
                           people=reading.appreciated_by(found, 200))


@bp.post("/forum/posts/<int:post_id>/bookmark")
@login_required
def bookmark(post_id):
    found = _readable_post(post_id)
    if ConfirmForm().validate_on_submit():
        kept = marks.toggle_bookmark(current_user, found)
        db.session.commit()
        flash("Bookmarked: find it under Your bookmarks in the forum." if kept
              else "Bookmark removed.", "success")
    return _back(found)


@bp.get("/forum/bookmarks")
@login_required
def bookmarks():
    return render_template("forum/bookmarks.html", posts=marks.bookmarked(current_user),
                           drafts=drafts.of(current_user), confirm=ConfirmForm())


# Drafts and mention suggestions (for the page's script) -----------------------------------

@bp.post("/forum/drafts")
@login_required
def save_draft():
    """The box's text, saved as the person types (the script sends it every few seconds)."""
    place = request.form.get("place", "")
    if not drafts.valid_place(place):
        return jsonify(error="Unknown place for a draft."), 400
    drafts.save(current_user, place, request.form.get("body", ""), request.form.get("title", ""))
    db.session.commit()
    return jsonify(saved=True)


@bp.post("/forum/drafts/discard")
@login_required
def discard_draft():
    place = request.form.get("place", "")
    if ConfirmForm().validate_on_submit() and drafts.valid_place(place):
        drafts.discard(current_user, place)
        db.session.commit()
        flash("The draft is deleted.", "success")
    return redirect(url_for(".bookmarks"))


@bp.get("/forum/mentions")
@login_required
def mention_suggestions():
    return jsonify(people=members.suggestions(request.args.get("q", "")[:40]))


@bp.route("/forum/<slug>/stewards/<int:user_id>/message", methods=["GET", "POST"])
@login_required
@posting_limit
def message_steward(slug, user_id):
    """"Questions about this forum? Message <steward>": by mail, no address shown."""
    category = _readable_category(slug)
    steward = next((person for person in category.stewards if person.id == user_id), None)
    if steward is None:
        abort(404)
    if not permissions.can_post_in_forum(current_user):
        return render_template("forum/confirm_first.html", category=category), 403
    form = StewardMessageForm()
    if form.validate_on_submit():
        telling.message_steward(current_user, steward, category, form.message.data)
        db.session.commit()
        flash(f"Your message is on its way to {steward.display_name}. Their answer comes to "
              "your email.", "success")
        return redirect(url_for(".category", slug=category.slug))
    return render_template("forum/message_steward.html", category=category, steward=steward,
                           form=form)


# JSON for other tools ----------------------------------------------------------------------

@bp.get("/api/forum/threads/<int:thread_id>")
def api_thread(thread_id):
    """A thread of a public category as JSON: the opening message and one page (?page=) of 50
    top-level answers, each with every answer below it nested under "replies"."""
    found = db.session.get(ForumThread, thread_id)
    if found is None or found.category.members_only or found.category.private:
        return jsonify(error="No public thread has this number."), 404
    page = reading.thread_page(found, None, page_number())
    posts = db.session.scalars(select(ForumPost).where(
        ForumPost.thread_id == found.id, ForumPost.status == "published",
        ForumPost.top_position.between((page.page - 1) * reading.TOP_LEVEL_PER_PAGE + 1,
                                       page.page * reading.TOP_LEVEL_PER_PAGE))
        .order_by(ForumPost.id)).all()
    children: dict[int | None, list[ForumPost]] = {}
    for item in posts:
        children.setdefault(item.parent_id, []).append(item)

    def message(item: ForumPost) -> dict:
        gone = item.is_gone
        return {
            "id": item.id, "url": site_url("forum.post", thread_id=found.id, post_id=item.id),
            "parent_id": item.parent_id, "depth": item.depth,
            "author": None if item.author is None else {"name": item.author.display_name,
                                                        "handle": members.handle_of(item.author)},
            "created_at": item.created_at.isoformat() + "Z",
            "edited_at": item.edited_at.isoformat() + "Z" if item.edited_at else None,
            "deleted": item.deleted_at is not None, "removed": item.removed_at is not None,
            "html": None if gone else str(forum_html(item)),
            "text": None if gone else item.plain,
            "appreciations": item.appreciation_count,
            "replies": [message(answer) for answer in children.get(item.id, [])],
        }

    return jsonify(
        id=found.id, title=found.title,
        url=site_url("forum.thread", thread_id=found.id, slug=found.slug or None),
        category={"slug": found.category.slug, "name": found.category.name},
        author=None if found.author is None else {"name": found.author.display_name,
                                                  "handle": members.handle_of(found.author)},
        created_at=found.created_at.isoformat() + "Z",
        last_activity_at=found.last_activity_at.isoformat() + "Z",
        pinned=found.pinned, locked=found.locked, reply_count=found.reply_count,
        page=page.page, pages=page.pages,
        opening=message(page.opening) | {"replies": []},
        replies=[message(item) for item in children.get(page.opening.id, [])],
    )


# People -----------------------------------------------------------------------------------

@bp.get("/forum/people/<handle>")
def person(handle):
    user = members.by_handle(handle)
    if user is None:
        abort(404)
    return render_template("forum/person.html", person=user, handle=handle.lower(),
                           posts=reading.recent_by(user, current_user, 20))
