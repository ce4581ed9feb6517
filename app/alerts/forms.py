"""The alerts' forms: saving a search as an alert, and when alert mail comes."""
from wtforms import HiddenField, RadioField, SelectChoice, SelectField

from app.alerts.schedule import WEEKDAYS
from app.forms import Form


class AlertForm(Form):
    """The search being saved, carried as it came from the search page (the service checks it)."""

    kind = HiddenField()
    near = HiddenField()
    lat = HiddenField()
    lng = HiddenField()
    radius = HiddenField()
    unit = HiddenField()
    keyword = HiddenField()
    focus_area = HiddenField()
    language = HiddenField()
    program = HiddenField()
    mode = HiddenField()
    online = HiddenField()

    def search_values(self) -> dict[str, str]:
        return {name: self[name].data or "" for name in
                ("kind", "near", "lat", "lng", "radius", "unit", "keyword", "focus_area", "language",
                 "program", "mode", "online")}


class ScheduleForm(Form):
    """Named as AlertSchedule's columns, so the form is filled from the person's row."""

    frequency = RadioField("How often", default="daily", choices=[
        SelectChoice("daily", "Every day"), SelectChoice("weekly", "Once a week")])
    hour = SelectField("At", coerce=int, default=8,
                       choices=[SelectChoice(hour, f"{hour:02d}:00") for hour in range(24)])
    weekday = SelectField("On (for a weekly email)", coerce=int, default=0,
                          choices=[SelectChoice(number, name) for number, name in enumerate(WEEKDAYS)])
