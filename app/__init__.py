"""Leaders Network. The factory is in app/factory.py, so that importing app.geo, app.text or the
editorial workflow loads no Flask; `from app import create_app` still works (wsgi.py, tests)."""


def __getattr__(name: str):
    if name == "create_app":
        from app.factory import create_app
        return create_app
    raise AttributeError(f"module 'app' has no attribute {name!r}")
