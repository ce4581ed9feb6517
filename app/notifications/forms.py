"""The notification settings form, one checkbox per kind the person is offered."""
from __future__ import annotations

from collections.abc import Iterable

from wtforms import BooleanField

from app.forms import Form
from app.notifications.kinds import Kind


class NotificationSettingsForm(Form):
    """Fields are added per kind by for_kinds(); the class itself has none."""

    @classmethod
    def for_kinds(cls, kinds: Iterable[Kind], **kwargs) -> NotificationSettingsForm:
        fields = {kind.name: BooleanField(kind.label, description=kind.hint) for kind in kinds}
        return type(cls.__name__, (cls,), fields)(**kwargs)

