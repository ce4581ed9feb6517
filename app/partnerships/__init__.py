"""Learning partnerships: two to seven people who learn together over months, with no owner: they
find each other (invitations, the request board), agree an opening (questions, an agreement),
keep a rhythm of private meetings with a rotating convener, and talk in a private thread."""


def init_app(app) -> None:
    """The partnerships' pages (every routes module adds to the one blueprint) and their cron."""
    from app.partnerships import admin_routes, forming_routes, opening_routes, routes  # noqa: F401
    from app.partnerships import profiles
    from app.partnerships.blueprint import bp
    from app.partnerships.cli import partnerships_cli
    app.register_blueprint(bp)
    app.cli.add_command(partnerships_cli)
    profiles.init_app(app)
