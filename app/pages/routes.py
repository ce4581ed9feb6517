"""Home, about and the health check."""
from flask import Blueprint, jsonify, render_template

from app import health
from app.extensions import limiter

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():
    return render_template("pages/home.html")


@bp.get("/about")
def about():
    return render_template("pages/about.html")


@bp.get("/healthz")
@limiter.exempt
def healthz():
    healthy, report = health.check()
    return jsonify(report), 200 if healthy else 503
