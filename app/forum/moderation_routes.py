"""The moderation pages: the stewards' queue and log, their steps on messages, threads and
people, and the pages where members flag a message or appeal its removal. The rules are in
moderation.py; these views check who asks, show and commit."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app import permissions
from app.auth.forms import ConfirmForm
from app.extensions import db
from app.forum import members, moderation, reading
from app.forum.blueprint import bp
from app.forum.moderation_forms import AppealForm, FlagForm, NoteForm, PauseForm, RemoveForm
from app.models.accounts import User
from app.models.forum import ForumFlag, ForumPost, ForumThread
from app.params import page_number, whole_number
from app.security import is_safe_next


def _back(default: str | None = None):
    """After a step: the page it was taken from (a safe `next` on this site), else the queue."""
    going = request.form.get("next") or request.args.get("next")
    return redirect(going if is_safe_next(going) else default or url_for("forum.moderation"))


def _moderated(post_or_thread):
    """The message or thread, once the person asking moderates its category (else a 403)."""
    thread = getattr(post_or_thread, "thread", post_or_thread)
    if thread.category.private:  # a learning partnership's own: nobody moderates it, or sees it
        abort(404)
    if not permissions.can_moderate(current_user, thread.category):
        abort(403, "Only this category's stewards and the admins can do that.")
    return post_or_thread


def _take(step, *args) -> bool:
    """Takes a step of moderation.py and commits it; a step not taken is said in a message."""
    try:
        step(current_user, *args)
    except moderation.NotAllowed as error:
        db.session.rollback()
        abort(403, str(error))
    except moderation.ModerationError as error:
        db.session.rollback()
        flash(str(error), "error")
        return False
    db.session.commit()
    return True


def _form_problems(form) -> None:
    for message in (message for field in form for message in field.errors):
        flash(message, "error")


# The queue and the log --------------------------------------------------------------------

@bp.get("/forum/moderation", endpoint="moderation")
@login_required
def moderation_page():
    if not moderation.moderates_anything(current_user):
        abort(403, "This page is for the forum's stewards and admins.")
    return render_template(
        "forum/moderation.html", queue=moderation.queue_for(current_user),
        log=moderation.log_for(current_user, page_number()), labels=moderation.ACTION_LABELS)


# Flags ------------------------------------------------------------------------------------

def _readable_post(post_id: int) -> ForumPost:
    """A message this person can see in the forum, else a 404."""
    post = db.get_or_404(ForumPost, post_id)
    if not moderation.can_be_flagged(post) or not permissions.can_read_category(
            current_user, post.thread.category):
        abort(404)
    return post


@bp.route("/forum/posts/<int:post_id>/flag", methods=["GET", "POST"])
@login_required
def flag(post_id):
    post = _readable_post(post_id)
    if not permissions.can_post_in_forum(current_user):
        abort(403, "Confirm your email address before you flag a message.")
    form = FlagForm()
    form.set_items(members.items())
    already = moderation.open_flag_of(current_user, post)
    if already is None and post.author_id != current_user.id and form.validate_on_submit():
        try:
            moderation.flag(current_user, post, form.item_number, form.note.data)
        except moderation.ModerationError as error:
            db.session.rollback()
            form.item.errors.append(str(error))
        else:
            db.session.commit()
            flash("Thank you. Your flag went to the stewards: they will look at this message.",
                  "success")
            return _back(reading.post_path(post))
    return render_template("forum/flag.html", post=post, form=form, already=already,
                           post_link=reading.post_path(post))


@bp.post("/forum/moderation/flags/<int:flag_id>/dismiss")
@login_required
def dismiss_flag(flag_id):
    raised = db.get_or_404(ForumFlag, flag_id)
    _moderated(raised.post)
    form = NoteForm()
    if not form.validate_on_submit():
        _form_problems(form)
    elif _take(moderation.dismiss, raised, form.note.data):
        flash("The flag is dismissed; the message stays.", "success")
    return _back()


# Removing a message and the author's appeal -----------------------------------------------

@bp.route("/forum/posts/<int:post_id>/remove", methods=["GET", "POST"], endpoint="remove")
@login_required
def remove_post(post_id):
    post = _moderated(db.get_or_404(ForumPost, post_id))
    form = RemoveForm()
    form.set_items(members.items())
    if moderation.can_be_flagged(post) and form.validate_on_submit():
        try:
            moderation.remove(current_user, post, form.item_number, form.note.data)
        except moderation.ModerationError as error:
            db.session.rollback()
            form.item.errors.append(str(error))
        else:
            db.session.commit()
            flash("The message is removed. Its author was told which guideline it broke and "
                  "that they can appeal.", "success")
            return _back()
    gone_meanwhile = request.method == "POST" and not moderation.can_be_flagged(post)
    return render_template("forum/remove.html", post=post, form=form, post_link=reading.post_path(post),
                           flags=moderation.open_flags_on(post)), 409 if gone_meanwhile else 200


@bp.route("/forum/posts/<int:post_id>/appeal", methods=["GET", "POST"])
@login_required
def appeal(post_id):
    post = db.get_or_404(ForumPost, post_id)
    if post.thread.category.private:  # nothing is removed there: nothing to appeal, nothing to see
        abort(404)
    if post.author_id != current_user.id:
        abort(403, "Only the author of a removed message can appeal its removal.")
    if post.removed_at is None:
        abort(404)
    form = AppealForm()
    if post.appealed_at is None and form.validate_on_submit():
        try:
            moderation.appeal(current_user, post, form.appeal.data)
        except moderation.ModerationError as error:
            db.session.rollback()
            form.appeal.errors.append(str(error))
        else:
            db.session.commit()
            flash("Your appeal went to the stewards. You will hear from them here, in your "
                  "notifications.", "success")
            return redirect(url_for("forum.appeal", post_id=post.id))
    elif post.appealed_at is not None and request.method == "POST":
        form.form_errors.append("You already appealed this removal. Each removal can be "
                                "appealed once; a steward will answer it.")
    return render_template("forum/appeal.html", post=post, form=form, post_link=reading.post_path(post),
                           broke=post.removed_reason or members.item_title(post.removed_item),
                           answer=moderation.answer_of(post))


@bp.post("/forum/posts/<int:post_id>/appeal/answer")
@login_required
def answer_appeal(post_id):
    post = _moderated(db.get_or_404(ForumPost, post_id))
    form = NoteForm()
    if not form.validate_on_submit():
        _form_problems(form)
    elif _take(moderation.answer_appeal, post, form.note.data):
        flash("Your answer went to the author; the appeal is closed.", "success")
    return _back()


# Held messages ----------------------------------------------------------------------------

@bp.post("/forum/posts/<int:post_id>/approve")
@login_required
def approve_post(post_id):
    post = _moderated(db.get_or_404(ForumPost, post_id))
    if ConfirmForm().validate_on_submit() and _take(moderation.approve, post):
        flash("The message is published and its author told.", "success")
    return _back()


@bp.post("/forum/posts/<int:post_id>/reject")
@login_required
def reject_post(post_id):
    post = _moderated(db.get_or_404(ForumPost, post_id))
    form = NoteForm()
    if not form.validate_on_submit():
        _form_problems(form)
    elif _take(moderation.reject, post, form.note.data):
        flash("The message will not be published; its author was told.", "success")
    return _back()


# Threads ----------------------------------------------------------------------------------

def _change_thread(thread_id: int, step, done: str):
    thread = _moderated(db.get_or_404(ForumThread, thread_id))
    if ConfirmForm().validate_on_submit() and _take(step, thread):
        flash(done, "success")
    return _back(url_for("forum.thread", thread_id=thread.id))


@bp.post("/forum/threads/<int:thread_id>/lock")
@login_required
def lock(thread_id):
    return _change_thread(thread_id, moderation.lock,
                          "The thread is locked: only its stewards can reply now.")


@bp.post("/forum/threads/<int:thread_id>/unlock")
@login_required
def unlock(thread_id):
    return _change_thread(thread_id, moderation.unlock, "The thread is open to replies again.")


@bp.post("/forum/threads/<int:thread_id>/pin")
@login_required
def pin(thread_id):
    return _change_thread(thread_id, moderation.pin,
                          "The thread is pinned to the top of its category.")


@bp.post("/forum/threads/<int:thread_id>/unpin")
@login_required
def unpin(thread_id):
    return _change_thread(thread_id, moderation.unpin, "The thread is no longer pinned.")


# Pausing a person's posting ---------------------------------------------------------------

def _prompting_post(person: User) -> ForumPost | None:
    """?post=: the message of theirs the pause is asked from (which category's stewards may)."""
    if "post" not in request.args:
        return None
    post_id = whole_number(request.args.get("post"))
    post = db.session.get(ForumPost, post_id) if post_id else None
    if post is None or post.author_id != person.id or post.thread.category.private:
        abort(404)
    return post


@bp.route("/forum/people/<int:user_id>/pause", methods=["GET", "POST"])
@login_required
def pause(user_id):
    person = db.get_or_404(User, user_id)
    post = _prompting_post(person)
    if not moderation.can_pause(current_user, person, post):
        abort(403, "Only the stewards of this message's category and the admins can pause its "
                   "author.")
    form = PauseForm()
    if form.validate_on_submit():
        try:
            until = moderation.pause(current_user, person, whole_number(form.days.data),
                                     form.note.data, post)
        except moderation.ModerationError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(f"{person.display_name} cannot post in the forum until "
                  f"{until:%-d %B %Y, %H:%M} UTC. We told them.", "success")
            return _back()
    return render_template("forum/pause.html", person=person, post=post, form=form,
                           paused_until=members.posting_paused_until(person))
