"""Sign-up, email verification, log in and out, forgotten password."""
from flask import (Blueprint, current_app, flash, make_response, redirect, render_template,
                   request, session, url_for)
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import services, sessions
from app.auth.afterwards import after_response
from app.auth.forms import (ConfirmForm, ForgotPasswordForm, LoginForm, RegisterForm,
                            ResetPasswordForm)
from app.extensions import db, limiter
from app.security import is_safe_next

bp = Blueprint("auth", __name__)


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


def _reset_limit():
    return current_app.config["RESET_RATE_LIMIT"]


def _register_limit():
    return current_app.config["REGISTER_RATE_LIMIT"]


def sign_in(user, remember: bool = False) -> None:
    """A fresh session at every login, so no value planted before it survives; the new
    user_sessions row is what the session and remember-me cookies name."""
    session.clear()
    sessions.start(user, remember=remember, user_agent=request.user_agent.string,
                   address=request.remote_addr)
    login_user(user, remember=remember)
    if not remember and current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") \
            in request.cookies:
        session["_remember"] = "clear"  # an old remember-me cookie must not outlive this login
    services.record_login(user)


def sign_out() -> None:
    """End this session on the server and delete both cookies."""
    if current_user.is_authenticated and current_user.current_session is not None:
        sessions.end(current_user.current_session)
    db.session.commit()
    # In this order: logout_user() leaves the flag that makes Flask-Login delete the
    # remember-me cookie, and session.clear() afterwards would wipe it.
    session.clear()
    logout_user()


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        # The same answer whether or not the address has an account (its owner gets a mail).
        services.register(form.email.data, form.display_name.data, form.password.data)
        db.session.commit()
        session["registered_email"] = form.email.data.strip()
        # Where they were going (the leader application, say): after confirming and logging in.
        if is_safe_next(request.args.get("next")):
            session["after_verify"] = request.args["next"]
        return redirect(url_for("auth.registered"))
    return render_template("auth/register.html", form=form)


@bp.get("/register/sent")
def registered():
    return render_template("auth/register_sent.html", email=session.get("registered_email"))


@bp.route("/verify/<token>", methods=["GET", "POST"])
def verify_email(token):
    try:
        user = services.user_for_verification(token)
    except services.AccountError as error:
        return render_template("auth/link_problem.html", message=str(error)), 400
    form = ConfirmForm()
    if form.validate_on_submit():
        services.verify_email(user)
        db.session.commit()
        flash("Thank you: your email address is confirmed.", "success")
        going = session.pop("after_verify", None)
        going = going if is_safe_next(going) else None
        if current_user.is_authenticated:
            return redirect(going or url_for("account.settings"))
        return redirect(url_for("auth.login", next=going) if going else url_for("auth.login"))
    return render_template("auth/verify.html", form=form, user=user)


@bp.post("/verify/resend")
@login_required
def resend_verification():
    form = ConfirmForm()
    if form.validate_on_submit() and not current_user.is_verified:
        services.send_verification(current_user)
        db.session.commit()
        flash(f"We sent a new link to {current_user.email}.", "success")
    return redirect(url_for("account.settings"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = LoginForm()
    next_url = request.args.get("next")
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.form_errors.append("The email address or password is not right. "
                                    "Check them and try again.")
        elif not user.active:
            form.form_errors.append("This account has been deactivated. "
                                    "Contact an administrator if you think this is a mistake.")
        else:
            sign_in(user, remember=form.remember.data)
            db.session.commit()
            flash(f"You are logged in as {user.display_name}.", "success")
            return redirect(next_url if is_safe_next(next_url) else url_for("pages.home"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    form = ConfirmForm()
    if form.validate_on_submit():
        sign_out()
        flash("You are logged out.", "info")
    return redirect(url_for("pages.home"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        response = make_response(render_template("auth/reset_sent.html", email=form.email.data))
        # Looked up and mailed after the answer, so a known address answers no slower.
        after_response(response, services.request_password_reset, form.email.data)
        return response
    return render_template("auth/forgot.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def reset_password(token):
    try:
        user = services.user_for_reset(token)
    except services.AccountError as error:
        return render_template("auth/link_problem.html", message=str(error)), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.set_new_password(user, form.password.data)  # ends every session of theirs
        db.session.commit()
        sign_out()
        flash("Your password has been changed. Log in with your new password.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)
