"""(being written)"""
from app.partnerships.blueprint import bp  # noqa: F401
