"""The community guidelines page, and what admins manage in the forum: new versions of the
guidelines, the categories and their stewards. The rules are in managing.py."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app import permissions
from app.auth.forms import ConfirmForm
from app.extensions import db
from app.forum import managing, members
from app.forum.blueprint import bp
from app.forum.moderation_forms import CategoryForm, GuidelinesForm, StewardForm
from app.models.accounts import User
from app.models.forum import ForumCategory


def _require_manager() -> None:
    if not permissions.can_manage_forum(current_user):
        abort(403, "Only admins manage the forum's categories, stewards and guidelines.")


def _show_problems(form, problems: dict[str, str]) -> None:
    """The service's messages next to the fields they are about (the rest above the form)."""
    for name, message in problems.items():
        field = form._fields.get(name)
        (field.errors if field is not None else form.form_errors).append(message)


# The community guidelines ----------------------------------------------------------------

@bp.get("/guidelines")
def guidelines():
    current = members.current_guidelines()
    return render_template("forum/guidelines.html", guidelines=current,
                           items=members.items(current) if current else [])


@bp.route("/forum/guidelines/edit", methods=["GET", "POST"])
@login_required
def edit_guidelines():
    _require_manager()
    current = members.current_guidelines()
    form = GuidelinesForm(data=None if request.method == "POST" else {
        "intro": current.intro if current else "",
        "items": [{"title": item.title, "text": item.text} for item in members.items(current)]})
    if form.validate_on_submit():
        try:
            version = managing.publish_guidelines(form.intro.data, form.entries(), current_user)
        except managing.Problems as error:
            db.session.rollback()
            _show_guideline_problems(form, error.problems)
        else:
            db.session.commit()
            flash(f"Version {version.id} of the guidelines is published. Everyone is asked to "
                  "accept it before their next message.", "success")
            return redirect(url_for("forum.guidelines"))
    if request.method == "GET":
        form.add_empty_rows()
    return render_template("forum/guidelines_edit.html", form=form, guidelines=current)


def _show_guideline_problems(form: GuidelinesForm, problems: dict[str, str]) -> None:
    for name, message in problems.items():
        row = name.removeprefix("items-")
        if row.isdigit() and int(row) < len(form.items):
            form.items[int(row)].form.title.errors.append(message)
        elif name == "intro":
            form.intro.errors.append(message)
        else:
            form.form_errors.append(message)


# Categories and their stewards ------------------------------------------------------------

def _category_input(form: CategoryForm) -> tuple:
    return (form.name.data, form.slug.data, form.description.data, form.position_number,
            form.members_only.data)


@bp.route("/forum/categories/manage", methods=["GET", "POST"])
@login_required
def manage_categories():
    _require_manager()
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            category = managing.create_category(*_category_input(form))
        except managing.Problems as error:
            _show_problems(form, error.problems)
        else:
            db.session.commit()
            flash(f"The category “{category.name}” is open at /forum/{category.slug}. Add its "
                  "stewards on its page.", "success")
            return redirect(url_for("forum.manage_categories"))
    return render_template("forum/manage_categories.html", categories=managing.categories(),
                           form=form)


def _managed_category(category_id: int) -> ForumCategory:
    """An admin-managed category (a private one belongs to its feature: 404)."""
    category = db.get_or_404(ForumCategory, category_id)
    if category.private:
        abort(404)
    return category


def _category_page(category: ForumCategory, form=None, steward_form=None):
    form = form or CategoryForm(data={
        "name": category.name, "slug": category.slug, "description": category.description,
        "position": str(category.position), "members_only": category.members_only})
    return render_template("forum/manage_category.html", category=category, form=form,
                           steward_form=steward_form or StewardForm(formdata=None))


@bp.route("/forum/categories/<int:category_id>/edit", methods=["GET", "POST"])
@login_required
def edit_category(category_id):
    _require_manager()
    category = _managed_category(category_id)
    if request.method == "GET":
        return _category_page(category)
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            managing.update_category(category, *_category_input(form))
        except managing.Problems as error:
            db.session.rollback()
            _show_problems(form, error.problems)
        else:
            db.session.commit()
            flash(f"Saved the category “{category.name}”.", "success")
            return redirect(url_for("forum.edit_category", category_id=category.id))
    return _category_page(category, form=form)


@bp.post("/forum/categories/<int:category_id>/stewards")
@login_required
def add_steward(category_id):
    _require_manager()
    category = _managed_category(category_id)
    form = StewardForm()
    if form.validate_on_submit():
        try:
            person = managing.add_steward(category, form.email.data)
        except managing.Problems as error:
            _show_problems(form, error.problems)
        else:
            db.session.commit()
            flash(f"{person.display_name} is now a steward of “{category.name}”.", "success")
            return redirect(url_for("forum.edit_category", category_id=category.id))
    return _category_page(category, steward_form=form)


@bp.post("/forum/categories/<int:category_id>/stewards/<int:user_id>/remove")
@login_required
def remove_steward(category_id, user_id):
    _require_manager()
    category = _managed_category(category_id)
    person = db.get_or_404(User, user_id)
    if ConfirmForm().validate_on_submit():
        if managing.remove_steward(category, person):
            db.session.commit()
            flash(f"{person.display_name} is no longer a steward of “{category.name}”.", "success")
        else:
            flash(f"{person.display_name} was not a steward of “{category.name}”.", "info")
    return redirect(url_for("forum.edit_category", category_id=category.id))
