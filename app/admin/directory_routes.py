"""Admin pages for the directory: applications, focus areas, programs, verified badges, quotes."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import permissions
from app.admin.forms import DeclineForm
from app.admin.blueprint import bp
from app.auth.forms import ConfirmForm
from app.directory import services
from app.directory.forms import NameForm
from app.extensions import db
from app.models.directory import (ApplicationStatus, FocusArea, LeaderApplication, LeaderProfile,
                                  Program, ProfileProgram)


def _require_directory_admin() -> None:
    # The blueprint already requires an admin; this keeps the rule explicit if that changes.
    if not permissions.can_manage_directory(current_user):
        abort(403)


@bp.get("/directory")
def directory_index():
    _require_directory_admin()
    return render_template("admin/directory_index.html",
                           pending=len(services.applications()),
                           unverified=len(services.unverified_programs()))


# Leader applications ---------------------------------------------------------------------

@bp.get("/directory/applications")
def directory_applications():
    _require_directory_admin()
    status = request.args.get("status", ApplicationStatus.PENDING.value)
    if status not in {s.value for s in ApplicationStatus}:
        status = ApplicationStatus.PENDING.value
    return render_template("admin/directory_applications.html",
                           applications=services.applications(ApplicationStatus(status)),
                           status=status, statuses=ApplicationStatus, form=ConfirmForm())


@bp.post("/directory/applications/<int:application_id>/<any(approve):decision>")
def directory_decide(application_id, decision):
    _require_directory_admin()
    application = db.get_or_404(LeaderApplication, application_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.approve_application(current_user, application)
        except services.DirectoryError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(f"{application.user.display_name} is now a leader. We emailed them a link to "
                  "start their profile.", "success")
    return redirect(url_for("admin.directory_applications"))


@bp.route("/directory/applications/<int:application_id>/decline", methods=["GET", "POST"])
def directory_decline(application_id):
    """Declining asks first, on a page of its own, for the reason the applicant is sent."""
    _require_directory_admin()
    application = db.get_or_404(LeaderApplication, application_id)
    if application.status != ApplicationStatus.PENDING:
        return _decided(application)
    form = DeclineForm()
    if form.validate_on_submit():
        try:
            services.decline_application(current_user, application, form.reason.data)
        except services.DirectoryError:  # decided in another tab meanwhile
            db.session.rollback()
            return _decided(db.get_or_404(LeaderApplication, application_id))
        db.session.commit()
        flash(f"{application.user.display_name}'s application is declined. We emailed them "
              "your reason.", "success")
        return redirect(url_for("admin.directory_applications"))
    return render_template("admin/directory_decline.html", application=application, form=form)


def _decided(application: LeaderApplication):
    """The page for an application someone already approved or declined: nothing to do."""
    return render_template("admin/directory_decline.html", application=application,
                           form=None), 409 if request.method == "POST" else 200


# Focus areas and programs ------------------------------------------------------------------

LISTS = {
    "focus-areas": {"model": FocusArea, "title": "Focus areas", "one": "focus area",
                    "add": services.add_focus_area, "rename": services.rename_focus_area},
    "programs": {"model": Program, "title": "Programs", "one": "program",
                 "add": services.add_program, "rename": services.rename_program},
}


def _list(kind: str) -> dict:
    if kind not in LISTS:
        abort(404)
    return LISTS[kind]


@bp.route("/directory/<any('focus-areas', programs):kind>", methods=["GET", "POST"])
def directory_list(kind):
    _require_directory_admin()
    spec = _list(kind)
    form = NameForm()
    if form.validate_on_submit():
        try:
            if kind == "programs":
                item = spec["add"](form.name.data, form.description.data or "")
            else:
                item = spec["add"](form.name.data)
        except services.DirectoryError as error:
            form.name.errors.append(str(error))
        else:
            db.session.commit()
            flash(f"Added the {spec['one']} “{item.name}”.", "success")
            return redirect(url_for("admin.directory_list", kind=kind))
    model = spec["model"]
    order = (model.official.desc(), model.name) if model is FocusArea else (model.name,)
    items = db.session.scalars(db.select(model).order_by(*order)).all()
    return render_template("admin/directory_list.html", kind=kind, spec=spec, items=items,
                           form=form, confirm_form=ConfirmForm())


@bp.route("/directory/<any('focus-areas', programs):kind>/<int:item_id>", methods=["GET", "POST"])
def directory_rename(kind, item_id):
    _require_directory_admin()
    spec = _list(kind)
    item = db.get_or_404(spec["model"], item_id)
    form = NameForm(data={"name": item.name, "description": getattr(item, "description", "")}
                    if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            spec["rename"](item, form.name.data)
        except services.DirectoryError as error:
            form.name.errors.append(str(error))
        else:
            if kind == "programs":
                item.description = (form.description.data or "").strip()
            else:
                item.official = True  # an admin naming a leader's own tag makes it official
            db.session.commit()
            flash(f"Saved the {spec['one']} “{item.name}”.", "success")
            return redirect(url_for("admin.directory_list", kind=kind))
    return render_template("admin/directory_rename.html", kind=kind, spec=spec, item=item,
                           form=form)


@bp.route("/directory/<any('focus-areas', programs):kind>/<int:item_id>/remove",
          methods=["GET", "POST"])
def directory_remove(kind, item_id):
    _require_directory_admin()
    spec = _list(kind)
    item = db.get_or_404(spec["model"], item_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = item.name
        db.session.delete(item)
        db.session.commit()
        flash(f"Removed the {spec['one']} “{name}” from every profile.", "success")
        return redirect(url_for("admin.directory_list", kind=kind))
    return render_template("admin/directory_remove.html", kind=kind, spec=spec, item=item,
                           form=form)


# Verified programs and featured quotes -----------------------------------------------------

@bp.get("/directory/verifications")
def directory_verifications():
    _require_directory_admin()
    return render_template("admin/directory_verifications.html",
                           items=services.unverified_programs(), form=ConfirmForm())


@bp.post("/directory/leaders/<slug>/programs/<int:program_id>/<any(verify, unverify):action>")
def directory_verify(slug, program_id, action):
    _require_directory_admin()
    profile = services.profile_by_slug(slug) or abort(404)
    item = db.session.get(ProfileProgram, (profile.id, program_id)) or abort(404)
    if ConfirmForm().validate_on_submit():
        services.set_program_verified(item, action == "verify")
        db.session.commit()
        flash(f"{profile.display_name}'s {item.program.name} is "
              f"{'verified' if action == 'verify' else 'no longer verified'}.", "success")
    if request.form.get("back") == "profile":
        return redirect(url_for("directory.profile", slug=profile.slug))
    return redirect(url_for("admin.directory_verifications"))


@bp.get("/directory/quotes")
def directory_quotes():
    _require_directory_admin()
    return render_template("admin/directory_quotes.html", profiles=services.profiles_with_quotes(),
                           form=ConfirmForm())


@bp.post("/directory/quotes/<slug>/<any(feature, unfeature):action>")
def directory_feature(slug, action):
    _require_directory_admin()
    profile = db.session.scalar(db.select(LeaderProfile).where(LeaderProfile.slug == slug)) or abort(404)
    if ConfirmForm().validate_on_submit():
        profile.featured_quote = action == "feature" and bool(profile.quote)
        db.session.commit()
        flash(f"{profile.display_name}'s quote is {'on' if profile.featured_quote else 'off'} "
              "the home page.", "success")
    return redirect(url_for("admin.directory_quotes"))
