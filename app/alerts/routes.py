"""(being written)"""
from app.alerts.blueprint import bp  # noqa: F401
