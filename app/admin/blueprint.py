"""The admin blueprint: the people pages (routes.py) and the directory's (directory_routes.py) add to it."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
