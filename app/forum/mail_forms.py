"""The forum's mail forms: a thread's "Email me when people reply" box, the forum settings."""
from functools import lru_cache
from zoneinfo import available_timezones

from wtforms import BooleanField, RadioField, SelectChoice, SelectField, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import Form
from app.params import record_id

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@lru_cache(maxsize=1)
def time_zones() -> list[str]:
    """The zones people live in ("Europe/Lisbon"), UTC first; not the system's own aliases."""
    return ["UTC", *sorted(name for name in available_timezones() if "/" in name
                           and not name.startswith(("Etc/", "SystemV/", "posix/", "right/")))]


class FollowForm(Form):
    """The thread's button sends following=1 or 0; a checkbox sends y or nothing."""

    following = BooleanField("Email me when people reply", false_values=("0", "false", ""))


class ForumSettingsForm(Form):
    """Named as ForumMember's columns, so the form is filled from the person's row."""

    follow_on_reply = BooleanField("Follow the threads I reply to", default=True)
    digest = RadioField("Digest", default="off", choices=[
        SelectChoice("off", "No digest"), SelectChoice("daily", "Every day"),
        SelectChoice("weekly", "Once a week")])
    digest_hour = SelectField("At", coerce=int, default=8,
                              choices=[SelectChoice(hour, f"{hour:02d}:00") for hour in range(24)])
    digest_weekday = SelectField("On (for the weekly digest)", coerce=int, default=0,
                                 choices=[SelectChoice(number, name)
                                          for number, name in enumerate(WEEKDAYS)])
    time_zone = SelectField("In the time zone", default="UTC")
    # Choices are the categories the person may read, set by the view; one removed meanwhile
    # is left out by the service rather than refused.
    categories = SelectMultipleField("Categories in my digest", coerce=record_id,
                                     validate_choice=False, option_widget=CheckboxInput(),
                                     widget=ListWidget(prefix_label=False))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone.choices = time_zones()
