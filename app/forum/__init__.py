"""The forum: categories with stewards, threads whose replies answer a specific message,
follows by email, digests, search, and the community guidelines with their moderation."""
from flask import Flask


def init_app(app: Flask) -> None:
    """The forum's pages (every routes module adds to the one blueprint)."""
    from app.forum import mail_routes, manage_routes, moderation_routes, routes, search_routes  # noqa: F401
    from app.forum.blueprint import bp
    app.register_blueprint(bp)
