"""What admins see of partnerships, for abuse reports only: that each exists, its state, its size
and when it started (never who is in it, nor anything said there); and the opening questions,
versioned (a new version is for the partnerships started from then on). Under /partnerships/admin:
the admin area's own blueprint (app/admin) holds only its two areas, each with its one rule;
these pages check theirs, can_list_partnerships, on every request."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from app import permissions
from app.database import writes_on_get
from app.extensions import db
from app.models.partnerships import Partnership
from app.params import page_number
from app.partnerships import opening
from app.partnerships.blueprint import bp
from app.partnerships.forms import QuestionsForm
from app.partnerships.members import Refused

PER_PAGE = 50
EMPTY_ROWS = 3


def _admins_only() -> None:
    if not permissions.can_list_partnerships(current_user):
        abort(403)


@bp.get("/partnerships/admin")
@login_required
def admin_list():
    _admins_only()
    listing = db.paginate(select(Partnership).order_by(Partnership.id.desc()), page=page_number(),
                          per_page=PER_PAGE, error_out=False)
    return render_template("partnerships/admin_list.html", listing=listing)


@bp.route("/partnerships/admin/questions", methods=["GET", "POST"])
@writes_on_get(when=lambda: True)  # the first visit may write version 1 of the questions
@login_required
def admin_questions():
    _admins_only()
    current = opening.current_questions()
    form = QuestionsForm()
    if request.method == "POST" and form.validate_on_submit():
        entries = list(zip([entry.data or "" for entry in form.questions],
                           [entry.data or "" for entry in form.hints] + [""] * len(form.questions)))
        try:
            made = opening.publish_questions(entries, current_user)
        except Refused as refused:
            db.session.rollback()
            form.form_errors.append(str(refused))
        else:
            number = made.number
            db.session.commit()
            flash(f"Version {number} of the opening questions is in force for the partnerships "
                  "started from now on.", "success")
            return redirect(url_for(".admin_questions"))
    elif request.method == "GET" and not form.kept_text_shown:
        form = QuestionsForm(formdata=None, questions=[q.text for q in current.questions] + [""] * EMPTY_ROWS,
                             hints=[q.hint for q in current.questions] + [""] * EMPTY_ROWS)
    while len(form.hints) < len(form.questions):
        form.hints.append_entry("")
    page = render_template("partnerships/admin_questions.html", form=form, current=current,
                           versions=opening.all_question_sets(), rows=list(zip(form.questions, form.hints)))
    db.session.commit()  # version 1, when this visit made it, stays
    return page, 422 if form.form_errors else 200
