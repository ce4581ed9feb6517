"""Pages for writing proposals, reviewing them, and deciding on them."""
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from app.auth.forms import ConfirmForm
from app.editorial import covers, needs, services, steps
from app.editorial import queue as editor_queue
from app.editorial.forms import ActionForm, CommentForm, ProposalForm
from app.editorial.covers import CoverError
from app.editorial.needs import ProposalInput
from app.editorial.services import StaleProposal
from app.editorial.workflow import (
    ACTION_SPECS, STATUS_LABELS, Action, InputNeeded, Stage, State, TransitionError,
    allowed_actions, needs_time, next_step, note_required, sending_action,
)
from app.extensions import db
from app.models.base import utcnow
from app.models.editorial import Comment, Proposal
from app.params import page_number, whole_number
from app.permissions import (
    can_change_comment, can_comment, can_create_proposal, can_edit_proposal, can_view_proposal,
    is_editor,
)
from app.text.diff import diff_stats, side_by_side, unified
from app.text.markdown import render_markdown

bp = Blueprint("editorial", __name__)

STATUS_CLASSES = {
    State.DRAFT: "draft", State.SUBMITTED: "submitted", State.IN_REVIEW: "submitted",
    State.CHANGES_REQUESTED: "changes", State.APPROVED: "approved", State.SCHEDULED: "approved",
    State.PUBLISHED: "approved", State.REJECTED: "rejected", State.WITHDRAWN: "draft",
}
EVENT_LABELS = {"create": "Started", "copy_edit": "Copy edit by the editor",
                **{action.value: spec.timeline_label for action, spec in ACTION_SPECS.items()}}


@bp.app_template_filter("utc")
def format_utc(moment) -> str:
    return moment.strftime("%-d %b %Y, %H:%M UTC") if moment else ""


@bp.app_template_global()
def status_label(state) -> str:
    return STATUS_LABELS[State(state)]


@bp.app_template_global()
def status_class(state) -> str:
    return STATUS_CLASSES[State(state)]


@bp.app_template_global()
def event_label(action: str) -> str:
    return EVENT_LABELS.get(action, action.replace("_", " ").capitalize())


def nav_counts() -> dict:
    """The editor queue's count, for the navigation on every page an editor sees."""
    if not (current_user and current_user.is_authenticated and is_editor(current_user)):
        return {}
    return {"editor_queue_count": editor_queue.waiting_for_editors()}


def get_proposal(proposal_id: int) -> Proposal:
    proposal = db.get_or_404(Proposal, proposal_id)
    if not can_view_proposal(current_user, proposal):
        abort(404)  # someone else's draft does not exist as far as they know
    return proposal


def _input_from(form: ProposalForm) -> ProposalInput:
    return ProposalInput(
        title=form.title.data or "", summary=form.summary.data or "",
        why_it_matters=form.why_it_matters.data or "",
        tags=needs.tags_from_text(form.tags.data or ""), body=form.body.data or "",
        excerpt=form.excerpt.data or "", cover_alt=form.cover_alt.data or "",
    )


# Leaders: my proposals --------------------------------------------------------------------

@bp.get("/proposals")
@login_required
def index():
    if not can_create_proposal(current_user):
        return render_template("editorial/leaders_only.html"), 403
    proposals = db.session.scalars(
        select(Proposal).where(Proposal.author_id == current_user.id)
        .order_by(Proposal.saved_at.desc())).all()
    return render_template("editorial/index.html", proposals=proposals, next_step=next_step)


@bp.route("/proposals/new", methods=["GET", "POST"])
@login_required
def new():
    if not can_create_proposal(current_user):
        return render_template("editorial/leaders_only.html"), 403
    form = ProposalForm()
    if request.method == "GET":
        form.form_token.data = services.new_form_token()
        return render_template("editorial/new.html", form=form)
    token = services.usable_token(form.form_token.data)
    if (sent := services.proposal_from_form(current_user, token)) is not None:
        return _already_sent(sent, form)  # Back, then the same form sent again
    intent = request.form.get("intent", "save")
    if intent == "preview":
        return render_template("editorial/new.html", form=form, preview=_preview(form))
    # Every check runs, so one round lists everything that is missing.
    valid = form.validate_on_submit()
    missing = intent == "submit" and form.missing_for_submit(needs_body=False)
    if valid and not missing:
        data = _input_from(form)
        proposal = services.create_proposal(current_user, data, form_token=token)
        if proposal is None:
            if (sent := services.proposal_from_form(current_user, token)) is not None:
                return _already_sent(sent)  # sent twice at once: the other request made it
            proposal = services.create_proposal(current_user, data)  # token not this author's
        try:
            if intent == "submit":
                steps.take_action(proposal, Action.SUBMIT, current_user)
        except TransitionError as error:
            db.session.rollback()
            form.form_errors.append(error.message)
        else:
            db.session.commit()
            flash(ACTION_SPECS[Action.SUBMIT].done if intent == "submit" else
                  f"Draft saved at {format_utc(proposal.saved_at)}. Only you can see it.",
                  "success")
            return redirect(url_for(".show", proposal_id=proposal.id))
    return render_template("editorial/new.html", form=form)


def _already_sent(proposal: Proposal, form: ProposalForm | None = None):
    """The proposal an earlier sending of this form made; text changed since is not dropped."""
    db.session.rollback()
    if (form is not None and can_edit_proposal(current_user, proposal)
            and services.differs(proposal, _input_from(form))):
        form.version.data = proposal.version
        return render_proposal(proposal, form=form, notice=(
            "You had already sent this form, so no second proposal was made. The text below "
            "is what you sent just now and is not saved yet: save it to keep it."))
    flash("You had already sent this form, so no second proposal was made. This is the one "
          "it created.", "info")
    return redirect(url_for(".show", proposal_id=proposal.id))


def _preview(form: ProposalForm) -> dict:
    """What the proposal will look like, drawn by the site's own Markdown pipeline."""
    return {"title": (form.title.data or "").strip(), "summary": (form.summary.data or "").strip(),
            "why_it_matters": (form.why_it_matters.data or "").strip(),
            "tags": needs.tags_from_text(form.tags.data or ""),
            "body_html": Markup(render_markdown(form.body.data or "")),
            "summary_words": len((form.summary.data or "").split())}


@bp.post("/proposals/preview")
@login_required
def live_preview():
    """The post as the blog will draw it, for editorial.js to keep an open preview current."""
    if not (can_create_proposal(current_user) or is_editor(current_user)):
        abort(403)
    body = request.form.get("body", "")
    if len(body) > 60000:
        return jsonify(error="Keep the post to at most 60,000 characters."), 413
    return jsonify(body_html=render_markdown(body))


# One proposal -----------------------------------------------------------------------------

def _comparison(proposal: Proposal):
    revisions = proposal.revisions
    by_number = {r.number: r for r in revisions}
    old, new = services.default_comparison(revisions)
    asked_old = whole_number(request.args.get("from"))
    asked_new = whole_number(request.args.get("to"))
    if asked_old in by_number and asked_new in by_number:
        old, new = by_number[asked_old], by_number[asked_new]
    if old is None or new is None:
        return None
    old_text, new_text = services.revision_text(old), services.revision_text(new)
    added, removed = diff_stats(old_text, new_text)
    view = request.args.get("diff")
    return {"old": old, "new": new, "rows": side_by_side(old_text, new_text),
            "unified_rows": unified(old_text, new_text), "added": added, "removed": removed,
            # Left out, the screen's width chooses (side by side from 700 px up).
            "view": view if view in ("split", "unified") else None,
            "from": old.number, "to": new.number}


def _actions_for(proposal: Proposal) -> list[dict]:
    buttons = []
    for action in Action:
        if action is Action.PUBLISH_DUE:
            continue
        actor = services.actor_for(current_user, proposal, action)
        if action not in allowed_actions(proposal.state, actor, proposal.stage):
            continue
        if action in (Action.SUBMIT, Action.RESUBMIT):
            continue  # these are the edit form's second button
        spec = ACTION_SPECS[action]
        buttons.append({"action": action, "label": spec.button, "button": spec.button_only,
                        "danger": spec.destructive})
    return buttons


def _edit_form(proposal: Proposal) -> ProposalForm:
    form = ProposalForm(formdata=None, obj=proposal)
    if not form.kept_text_shown:  # kept text keeps its own tags and the version it was typed over
        form.tags.data = proposal.tag_text
        form.version.data = proposal.version
    return form


def _latest_note(proposal: Proposal):
    """The last event, if it is a decision with a note; a later step (resubmit, publish) ends it."""
    latest = proposal.events[-1] if proposal.events else None
    if latest is None or not latest.note or latest.action not in {a.value for a in Action}:
        return None
    return latest if ACTION_SPECS[Action(latest.action)].notes_author else None


def render_proposal(proposal: Proposal, *, form: ProposalForm | None = None, status: int = 200,
                    problem: str | None = None, preview: dict | None = None,
                    notice: str | None = None):
    editing = can_edit_proposal(current_user, proposal)
    if editing and form is None:
        form = _edit_form(proposal)
    as_author = proposal.author_id == current_user.id
    submit_action = sending_action(proposal.state) if as_author else None
    actions = _actions_for(proposal)
    # The author's own steps (withdraw) come after the edit form, not above it as a decision.
    own_actions = actions if as_author else []
    return render_template(
        "editorial/show.html", proposal=proposal, form=form if editing else None,
        as_author=as_author, submit_action=submit_action, submit_label=(
            ACTION_SPECS[submit_action].button if submit_action else None),
        actions=[] if as_author else actions, own_actions=own_actions, preview=preview,
        notice=notice,
        latest_note=_latest_note(proposal), next_step=next_step(proposal.state, proposal.stage),
        comparison=_comparison(proposal), comment_form=CommentForm(),
        button_form=ConfirmForm(), problem=problem, body_html=Markup(render_markdown(
            proposal.body)), render_markdown=lambda text: Markup(render_markdown(text)),
        Stage=Stage, State=State,
    ), status


@bp.get("/proposals/<int:proposal_id>")
@login_required
def show(proposal_id):
    return render_proposal(get_proposal(proposal_id))


@bp.post("/proposals/<int:proposal_id>/save")
@login_required
def save(proposal_id):
    proposal = get_proposal(proposal_id)
    form = ProposalForm()
    intent = request.form.get("intent", "save")
    as_author = proposal.author_id == current_user.id
    submitting = intent == "submit" and as_author
    needs_body = proposal.stage is Stage.POST or bool((form.body.data or "").strip())
    editable = can_edit_proposal(current_user, proposal)
    if intent == "preview" and editable:
        return render_proposal(proposal, form=form, preview=_preview(form))
    # Every check runs, so one round lists everything that is missing.
    valid = form.validate_on_submit()
    missing = submitting and form.missing_for_submit(needs_body)
    if not valid or missing:
        return render_proposal(proposal, form=form, status=200 if editable else 409)
    # In any other state the guard refuses with its own message (409).
    submit_action = sending_action(proposal.state) or Action.SUBMIT
    try:
        services.save_proposal(proposal, current_user, _input_from(form),
                               whole_number(form.version.data))
        if form.cover.data:
            covers.set_cover(proposal, form.cover.data, form.cover_alt.data or "")
        elif form.remove_cover.data:
            covers.remove_cover(proposal)
        if submitting:
            steps.take_action(proposal, submit_action, current_user)
        db.session.flush()
    except CoverError as error:
        db.session.rollback()
        form.cover.errors = list(form.cover.errors) + [str(error)]
        return render_proposal(db.session.get(Proposal, proposal_id), form=form)
    except (StaleProposal, StaleDataError):
        db.session.rollback()
        return _conflict_on_edit(proposal_id, form)
    except TransitionError as error:
        db.session.rollback()
        proposal = db.session.get(Proposal, proposal_id)
        return render_proposal(proposal, form=form if can_edit_proposal(
            current_user, proposal) else None, status=409, problem=error.message)
    db.session.commit()
    if submitting:
        flash(ACTION_SPECS[submit_action].done, "success")
    elif as_author:
        flash(f"Draft saved at {format_utc(proposal.saved_at)}.", "success")
    else:
        flash("Your copy edit was saved as a new revision.", "success")
    return redirect(url_for(".show", proposal_id=proposal.id))


def _conflict_on_edit(proposal_id: int, form: ProposalForm):
    proposal = db.session.get(Proposal, proposal_id)
    form.version.data = proposal.version
    message = ("Someone changed this proposal after you opened it, so your changes were not "
               "saved. Your text is still in the form below: check the page, then save again "
               "to keep your version.")
    return render_proposal(proposal, form=form if can_edit_proposal(current_user, proposal)
                           else None, status=409, problem=message)


# Decisions --------------------------------------------------------------------------------

def _parse_action(name: str) -> Action:
    try:
        return Action(name)
    except ValueError:
        abort(404)


def _action_form(action: Action) -> ActionForm:
    form = ActionForm()
    form.checklist.choices = [(item, item) for item in services.checklist_items()]
    note = ACTION_SPECS[action].note
    form.note.label.text = note.label if note else "Note (optional)"
    form.note_hint = note.hint if note else None
    return form


def render_action(proposal, action, form, *, status=200, problem=None, conflict=None):
    spec = ACTION_SPECS[action]
    return render_template(
        "editorial/action.html", proposal=proposal, action=action, form=form,
        label=spec.button, problem=problem, conflict=conflict,
        danger=spec.destructive, warning=spec.warning, needs_note=spec.note is not None,
        needs_time=needs_time(action), needs_checklist=spec.checklist,
        note_required=note_required(action),
    ), status


@bp.route("/proposals/<int:proposal_id>/actions/<name>", methods=["GET", "POST"])
@login_required
def act(proposal_id, name):
    proposal = get_proposal(proposal_id)
    action = _parse_action(name)
    form = _action_form(action)
    if request.method == "GET":
        form.version.data = proposal.version
        return render_action(proposal, action, form)
    if not form.validate_on_submit():
        return render_action(proposal, action, form)
    try:
        steps.take_action(proposal, action, current_user,
                          version=whole_number(form.version.data), note=form.note.data,
                          when=form.when.data, checklist=form.checklist.data or [])
        db.session.flush()
    except (StaleProposal, StaleDataError):
        db.session.rollback()
        proposal = db.session.get(Proposal, proposal_id)
        form.version.data = proposal.version
        latest = proposal.events[-1] if proposal.events else None
        return render_action(proposal, action, form, status=409, conflict=latest)
    except InputNeeded as error:  # allowed, but the form lacks its note, time or checklist
        db.session.rollback()
        field = getattr(form, error.field)
        field.errors = list(field.errors) + [error.message]
        return render_action(db.session.get(Proposal, proposal_id), action, form)
    except TransitionError as error:
        db.session.rollback()
        proposal = db.session.get(Proposal, proposal_id)
        form.version.data = proposal.version
        return render_action(proposal, action, form, status=409, problem=error.message)
    db.session.commit()
    flash(ACTION_SPECS[action].done, "success")
    return redirect(url_for(".show", proposal_id=proposal.id))


# Comments ---------------------------------------------------------------------------------

@bp.post("/proposals/<int:proposal_id>/comments")
@login_required
def comment(proposal_id):
    proposal = get_proposal(proposal_id)
    if not can_comment(current_user, proposal):
        abort(403)
    form = CommentForm()
    if not form.validate_on_submit():
        return render_proposal(proposal, status=200, problem=" ".join(form.text.errors))
    new_comment = services.add_comment(proposal, current_user, form.text.data)
    db.session.commit()
    flash("Your comment was added.", "success")
    return redirect(url_for(".show", proposal_id=proposal.id, _anchor=f"comment-{new_comment.id}"))


def _own_comment(comment_id: int) -> Comment:
    found = db.get_or_404(Comment, comment_id)
    if not can_view_proposal(current_user, found.proposal):
        abort(404)
    if not can_change_comment(current_user, found):
        abort(403, "Only the person who wrote a comment can change it, and not once it "
                   "is deleted.")
    return found


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit_comment(comment_id):
    found = _own_comment(comment_id)
    form = CommentForm(text=found.body)
    if form.validate_on_submit():
        services.edit_comment(found, form.text.data)
        db.session.commit()
        flash("Your comment was updated.", "success")
        return redirect(url_for(".show", proposal_id=found.proposal_id,
                                _anchor=f"comment-{found.id}"))
    return render_template("editorial/comment_edit.html", comment=found, form=form)


@bp.route("/comments/<int:comment_id>/delete", methods=["GET", "POST"])
@login_required
def delete_comment(comment_id):
    found = _own_comment(comment_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.delete_comment(found)
        db.session.commit()
        flash("Your comment was deleted.", "success")
        return redirect(url_for(".show", proposal_id=found.proposal_id))
    return render_template("editorial/comment_delete.html", comment=found, form=form,
                           body_html=Markup(render_markdown(found.body)))


# Editors ----------------------------------------------------------------------------------

@bp.get("/editor")
@login_required
def queue():
    if not is_editor(current_user):
        abort(403, "The editor queue is for editors. Leaders can follow their own proposals "
                   "under “Proposals”.")
    filters = {key: request.args.get(key, "").strip() for key in
               ("state", "tag", "assignee", "older_than")}
    page = db.paginate(editor_queue.queue_query(**filters, me=current_user), page=page_number(),
                       per_page=25, error_out=False)
    return render_template(
        "editorial/queue.html", page=page, filters=filters, counts=editor_queue.state_counts(),
        overdue=editor_queue.overdue_scheduled(), editors=editor_queue.queue_editors(),
        tags=editor_queue.used_tags(), ages=editor_queue.AGE_CHOICES, now=utcnow(), State=State,
        waiting_states=editor_queue.WAITING_STATES,
    )


def init_app(app) -> None:
    """The editor queue's count in the nav, and the default approval checklist."""
    app.context_processor(nav_counts)
    app.config.setdefault("EDITORIAL_CHECKLIST", list(services.DEFAULT_CHECKLIST))
