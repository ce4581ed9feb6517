"""Forms for writing proposals, deciding on them and commenting."""
from app.forms import Form
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    BooleanField, DateTimeLocalField, HiddenField, SelectMultipleField, StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.editorial.services import MAX_TAGS, SUMMARY_MAX_WORDS, tags_from_text


def _max_words(limit: int):
    def check(form, field):
        if len((field.data or "").split()) > limit:
            raise ValidationError(f"Write the summary in at most {limit} words "
                                  f"(it has {len(field.data.split())}).")
    return check


def _tag_list(form, field):
    names = tags_from_text(field.data)
    if len(names) > MAX_TAGS:
        raise ValidationError(f"Choose at most {MAX_TAGS} tags.")
    if any(len(name) > 30 for name in names):
        raise ValidationError("Keep each tag to at most 30 characters.")


class ProposalForm(Form):
    title = StringField("Title", validators=[
        InputRequired("Enter a title for your proposal."),
        Length(max=150, message="Keep the title to at most 150 characters."),
    ])
    summary = TextAreaField("Summary", validators=[_max_words(SUMMARY_MAX_WORDS)],
                            render_kw={"rows": 5, "data-word-limit": SUMMARY_MAX_WORDS})
    why_it_matters = TextAreaField("Why it matters to the network", validators=[
        Length(max=3000, message="Keep this to at most 3000 characters.")],
        render_kw={"rows": 4})
    tags = StringField("Tags", validators=[_tag_list])
    body = TextAreaField("The full post", validators=[
        Length(max=60000, message="Keep the post to at most 60,000 characters.")],
        render_kw={"rows": 18})
    excerpt = TextAreaField("Excerpt", validators=[
        Length(max=400, message="Keep the excerpt to at most 400 characters.")],
        render_kw={"rows": 3})
    cover = FileField("Cover image", validators=[
        FileAllowed(["jpg", "jpeg", "png", "webp"], "Choose a JPEG, PNG or WebP image.")])
    cover_alt = StringField("Cover image description (alt text)", validators=[
        Length(max=300, message="Keep the description to at most 300 characters.")])
    remove_cover = BooleanField("Remove the cover image")
    version = HiddenField()
    # Drawn once per new-proposal form; the proposal it makes keeps it, so a resent form finds it.
    form_token = HiddenField()

    def validate_cover_alt(self, field):
        if self.cover.data and not (field.data or "").strip():
            raise ValidationError("Describe the cover image for people who cannot see it.")

    def missing_for_submit(self, needs_body: bool) -> bool:
        """Field errors for what a submission needs; True when something was missing."""
        required = [
            (self.summary, "Write a short summary of your story."),
            (self.why_it_matters, "Say why this story matters to the network."),
            (self.tags, "Add at least one tag, like “youth” or “food”."),
        ]
        if needs_body:
            required.append((self.body, "Write the full post before sending it."))
        missing = False
        for field, message in required:
            if not (field.data or "").strip():
                field.errors = list(field.errors) + [message]
                missing = True
        return missing


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

