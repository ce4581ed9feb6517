"""Home, about, the sitemap and the health check."""
from flask import Blueprint, Response, abort, jsonify, render_template

from app import features, health, sitemap
from app.extensions import limiter
from app.urls import site_url

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


@bp.get("/sitemap.xml")
def sitemap_xml():
    """Every address anyone may see: one file for a small site, else an index of parts."""
    parts = features.sitemap_parts()
    read = sitemap.one_file(parts)
    if read is not None:
        return _xml("pages/sitemap.xml", urls=[entry for part in read for entry in part.entries()])
    return _xml("pages/sitemap_index.xml",
                parts=[site_url("pages.sitemap_part", name=part.name) for part in parts])


@bp.get("/sitemap/<name>.xml")
def sitemap_part(name):
    part = next((part for part in features.sitemap_parts() if part.name == name), None)
    if part is None:
        abort(404)
    return _xml("pages/sitemap.xml", urls=part.entries())


def _xml(template: str, **context) -> Response:
    return Response(render_template(template, **context), mimetype="application/xml")
