"""Forms for leader profiles, photos, contact messages and applications."""
from urllib.parse import urlsplit

from app.forms import Form
from flask_wtf.file import FileField, FileRequired
from wtforms import (BooleanField, FloatField, HiddenField, RadioField, SelectChoice, SelectMultipleField,
                     StringField, TextAreaField, URLField)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.models.directory import Precision
from app.params import record_id


def web_address(form, field):
    """Only http(s) addresses with a host: no javascript:, data: or bare words."""
    for line in (field.data or "").splitlines():
        line = line.strip()
        if not line:
            continue
        parts = urlsplit(line)
        if parts.scheme not in ("http", "https") or not parts.netloc or " " in line:
            raise ValidationError("Enter web addresses that start with https:// or http://, "
                                  "like https://example.org.")


class CheckboxesField(SelectMultipleField):
    """Several ticks from a list; ids as integers the database can hold (coerce=record_id)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        pass  # an id removed meanwhile by an admin is simply ignored by the service


class ProfileForm(Form):
    display_name = StringField("Name", validators=[
        InputRequired("Enter your name as you would like people to see it."),
        Length(max=80, message="Enter a name of at most 80 characters.")])
    headline = StringField("Headline", validators=[
        Length(max=120, message="Enter a headline of at most 120 characters.")])
    bio = TextAreaField("About you", validators=[
        Length(max=10000, message="Shorten your bio to at most 10,000 characters.")])
    quote = TextAreaField("A short quote for the home page", validators=[
        Length(max=280, message="Shorten your quote to at most 280 characters.")])
    focus_areas = CheckboxesField("Focus areas", coerce=record_id, choices=[])
    free_tags = StringField("Other focus areas", validators=[
        Length(max=300, message="Enter at most 300 characters of other focus areas.")])
    languages = StringField("Languages you work in", validators=[
        Length(max=200, message="Enter at most 200 characters of languages.")])
    programs = CheckboxesField("Programs you have completed", coerce=record_id, choices=[])
    website = URLField("Website", validators=[
        Length(max=300, message="Enter a web address of at most 300 characters."), web_address])
    links = TextAreaField("Other links", validators=[
        Length(max=2000, message="Enter at most 2,000 characters of links."), web_address])
    works_online = BooleanField("I also work with people online")
    # The profile's version when the form was opened: a save from an older copy is refused.
    version = HiddenField()
    contact_enabled = BooleanField("Let signed-in visitors send me messages through the site")

    place = StringField("Where you are", validators=[
        Length(max=200, message="Enter a place of at most 200 characters.")],
        render_kw={"autocomplete": "off"})
    # Set by the editor's script: "place" or "pin", whichever the leader used last (see
    # location.choose_location); empty without JavaScript. Other values count as empty.
    location_from = HiddenField()
    place_choice = RadioField("Which place do you mean?", choices=[], validate_choice=False)
    pin_lat = FloatField("Latitude", validators=[Optional(), NumberRange(
        -90, 90, "Enter a latitude between -90 and 90.")], render_kw={"inputmode": "decimal"})
    pin_lng = FloatField("Longitude", validators=[Optional(), NumberRange(
        -180, 180, "Enter a longitude between -180 and 180.")], render_kw={"inputmode": "decimal"})
    precision = RadioField("What others see of your location", default=Precision.CITY.value, choices=[
        SelectChoice(Precision.CITY.value, "Only the area, about 10 km across (recommended)"),
        SelectChoice(Precision.EXACT.value, "The exact point"),
    ], validators=[InputRequired("Choose what others see of your location.")])

    def set_choices(self, focus_areas, programs) -> None:
        self.focus_areas.choices = [SelectChoice(area.id, area.name) for area in focus_areas]
        self.programs.choices = [SelectChoice(program.id, program.name) for program in programs]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if (self.pin_lat.data is None) != (self.pin_lng.data is None):
            missing = self.pin_lng if self.pin_lng.data is None else self.pin_lat
            if not missing.errors:
                missing.errors.append("Enter both latitude and longitude, or neither.")
            valid = False
        return valid


class PhotoForm(Form):
    photo = FileField("Photo", validators=[FileRequired("Choose a photo to upload.")],
                      render_kw={"accept": "image/jpeg,image/png,image/webp"})


class ContactForm(Form):
    message = TextAreaField("Your message", validators=[
        InputRequired("Write your message."),
        Length(min=10, max=3000, message="Write a message of 10 to 3,000 characters.")])


class ApplicationForm(Form):
    motivation = TextAreaField("Why would you like to be listed as a leader?", validators=[
        InputRequired("Tell us about the community work you do."),
        Length(min=20, max=3000, message="Write 20 to 3,000 characters about your work.")])


class NameForm(Form):
    name = StringField("Name", validators=[
        InputRequired("Enter a name."), Length(max=100, message="Enter at most 100 characters.")])
    description = TextAreaField("Description", validators=[
        Length(max=1000, message="Enter at most 1,000 characters.")])
