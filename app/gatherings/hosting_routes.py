"""(being written)"""
from app.gatherings.blueprint import bp  # noqa: F401
