"""The partnerships' one blueprint: each routes module of the package adds its pages to it."""
from flask import Blueprint

bp = Blueprint("partnerships", __name__)
