"""The forum's mail pages: a thread's "Email me when people reply" box, the forum settings, and
the one-click unsubscribe links of the reply mail and the digest (RFC 8058)."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import SelectChoice

from app.errors import render_error
from app.extensions import csrf, db
from app.forum import digests, members, telling
from app.forum.blueprint import bp
from app.forum.mail_forms import FollowForm, ForumSettingsForm
from app.forum.notifications import read_digest_token, read_thread_token
from app.models.accounts import User
from app.models.forum import ForumMember, ForumThread
from app.permissions import can_read_thread

BAD_LINK = ("This unsubscribe link is not one we sent, or it was cut short when it was copied. "
            "Nothing was changed. Log in and choose your forum emails on your forum settings page.")


@bp.post("/forum/threads/<int:thread_id>/follow")
@login_required
def follow(thread_id):
    thread = db.get_or_404(ForumThread, thread_id)
    if not can_read_thread(current_user, thread):
        abort(404)
    form = FollowForm()
    if form.validate_on_submit():
        telling.set_following(current_user, thread, form.following.data, chosen=True)
        db.session.commit()
        flash("You will get an email when people reply here." if form.following.data
              else "You will get no more emails about this thread.", "success")
    return redirect(url_for("forum.thread", thread_id=thread.id, slug=thread.slug or None))


@bp.route("/forum/settings", methods=["GET", "POST"])
@login_required
def settings():
    found = db.session.get(ForumMember, current_user.id)  # none yet: the form's defaults
    form = ForumSettingsForm(obj=found)
    form.categories.choices = [SelectChoice(category.id, category.name)
                               for category in digests.readable_categories(current_user)]
    if form.validate_on_submit():
        members.member(current_user).follow_on_reply = form.follow_on_reply.data
        digests.choose_digest(current_user, form.digest.data, form.digest_hour.data,
                              form.digest_weekday.data, form.time_zone.data,
                              form.categories.data or [])
        db.session.commit()
        flash("Your forum settings were saved.", "success")
        return redirect(url_for(".settings"))
    if request.method == "GET" and not form.kept_text_shown:
        form.categories.data = digests.chosen_categories(current_user)
    return render_template("forum/settings.html", form=form)


@bp.route("/forum/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the proof; mail clients POST it with no session (RFC 8058)
def unsubscribe_thread(token):
    """GET asks (a link scanner must not unsubscribe anyone); POST stops this thread's mail."""
    asked = read_thread_token(token)
    user = db.session.get(User, asked[0]) if asked else None
    thread = db.session.get(ForumThread, asked[1]) if user else None
    if thread is None:
        return render_error(400, BAD_LINK, title="This unsubscribe link does not work")
    if request.method == "POST":
        telling.set_following(user, thread, False, chosen=True)
        db.session.commit()
        return render_template("forum/unsubscribed.html", thread=thread)
    return render_template("forum/unsubscribe.html", thread=thread, token=token,
                           action=url_for(".unsubscribe_thread", token=token))


@bp.route("/forum/digest/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # as above
def unsubscribe_digest(token):
    """GET asks; POST turns the person's digest off."""
    user_id = read_digest_token(token)
    user = db.session.get(User, user_id) if user_id else None
    if user is None:
        return render_error(400, BAD_LINK, title="This unsubscribe link does not work")
    if request.method == "POST":
        members.member(user).digest = "off"
        db.session.commit()
        return render_template("forum/unsubscribed.html", thread=None)
    return render_template("forum/unsubscribe.html", thread=None, token=token,
                           action=url_for(".unsubscribe_digest", token=token))
