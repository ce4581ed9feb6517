"""The partnerships' forms. The rules are the services' (board, forming, opening, meetings): a form
carries what was typed, so a refusal comes back with the service's message and the text kept."""
from __future__ import annotations

from wtforms import (
    BooleanField, FieldList, HiddenField, RadioField, SelectChoice, SelectField, StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from app.forms import Form
from app.gatherings import times
from app.gatherings.forms import LocalTimeField, MultiCheckboxField, TIME_FORMAT
from app.models.partnerships import RequestMode
from app.partnerships import board, forming, meetings, opening


def zone_choices(first: str | None = None) -> list[SelectChoice]:
    chosen = [SelectChoice("", "Choose a time zone")]
    if first and times.is_zone(first):
        chosen.append(SelectChoice(first, first.replace("_", " ")))
    return chosen + [SelectChoice(name, name.replace("_", " ")) for name in times.zone_names()]


class RequestForm(Form):
    about = TextAreaField("What you hope to learn", validators=[Length(max=board.ABOUT_MAX + 200)],
                          render_kw={"rows": 5, "maxlength": board.ABOUT_MAX})
    focus_areas = MultiCheckboxField("Focus areas", choices=[], validate_choice=False)
    languages = StringField("Languages you could meet in", validators=[Length(max=board.LANGUAGES_MAX + 50)],
                            render_kw={"maxlength": board.LANGUAGES_MAX})
    time_zone = SelectField("Your time zone", choices=[], validate_choice=False,
                            render_kw={"data-propose-zone": ""})
    mode = RadioField("How you would meet", default="online", validate_choice=False, choices=[
        SelectChoice(RequestMode.ONLINE.value, "Online"),
        SelectChoice(RequestMode.IN_PERSON.value, "In person"),
        SelectChoice(RequestMode.EITHER.value, "Either: online, or in person near me")])
    place_from = RadioField("Where", default="typed", validate_choice=False, choices=[
        SelectChoice("typed", "The town I type below"),
        SelectChoice("profile", "My leader profile's area")])
    place = StringField("Town or postal code", validators=[Length(max=board.PLACE_MAX + 50)],
                        render_kw={"maxlength": board.PLACE_MAX, "autocomplete": "address-level2"})

    def wanted(self) -> board.Wanted:
        return board.Wanted(about=self.about.data or "", focus_areas=list(self.focus_areas.data or []),
                            languages=self.languages.data or "", time_zone=self.time_zone.data or "",
                            mode=self.mode.data or "", place_from=self.place_from.data or "",
                            place=self.place.data or "")


class InviteForm(Form):
    into = RadioField("Into which partnership", default="new", validate_choice=False, choices=[])
    message = TextAreaField("A few words to them (optional)", validators=[Length(max=forming.MESSAGE_MAX + 100)],
                            render_kw={"rows": 4, "maxlength": forming.MESSAGE_MAX})


class AnswersForm(Form):
    answers = FieldList(TextAreaField(render_kw={"rows": 4, "maxlength": opening.ANSWER_MAX}), min_entries=0)


class AgreementForm(Form):
    text = TextAreaField("The agreement", render_kw={"rows": 14, "maxlength": opening.AGREEMENT_MAX})
    note = StringField("What you changed, in a few words", validators=[Length(max=opening.NOTE_MAX + 50)],
                       render_kw={"maxlength": opening.NOTE_MAX})
    base = HiddenField()


class AcceptForm(Form):
    number = HiddenField()


class RhythmForm(Form):
    frequency = RadioField("How often", default="fortnightly", validate_choice=False, choices=[
        SelectChoice("weekly", "Every week"), SelectChoice("fortnightly", "Every two weeks"),
        SelectChoice("monthly", "Every month, on the same weekday (like the second Tuesday)")])
    first = LocalTimeField("Your first meeting", format=[TIME_FORMAT, "%Y-%m-%dT%H:%M:%S"],
                           validators=[Optional()])
    time_zone = SelectField("Time zone of that time", choices=[], validate_choice=False,
                            render_kw={"data-propose-zone": ""})
    duration = SelectField("How long", default="60", validate_choice=False,
                           choices=[SelectChoice(str(minutes), f"{minutes} minutes") for minutes in meetings.DURATIONS])
    language = StringField("Language you meet in", default="English", render_kw={"maxlength": 40})
    mode = RadioField("Where you meet", default="online", validate_choice=False, choices=[
        SelectChoice("online", "Online"), SelectChoice("in_person", "In person"),
        SelectChoice("both", "Both: in person, and online for whoever cannot come")])
    meeting_url = StringField("Meeting link (for online)", render_kw={"maxlength": 500, "inputmode": "url"})
    venue_name = StringField("Venue (for in person)", render_kw={"maxlength": 120})
    address = StringField("Venue's town or address", render_kw={"maxlength": 200})

    def rhythm(self) -> meetings.Rhythm:
        duration = self.duration.data or ""
        return meetings.Rhythm(
            frequency=self.frequency.data or "", first=self.first.data, time_zone=self.time_zone.data or "",
            duration=int(duration) if duration.isdigit() and len(duration) < 5 else 0,
            language=self.language.data or "", mode=self.mode.data or "", meeting_url=self.meeting_url.data or "",
            venue_name=self.venue_name.data or "", address=self.address.data or "")


class CheckInForm(Form):
    met = RadioField("Did you meet?", validate_choice=False, choices=[
        SelectChoice("yes", "We met"), SelectChoice("no", "We didn't")])
    note = StringField("In one line", validators=[Length(max=meetings.CHECK_IN_MAX + 50)],
                       render_kw={"maxlength": meetings.CHECK_IN_MAX})


class ShowCountForm(Form):
    show_count = BooleanField("Show on my profile how many learning partnerships I am in "
                              "(never with whom)")


class QuestionsForm(Form):
    questions = FieldList(TextAreaField("Question", render_kw={"rows": 2, "maxlength": opening.QUESTION_MAX}),
                          min_entries=0)
    hints = FieldList(StringField("Hint", render_kw={"maxlength": opening.HINT_MAX}), min_entries=0)
