"""Database models, one module per domain; app.models.register() imports them all."""


def register() -> None:
    """Import every model module so the metadata knows each table."""
    from app.models import accounts, mail  # noqa: F401
    from app.models import directory  # noqa: F401
    from app.geo import gazetteer, geocoder  # noqa: F401
    from app.models import editorial  # noqa: F401
    from app.models import forum  # noqa: F401
    from app.models import gatherings  # noqa: F401
    from app.models import kept  # noqa: F401
    from app.models import notifications  # noqa: F401
    from app.models import partnerships  # noqa: F401
    from app.models import alerts  # noqa: F401
