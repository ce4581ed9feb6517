"""The host's form for a gathering, the cancel form and the RSVP buttons. The rules are the
service's (app.gatherings.services.check): the form carries what was typed, so a refusal comes
back with the service's messages and everything still typed."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from wtforms import (
    BooleanField, DateTimeLocalField, HiddenField, IntegerField, RadioField, SelectChoice,
    SelectField, SelectMultipleField, StringField, TextAreaField,
)
from flask_wtf.file import FileField
from wtforms.validators import Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.extensions import db
from app.forms import Form
from app.gatherings import services, times
from app.models.directory import FocusArea

MODES = [SelectChoice("online", "Online"), SelectChoice("in_person", "In person"),
         SelectChoice("both", "Both: in person, and online for those who cannot come")]
REPEATS = [SelectChoice("", "Does not repeat"), SelectChoice("weekly", "Every week"),
           SelectChoice("fortnightly", "Every two weeks"),
           SelectChoice("monthly", "Every month, on the same weekday (like the second Tuesday)")]
SCOPES = [SelectChoice("this", "This occurrence only"),
          SelectChoice("following", "This and the following occurrences")]
TIME_FORMAT = "%Y-%m-%dT%H:%M"


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LocalTimeField(DateTimeLocalField):
    """A wall-clock date and time; what cannot be read as one says how to write it."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError("Give the date and time like 2027-01-14 18:00.") from None


def _when(label: str) -> LocalTimeField:
    return LocalTimeField(label, format=[TIME_FORMAT, "%Y-%m-%dT%H:%M:%S"], validators=[Optional()])


class GatheringForm(Form):
    title = StringField("Title", validators=[Length(max=services.TITLE_MAX + 50)],
                        render_kw={"maxlength": services.TITLE_MAX})
    description = TextAreaField("Description", render_kw={"rows": 8, "maxlength": services.DESCRIPTION_MAX})
    mode = RadioField("Where it happens", choices=MODES, default="online", validate_choice=False)
    language = StringField("Language", default="English", render_kw={"maxlength": 40})
    focus_areas = MultiCheckboxField("Focus areas", choices=[], validate_choice=False)
    time_zone = SelectField("Time zone", choices=[], validate_choice=False,
                            render_kw={"data-propose-zone": ""})
    starts = _when("Starts")
    ends = _when("Ends")
    venue_name = StringField("Venue", render_kw={"maxlength": 120})
    address = StringField("Town or address", render_kw={"maxlength": 200, "autocomplete": "street-address"})
    meeting_url = StringField("Meeting link", render_kw={"maxlength": services.URL_MAX, "inputmode": "url",
                                                          "spellcheck": "false"})
    capacity = IntegerField("Capacity", validators=[Optional(), NumberRange(1, services.CAPACITY_MAX,
                            f"Capacity is a number from 1 to {services.CAPACITY_MAX:,}, or empty for no limit.")],
                            render_kw={"inputmode": "numeric", "min": 1})
    rsvp_deadline = _when("RSVP deadline")
    approval_required = BooleanField("I approve each person who asks to come")
    cohosts = StringField("Co-hosts", render_kw={"spellcheck": "false"})
    repeat = SelectField("Repeats", choices=REPEATS, default="", validate_choice=False)
    count = IntegerField("How many occurrences", default=services.DEFAULT_SERIES_COUNT,
                         validators=[Optional(), NumberRange(2, times.MAX_OCCURRENCES,
                                     f"A series has 2 to {times.MAX_OCCURRENCES} occurrences.")],
                         render_kw={"inputmode": "numeric", "min": 2, "max": times.MAX_OCCURRENCES})
    cover = FileField("Cover image")
    remove_cover = BooleanField("Remove the cover image")
    scope = RadioField("Change", choices=SCOPES, default="this", validate_choice=False)
    version = HiddenField()

    def load_choices(self, chosen_zone: str = "") -> None:
        self.focus_areas.choices = [SelectChoice(area.slug, area.name) for area in db.session.scalars(
            select(FocusArea).order_by(FocusArea.name))]
        zones = [SelectChoice("", "Choose a time zone")] + [
            SelectChoice(name, name.replace("_", " ")) for name in times.zone_names()]
        self.time_zone.choices = zones
        if chosen_zone and not self.time_zone.data:
            self.time_zone.data = chosen_zone

    def fill(self, details: services.Details) -> None:
        for name in ("title", "description", "mode", "language", "time_zone", "venue_name",
                     "address", "meeting_url", "capacity", "approval_required"):
            getattr(self, name).data = getattr(details, name)
        self.focus_areas.data = list(details.focus_areas)
        self.starts.data, self.ends.data = details.start, details.end
        self.rsvp_deadline.data = details.rsvp_deadline
        self.cohosts.data = ", ".join(slug for slug in details.cohosts if slug)

    def details(self) -> services.Details:
        return services.Details(
            title=self.title.data or "", description=self.description.data or "",
            mode=self.mode.data or "", language=self.language.data or "",
            focus_areas=[slug for slug in (self.focus_areas.data or []) if isinstance(slug, str)],
            time_zone=self.time_zone.data or "", start=_naive(self.starts.data),
            end=_naive(self.ends.data), venue_name=self.venue_name.data or "",
            address=self.address.data or "", meeting_url=self.meeting_url.data or "",
            capacity=self.capacity.data, rsvp_deadline=_naive(self.rsvp_deadline.data),
            approval_required=bool(self.approval_required.data),
            cohosts=[part.strip() for part in (self.cohosts.data or "").replace(";", ",").split(",")],
            frequency=self.repeat.data or "",
            count=self.count.data or services.DEFAULT_SERIES_COUNT)


def _naive(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=None, second=0, microsecond=0) if value else None


class CancelForm(Form):
    reason = TextAreaField("Why is it cancelled?", render_kw={"rows": 4, "maxlength": services.REASON_MAX})
    scope = RadioField("Cancel", choices=SCOPES, default="this", validate_choice=False)


class RsvpForm(Form):
    going = HiddenField()
    show_name = BooleanField("Show my name to the other people going", default=True)


class ConfirmForm(Form):
    """A button with nothing to type (publish, claim, delete a draft)."""

    scope = HiddenField(default="this")
