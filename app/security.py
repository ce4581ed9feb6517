"""Security headers on every response, and redirects that stay on this site."""
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request, session
from flask_login import current_user


def is_safe_next(target: str | None) -> bool:
    """Only a path on this site: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target:
        return False
    target = target.strip()
    if target.startswith(("//", "\\")) or "\\" in target or any(ord(c) < 32 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/")


def content_security_policy(config) -> str:
    directives = {
        "default-src": ["'self'"],
        "script-src": config["CSP_SCRIPT_SRC"],
        "style-src": config["CSP_STYLE_SRC"],
        "img-src": config["CSP_IMG_SRC"],
        "connect-src": config["CSP_CONNECT_SRC"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def init_app(app: Flask) -> None:
    csp = content_security_policy(app.config)
    production = app.config["ENV"] == "production"

    @app.after_request
    def set_security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", csp)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
        if production:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint and not request.endpoint.endswith("static"):
            # Pages can carry personal data; keep them out of shared caches.
            headers.setdefault("Cache-Control", "no-store" if _personal() else "no-cache")
        return response


def _personal() -> bool:
    """Whether the response may be someone's own page. Judged from the session and the
    remember-me cookie, not by loading the user: this runs on error pages too, and when the
    database is down, loading the user would fail again."""
    if "_login_user" in g:
        # is_anonymous, not is_authenticated: the latter reads the account's `active`, which
        # after a commit would load the row again in a transaction of its own (on SQLite a
        # POST's takes the write lock) just to set a header.
        return not current_user.is_anonymous
    remember = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    return "_user_id" in session or remember in request.cookies
