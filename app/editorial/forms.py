"""Forms for writing proposals, deciding on them and commenting."""
from app.forms import Form
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    BooleanField, DateTimeLocalField, HiddenField, SelectMultipleField, StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.editorial import needs
from app.editorial.needs import MAX_CHARS, SUMMARY_MAX_WORDS


def _max_words(limit: int):
    def check(form, field):
        if len((field.data or "").split()) > limit:
            raise ValidationError(f"Write the summary in at most {limit} words "
                                  f"(it has {len(field.data.split())}).")
    return check


def _tag_list(form, field):
    problem = needs.tag_problem(needs.tags_from_text(field.data))
    if problem:
        raise ValidationError(problem)


def _at_most(name: str, what: str):
    limit = MAX_CHARS[name]
    return Length(max=limit, message=f"Keep {what} to at most {limit:,} characters.")


class ProposalForm(Form):
    title = StringField("Title", validators=[
        InputRequired("Enter a title for your proposal."),
        _at_most("title", "the title"),
    ])
    summary = TextAreaField("Summary", validators=[_max_words(SUMMARY_MAX_WORDS)],
                            render_kw={"rows": 5, "data-word-limit": SUMMARY_MAX_WORDS})
    why_it_matters = TextAreaField("Why it matters to the network", validators=[
        _at_most("why_it_matters", "this")],
        render_kw={"rows": 4})
    tags = StringField("Tags", validators=[_tag_list])
    body = TextAreaField("The full post", validators=[
        _at_most("body", "the post")],
        render_kw={"rows": 18})
    excerpt = TextAreaField("Excerpt", validators=[
        _at_most("excerpt", "the excerpt")],
        render_kw={"rows": 3})
    cover = FileField("Cover image", validators=[
        FileAllowed(["jpg", "jpeg", "png", "webp"], "Choose a JPEG, PNG or WebP image.")])
    cover_alt = StringField("Cover image description (alt text)", validators=[
        _at_most("cover_alt", "the description")])
    remove_cover = BooleanField("Remove the cover image")
    version = HiddenField()
    # Drawn once per new-proposal form; the proposal it makes keeps it, so a resent form finds it.
    form_token = HiddenField()

    def validate_cover_alt(self, field):
        if self.cover.data and not (field.data or "").strip():
            raise ValidationError(needs.NEEDS["cover_alt"].ask)

    def missing_for_submit(self, needs_body: bool) -> bool:
        """Field errors for what a submission needs (needs.missing says what); True when
        something was missing. The title has its own InputRequired, and a cover's alt text
        validate_cover_alt."""
        data = needs.ProposalInput(
            title=self.title.data or "", summary=self.summary.data or "",
            why_it_matters=self.why_it_matters.data or "",
            tags=needs.tags_from_text(self.tags.data or ""), body=self.body.data or "")
        lacking = [need for need in needs.missing(data, needs_body=needs_body, has_cover=False)
                   if need.field != "title"]
        for need in lacking:
            field = self[need.field]
            field.errors = list(field.errors) + [need.ask]
        return bool(lacking)


class ActionForm(Form):
    """A decision: its note or reason, its time, the approval checklist, the version seen."""

    note = TextAreaField("Note", validators=[
        Length(max=5000, message="Keep the note to at most 5000 characters.")],
        render_kw={"rows": 5})
    when = DateTimeLocalField("Publish at (UTC)", format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
                              validators=[Optional()])
    checklist = SelectMultipleField("Checklist", choices=[], option_widget=CheckboxInput(),
                                    widget=ListWidget(prefix_label=False), validate_choice=False)
    version = HiddenField()


class CommentForm(Form):
    # Not "body": its id must not clash with the proposal's body field on the same page.
    text = TextAreaField("Comment", validators=[
        InputRequired("Write your comment."),
        Length(max=5000, message="Keep the comment to at most 5000 characters."),
    ], render_kw={"rows": 4})

