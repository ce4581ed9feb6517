"""The opening's pages: the opening questions with every partner's answers and one's own form, the
agreement with its versions (each edit a new one, accepted again by everyone) and the rhythm.
For current partners only (404 for anyone else)."""
from __future__ import annotations

import difflib

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from app.extensions import db
from app.gatherings import times
from app.gatherings.forms import TIME_FORMAT
from app.params import whole_number
from app.partnerships import meetings, members, opening
from app.partnerships.blueprint import bp
from app.partnerships.forms import AcceptForm, AgreementForm, AnswersForm, RhythmForm, zone_choices
from app.partnerships.members import Refused
from app.partnerships.routes import viewable
from app.text.markdown import render_markdown


@bp.route("/partnerships/<int:partnership_id>/opening", methods=["GET", "POST"])
def answers(partnership_id):
    partnership = viewable(partnership_id)
    questions = opening.questions_of(partnership)
    answers_now = opening.answers_by_person(partnership)
    form = AnswersForm()
    if request.method == "GET" and not form.kept_text_shown:
        mine = answers_now.get(current_user.id, {})
        form = AnswersForm(formdata=None, answers=[mine[q.id].text if q.id in mine else "" for q in questions])
    while len(form.answers) < len(questions):
        form.answers.append_entry("")
    if request.method == "POST" and form.validate_on_submit():
        try:
            opening.save_answers(partnership, current_user, [entry.data or "" for entry in form.answers])
        except Refused as refused:
            db.session.rollback()
            form.form_errors.append(str(refused))
        else:
            state = partnership.state.value
            db.session.commit()
            flash("Your answers are saved: your partners can read them now."
                  + (" Everyone has done the opening: your partnership is active." if state == "active" else ""),
                  "success")
            return redirect(url_for(".show", partnership_id=partnership_id))
    entries = list(zip(questions, form.answers))
    return render_template("partnerships/opening.html", partnership=partnership, entries=entries, form=form,
                           partners=members.current_members(partnership), answers=answers_now,
                           progress=opening.progress(partnership)), 422 if form.form_errors else 200


@bp.route("/partnerships/<int:partnership_id>/agreement", methods=["GET", "POST"])
def agreement(partnership_id):
    partnership = viewable(partnership_id)
    current = opening.current_agreement(partnership)
    form = AgreementForm()
    conflict = False
    if request.method == "POST" and form.validate_on_submit():
        try:
            made = opening.edit_agreement(partnership, current_user, form.text.data or "",
                                          form.note.data or "", whole_number(form.base.data))
        except opening.Conflict as refused:
            db.session.rollback()
            form.form_errors.append(str(refused))
            conflict = True
            current = opening.current_agreement(partnership)
            form.base.data = str(partnership.agreement_version)
        except Refused as refused:
            db.session.rollback()
            form.form_errors.append(str(refused))
        else:
            number = made.number
            db.session.commit()
            flash(f"Version {number} of your agreement is saved and counts as accepted by you. Your "
                  "partners have been asked to read it and accept it again.", "success")
            return redirect(url_for(".agreement", partnership_id=partnership_id))
    elif request.method == "GET" and not form.kept_text_shown:
        form.text.data = current.text if current else ""
        form.base.data = str(partnership.agreement_version)
    all_versions = opening.versions(partnership)
    return render_template(
        "partnerships/agreement.html", partnership=partnership, current=current, form=form,
        conflict=conflict, accepted=opening.accepted_by(current), partners=members.current_members(partnership),
        versions=all_versions, changes=_changes(all_versions), accept_form=AcceptForm(formdata=None),
        rendered=Markup(render_markdown(current.text)) if current else ""), 422 if form.form_errors else 200


def _changes(versions) -> dict[int, Markup]:
    """{version number: what changed from the one before, line by line}: removed lines marked
    with a minus and struck through, added ones with a plus (more than colour alone)."""
    changes = {}
    for newer, older in zip(versions, versions[1:]):
        lines = []
        for line in difflib.ndiff(older.text.splitlines(), newer.text.splitlines()):
            mark, text = line[:1], line[2:]
            if mark == "-":
                lines.append(f'<del class="change change--removed"><span class="change__sign">−</span> {escape(text)}</del>')
            elif mark == "+":
                lines.append(f'<ins class="change change--added"><span class="change__sign">+</span> {escape(text)}</ins>')
            elif mark == " " and text.strip():
                lines.append(f'<span class="change change--same">{escape(text)}</span>')
        changes[newer.number] = Markup("\n".join(lines))
    return changes


@bp.post("/partnerships/<int:partnership_id>/agreement/accept")
def accept_agreement(partnership_id):
    partnership = viewable(partnership_id)
    form = AcceptForm()
    if form.validate_on_submit():
        try:
            opening.accept_agreement(partnership, current_user, whole_number(form.number.data))
        except Refused as refused:
            db.session.rollback()
            flash(str(refused), "error")
            return redirect(url_for(".agreement", partnership_id=partnership_id))
        state = partnership.state.value
        db.session.commit()
        flash("You accepted the agreement." + (" Everyone has done the opening: your partnership is active."
                                               if state == "active" else ""), "success")
    return redirect(url_for(".show", partnership_id=partnership_id))


@bp.route("/partnerships/<int:partnership_id>/rhythm", methods=["GET", "POST"])
def rhythm(partnership_id):
    partnership = viewable(partnership_id)
    form = RhythmForm()
    form.time_zone.choices = zone_choices(current_user.time_zone)
    if request.method == "POST" and form.validate_on_submit():
        try:
            meetings.set_rhythm(partnership, current_user, form.rhythm())
        except Refused as refused:
            db.session.rollback()
            form.form_errors.append(str(refused))
        else:
            db.session.commit()
            flash("Your rhythm is saved." + (" The next meeting is in your calendars: its page has the "
                                              "calendar file and the join link." if partnership.state.value == "active"
                                              else " The first meeting is arranged once the opening is done."),
                  "success")
            return redirect(url_for(".show", partnership_id=partnership_id))
    elif request.method == "GET" and not form.kept_text_shown:
        chosen = meetings.rhythm_of(partnership)
        if partnership.has_rhythm:  # from the coming meeting on (the first date may be past)
            upcoming = meetings.upcoming_meeting(partnership)
            chosen.first = (times.to_local(upcoming.starts_at, upcoming.time_zone).replace(tzinfo=None)
                            if upcoming else meetings.next_start(partnership) or chosen.first)
            form.frequency.data = chosen.frequency
            form.first.data = chosen.first
            form.duration.data = str(chosen.duration)
            form.language.data = chosen.language
            form.mode.data = chosen.mode
            form.meeting_url.data = chosen.meeting_url
            form.venue_name.data = chosen.venue_name
            form.address.data = chosen.address
        form.time_zone.data = chosen.time_zone or current_user.time_zone or ""
    return render_template("partnerships/rhythm.html", partnership=partnership, form=form,
                           time_format=TIME_FORMAT), 422 if form.form_errors else 200
