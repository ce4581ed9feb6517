"""Alerts: "tell me when a leader or a gathering appears near me".

services (saving a search, pausing, deleting, the schedule), cells (the grid cells an alert is
filed under: pure), matching (the queued arrivals against the alerts of their cells), telling
(what an alert shows of what it found: public cards only), sending (the mail at each person's
hour), schedule (periods in a person's zone: pure), notifications (kinds, one-click links),
routes (the pages, the feed), cli (`flask alerts send`), data, demo.
"""


def init_app(app) -> None:
    from app.alerts import routes  # noqa: F401
    from app.alerts.blueprint import bp
    app.register_blueprint(bp)
