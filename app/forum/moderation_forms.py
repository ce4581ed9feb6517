"""Forms for flagging, moderating, appealing, the guidelines and the forum's categories. The
rules behind them (which items exist, which addresses are free) are the services'; these forms
only check what a browser sends."""
from wtforms import (
    BooleanField, EmailField, FieldList, FormField, RadioField, StringField, TextAreaField,
)
from wtforms.validators import InputRequired, Length, ValidationError

from app.forms import Form
from app.forum import managing, moderation
from app.params import whole_number


def _strip(text):
    return text.strip() if isinstance(text, str) else text


def _whole_number(low: int, high: int, message: str):
    def check(form, field):
        if whole_number(field.data, low, high) is None:
            raise ValidationError(message)
    return check


def _note_field(label: str, limit: int = moderation.NOTE_MAX):
    return TextAreaField(label, filters=[_strip], validators=[
        Length(max=limit, message=f"Keep the note to {limit:,} characters.")])


class _ItemChoice(Form):
    """Choosing a guideline item: its choices are the items in force (set_items); a number that
    is not one of them is left for the service to explain."""

    item = RadioField("Which guideline does it break?", choices=[], validate_choice=False,
                      validators=[InputRequired("Choose the guideline item the message breaks.")])

    def set_items(self, items) -> None:
        self.item.choices = [(str(item.number), f"{item.number}. {item.title}") for item in items]

    @property
    def item_number(self) -> int | None:
        return whole_number(self.item.data)


class FlagForm(_ItemChoice):
    note = _note_field("Anything the stewards should know (optional)")


class RemoveForm(_ItemChoice):
    note = _note_field("A note for the log (optional)")


class NoteForm(Form):
    """Dismissing a flag, declining a held message, answering an appeal: a button and a note."""
    note = _note_field("Note")


class AppealForm(Form):
    appeal = TextAreaField("Why was the removal wrong?", filters=[_strip], validators=[
        InputRequired("Write why you think the removal was wrong."),
        Length(max=moderation.APPEAL_MAX,
               message=f"Keep your appeal to {moderation.APPEAL_MAX:,} characters.")])


class PauseForm(Form):
    days = StringField("For how many days?", default="7", filters=[_strip], validators=[
        _whole_number(moderation.PAUSE_DAYS_MIN, moderation.PAUSE_DAYS_MAX,
                      f"Enter a number of days from {moderation.PAUSE_DAYS_MIN} to "
                      f"{moderation.PAUSE_DAYS_MAX}.")],
        render_kw={"inputmode": "numeric", "size": 3})
    note = _note_field("Why (they read this)", moderation.PAUSE_NOTE_MAX)


# The guidelines ---------------------------------------------------------------------------

EMPTY_ROWS = 3


class GuidelineItemForm(Form):
    """One numbered item: a row of the guidelines form (no token of its own)."""

    class Meta:
        csrf = False

    title = StringField("Title", filters=[_strip], validators=[
        Length(max=managing.ITEM_TITLE_MAX,
               message=f"Keep the title to {managing.ITEM_TITLE_MAX} characters.")])
    text = TextAreaField("What it asks", filters=[_strip], validators=[
        Length(max=managing.ITEM_TEXT_MAX,
               message=f"Keep the text to {managing.ITEM_TEXT_MAX:,} characters.")],
        render_kw={"rows": 3})


class _Rows(FieldList):
    """A FieldList reading only ASCII row numbers: "items-²-title" names no row (wtforms' own
    int() of it would fail)."""

    def _extract_indices(self, prefix, formdata):
        offset = len(prefix) + 1
        for key in formdata:
            if key.startswith(prefix):
                number = whole_number(key[offset:].split(self._field_separator, 1)[0], low=0)
                if number is not None:
                    yield number


class GuidelinesForm(Form):
    intro = TextAreaField("Introduction", filters=[_strip], validators=[
        Length(max=managing.INTRO_MAX,
               message=f"Keep the introduction to {managing.INTRO_MAX:,} characters.")],
        render_kw={"rows": 4})
    # Room for every item and a few empty rows to add more.
    items = _Rows(FormField(GuidelineItemForm), min_entries=0,
                      max_entries=managing.ITEMS_MAX + EMPTY_ROWS)

    def add_empty_rows(self) -> None:
        for _ in range(min(EMPTY_ROWS, self.items.max_entries - len(self.items))):
            self.items.append_entry()

    def entries(self) -> list[dict]:
        return [{"title": row.form.title.data or "", "text": row.form.text.data or ""}
                for row in self.items]


# Categories and stewards ------------------------------------------------------------------

class CategoryForm(Form):
    name = StringField("Name", filters=[_strip], validators=[
        InputRequired("Enter the category's name."),
        Length(max=managing.NAME_MAX, message=f"Keep the name to {managing.NAME_MAX} characters.")])
    slug = StringField("Address", filters=[_strip], validators=[
        Length(max=managing.SLUG_MAX, message=f"Keep the address to {managing.SLUG_MAX} characters.")])
    description = TextAreaField("Description", filters=[_strip], validators=[
        Length(max=managing.DESCRIPTION_MAX,
               message=f"Keep the description to {managing.DESCRIPTION_MAX} characters.")])
    position = StringField("Position", default="0", filters=[_strip], validators=[
        _whole_number(0, managing.POSITION_MAX,
                      f"Enter a position from 0 to {managing.POSITION_MAX:,}: lower comes first.")],
        render_kw={"inputmode": "numeric", "size": 5})
    members_only = BooleanField("Only people who are logged in can read it")

    @property
    def position_number(self) -> int | None:
        return whole_number(self.position.data, low=0, high=managing.POSITION_MAX)


class StewardForm(Form):
    email = EmailField("Email address of the new steward", filters=[_strip], validators=[
        InputRequired("Enter the email address of the person's account."),
        Length(max=254, message="Enter an email address of at most 254 characters.")])
