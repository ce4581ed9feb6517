"""The table of notification kinds: each feature declares its kinds and the factory lists them."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from flask import current_app


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of notification.

    label is the checkbox on the settings page ("Email me when ..."), hint the line under it;
    template names mail/<template>.txt, or None for a kind that is only listed in the app;
    shown_to says who may choose it (editors only, say), None meaning everyone.
    """

    name: str
    label: str
    hint: str = ""
    email_by_default: bool = True
    template: str | None = None
    shown_to: Callable[[object], bool] | None = None

    @property
    def sends_mail(self) -> bool:
        return self.template is not None

    def offered_to(self, user) -> bool:
        """Whether the settings page offers this person the choice of mail for it."""
        return self.sends_mail and (self.shown_to is None or bool(self.shown_to(user)))


class UnknownKind(LookupError):
    """notify() was asked for a kind no feature declared (a typo, or a feature not listed)."""


class KindTable:
    """The kinds of one app, in the order the settings page lists them."""

    def __init__(self, kinds: Iterable[Kind] = ()) -> None:
        self._kinds: dict[str, Kind] = {}
        for kind in kinds:
            self.register(kind)

    def register(self, kind: Kind) -> Kind:
        if kind.name in self._kinds:
            raise ValueError(f"The notification kind {kind.name!r} is declared twice.")
        if len(kind.name) > 40:
            raise ValueError(f"Kind names are at most 40 characters: {kind.name!r}")
        self._kinds[kind.name] = kind
        return kind

    def __getitem__(self, name: str) -> Kind:
        try:
            return self._kinds[name]
        except KeyError:
            raise UnknownKind(f"No feature declares the notification kind {name!r}.") from None

    def get(self, name: str) -> Kind | None:
        return self._kinds.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._kinds

    def __iter__(self) -> Iterator[Kind]:
        return iter(self._kinds.values())

    def with_mail(self) -> list[Kind]:
        return [kind for kind in self if kind.sends_mail]

    def offered_to(self, user) -> list[Kind]:
        return [kind for kind in self if kind.offered_to(user)]


EXTENSION = "notification_kinds"


def kinds() -> KindTable:
    """The current app's table (notifications.routes.init_app fills it)."""
    return current_app.extensions[EXTENSION]
