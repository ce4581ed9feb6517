"""(being written)"""


def init_app(app) -> None:
    from app.partnerships import routes  # noqa: F401
    from app.partnerships.blueprint import bp
    app.register_blueprint(bp)
