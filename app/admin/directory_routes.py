"""Admin pages for the directory: applications, focus areas, programs, verified badges, quotes.
The rules themselves are in app/directory (applications.py, curation.py); these views ask, show
and commit."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import permissions
from app.admin.forms import DeclineForm
from app.auth.forms import ConfirmForm
from app.directory import applications as leading, curation, services
from app.directory.forms import NameForm
from app.extensions import db
from app.models.directory import ApplicationStatus, FocusArea, LeaderApplication, Program, ProfileProgram

bp = Blueprint("directory", __name__, url_prefix="/directory")  # inside admin (blueprint.py)


@bp.before_request
def require_directory_admin():
    if not permissions.can_manage_directory(current_user):
        abort(403)


@bp.get("")
def index():
    return render_template("admin/directory_index.html",
                           pending=len(leading.applications()),
                           unverified=len(curation.unverified_programs()))


# Leader applications ---------------------------------------------------------------------

@bp.get("/applications")
def applications():
    status = request.args.get("status", ApplicationStatus.PENDING.value)
    if status not in {s.value for s in ApplicationStatus}:
        status = ApplicationStatus.PENDING.value
    return render_template("admin/directory_applications.html",
                           applications=leading.applications(ApplicationStatus(status)),
                           status=status, statuses=ApplicationStatus, form=ConfirmForm())


@bp.post("/applications/<int:application_id>/<any(approve):decision>")
def decide(application_id, decision):
    application = db.get_or_404(LeaderApplication, application_id)
    if ConfirmForm().validate_on_submit():
        try:
            leading.approve_application(current_user, application)
        except services.DirectoryError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(f"{application.user.display_name} is now a leader. We emailed them a link to "
                  "start their profile.", "success")
    return redirect(url_for(".applications"))


@bp.route("/applications/<int:application_id>/decline", methods=["GET", "POST"])
def decline(application_id):
    """Declining asks first, on a page of its own, for the reason the applicant is sent."""
    application = db.get_or_404(LeaderApplication, application_id)
    if application.status != ApplicationStatus.PENDING:
        return _decided(application)
    form = DeclineForm()
    if form.validate_on_submit():
        try:
            leading.decline_application(current_user, application, form.reason.data)
        except services.DirectoryError:  # decided in another tab meanwhile
            db.session.rollback()
            return _decided(db.get_or_404(LeaderApplication, application_id))
        db.session.commit()
        flash(f"{application.user.display_name}'s application is declined. We emailed them "
              "your reason.", "success")
        return redirect(url_for(".applications"))
    return render_template("admin/directory_decline.html", application=application, form=form)


def _decided(application: LeaderApplication):
    """The page for an application someone already approved or declined: nothing to do."""
    return render_template("admin/directory_decline.html", application=application,
                           form=None), 409 if request.method == "POST" else 200


# Focus areas and programs ------------------------------------------------------------------

LISTS = {
    "focus-areas": {"model": FocusArea, "title": "Focus areas", "one": "focus area",
                    "add": curation.add_focus_area, "rename": curation.rename_focus_area},
    "programs": {"model": Program, "title": "Programs", "one": "program",
                 "add": curation.add_program, "rename": curation.rename_program},
}
KINDS = "any('focus-areas', programs)"


@bp.route(f"/<{KINDS}:kind>", methods=["GET", "POST"], endpoint="list")
def list_items(kind):
    spec = LISTS[kind]
    form = NameForm()
    if form.validate_on_submit():
        try:
            item = spec["add"](form.name.data, form.description.data or "")
        except services.DirectoryError as error:
            form.name.errors.append(str(error))
        else:
            db.session.commit()
            flash(f"Added the {spec['one']} “{item.name}”.", "success")
            return redirect(url_for(".list", kind=kind))
    return render_template("admin/directory_list.html", kind=kind, spec=spec,
                           items=curation.list_items(spec["model"]), form=form,
                           confirm_form=ConfirmForm())


@bp.route(f"/<{KINDS}:kind>/<int:item_id>", methods=["GET", "POST"])
def rename(kind, item_id):
    spec = LISTS[kind]
    item = db.get_or_404(spec["model"], item_id)
    form = NameForm(data={"name": item.name, "description": getattr(item, "description", "")}
                    if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            spec["rename"](item, form.name.data, form.description.data or "")
        except services.DirectoryError as error:
            form.name.errors.append(str(error))
        else:
            db.session.commit()
            flash(f"Saved the {spec['one']} “{item.name}”.", "success")
            return redirect(url_for(".list", kind=kind))
    return render_template("admin/directory_rename.html", kind=kind, spec=spec, item=item,
                           form=form)


@bp.route(f"/<{KINDS}:kind>/<int:item_id>/remove", methods=["GET", "POST"])
def remove(kind, item_id):
    spec = LISTS[kind]
    item = db.get_or_404(spec["model"], item_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = item.name
        curation.remove_item(item)
        db.session.commit()
        flash(f"Removed the {spec['one']} “{name}” from every profile.", "success")
        return redirect(url_for(".list", kind=kind))
    return render_template("admin/directory_remove.html", kind=kind, spec=spec, item=item,
                           form=form)


# Verified programs and featured quotes -----------------------------------------------------

@bp.get("/verifications")
def verifications():
    return render_template("admin/directory_verifications.html",
                           items=curation.unverified_programs(), form=ConfirmForm())


@bp.post("/leaders/<slug>/programs/<int:program_id>/<any(verify, unverify):action>")
def verify(slug, program_id, action):
    profile = services.profile_by_slug(slug) or abort(404)
    item = db.session.get(ProfileProgram, (profile.id, program_id)) or abort(404)
    if ConfirmForm().validate_on_submit():
        curation.set_program_verified(item, action == "verify")
        db.session.commit()
        flash(f"{profile.display_name}'s {item.program.name} is "
              f"{'verified' if action == 'verify' else 'no longer verified'}.", "success")
    if request.form.get("back") == "profile":
        return redirect(url_for("directory.profile", slug=profile.slug))
    return redirect(url_for(".verifications"))


@bp.get("/quotes")
def quotes():
    return render_template("admin/directory_quotes.html", profiles=curation.profiles_with_quotes(),
                           form=ConfirmForm())


@bp.post("/quotes/<slug>/<any(feature, unfeature):action>")
def feature(slug, action):
    profile = services.profile_by_slug(slug) or abort(404)
    if ConfirmForm().validate_on_submit():
        curation.feature_quote(profile, action == "feature")
        db.session.commit()
        flash(f"{profile.display_name}'s quote is {'on' if profile.featured_quote else 'off'} "
              "the home page.", "success")
    return redirect(url_for(".quotes"))
