"""Account settings for the signed-in person."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, logout_user

from app.account import services as leaving
from app.auth import services, sessions
from app.auth.forms import ConfirmForm
from app.account.forms import ChangeEmailForm, ChangePasswordForm, DeleteAccountForm, TimeZoneForm
from app.extensions import db

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.get("")
@login_required
def settings():
    return render_template("account/settings.html", resend_form=ConfirmForm())


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        services.set_new_password(user, form.password.data, keep=user.current_session)
        db.session.commit()
        flash("Your password has been changed. You have been logged out everywhere else.",
              "success")
        return redirect(url_for("account.settings"))
    return render_template("account/password.html", form=form)


@bp.route("/time-zone", methods=["GET", "POST"])
@login_required
def time_zone():
    from app.gatherings.times import is_zone
    form = TimeZoneForm()
    form.load_choices()
    if request.method == "GET" and not form.kept_text_shown:
        form.time_zone.data = current_user.time_zone
    if form.validate_on_submit():
        chosen = form.time_zone.data or ""
        if chosen and not is_zone(chosen):
            form.time_zone.errors = ["Choose a time zone from the list."]
        else:
            current_user.time_zone = chosen
            db.session.commit()
            flash(f"Times are shown in {chosen.replace('_', ' ')} now." if chosen else
                  "Times are shown in each gathering's own zone now.", "success")
            return redirect(url_for("account.settings"))
    return render_template("account/time_zone.html", form=form)


@bp.route("/email", methods=["GET", "POST"])
@login_required
def change_email():
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            services.request_email_change(current_user, form.email.data)
        except services.AccountError as error:
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(f"We sent a link to {form.email.data.strip()}. Your email address "
                  "changes when you open it.", "success")
            return redirect(url_for("account.settings"))
    return render_template("account/email.html", form=form)


@bp.route("/email/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token):
    try:
        user, new_email = services.email_change_from_token(token)
    except services.AccountError as error:
        return render_template("auth/link_problem.html", message=str(error)), 400
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.change_email(user, new_email)
        except services.AccountError as error:
            return render_template("auth/link_problem.html", message=str(error)), 409
        db.session.commit()
        flash(f"Your email address is now {new_email}.", "success")
        return redirect(url_for("account.settings" if current_user.is_authenticated
                                else "auth.login"))
    return render_template("account/confirm_email.html", form=form, new_email=new_email)


@bp.get("/sessions")
@login_required
def sessions_list():
    return render_template("account/sessions.html", form=ConfirmForm(),
                           sessions=sessions.of_user(current_user),
                           this_session=current_user.current_session)


@bp.post("/sessions/<int:session_id>/end")
@login_required
def end_session(session_id):
    form = ConfirmForm()
    if form.validate_on_submit():
        found = sessions.find(current_user, session_id)
        if found is None:
            abort(404)
        if found.id == current_user.current_session.id:
            return redirect(url_for("account.sessions_list"))  # this device logs out instead
        sessions.end(found)
        db.session.commit()
        flash(f"{found.device} is logged out.", "success")
    return redirect(url_for("account.sessions_list"))


@bp.post("/sessions/end-others")
@login_required
def end_other_sessions():
    form = ConfirmForm()
    if form.validate_on_submit():
        current_user.end_sessions(keep=current_user.current_session)
        db.session.commit()
        flash("You are logged out everywhere else.", "success")
    return redirect(url_for("account.sessions_list"))


@bp.get("/export.json")
@login_required
def export():
    return Response(leaving.export_data(current_user), mimetype="application/json",
                    headers={"Content-Disposition":
                             'attachment; filename="leaders-network-my-data.json"'})


@bp.route("/delete", methods=["GET", "POST"])
@login_required
def delete():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        leaving.delete_account(user)  # its sessions go with it
        db.session.commit()
        # In this order, so Flask-Login still deletes the remember-me cookie.
        session.clear()
        logout_user()
        flash("Your account has been deleted. Thank you for being part of the network.", "info")
        return redirect(url_for("pages.home"))
    return render_template("account/delete.html", form=form)
