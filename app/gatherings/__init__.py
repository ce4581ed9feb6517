"""Gatherings: online and local meetings leaders host and members join, in everyone's own time
zone, with calendar files and the meeting link only for those who come."""


def init_app(app) -> None:
    """The gatherings' pages (every routes module adds to the one blueprint)."""
    from app.gatherings import calendar_routes, finding_routes, hosting_routes, routes  # noqa: F401
    from app.gatherings import display
    from app.gatherings.blueprint import bp
    app.register_blueprint(bp)
    display.init_app(app)
