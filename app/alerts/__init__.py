"""(being written)"""


def init_app(app) -> None:
    from app.alerts import routes  # noqa: F401
    from app.alerts.blueprint import bp
    app.register_blueprint(bp)
