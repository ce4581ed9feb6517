"""The site's own address: absolute links built from SITE_URL, and the hosts requests may name."""
import logging
import re
from urllib.parse import quote, urlsplit

from flask import Flask, abort, current_app, request, url_for

log = logging.getLogger(__name__)

# A host name, IPv4 or [IPv6] address with an optional port, as a Host header carries it.
_HOST = re.compile(r"(?P<name>[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?", re.IGNORECASE)
# Load balancers probe by address; the health check answers any host and builds no links.
ANY_HOST_ENDPOINTS = frozenset({"pages.healthz"})


def host_name(host: str) -> str:
    """'Leaders.example:8443' -> 'leaders.example', '[::1]:5000' -> '[::1]'; '' if not a host."""
    match = _HOST.fullmatch(host.strip())
    return match["name"].lower() if match else ""


def _adapter():
    site = urlsplit(current_app.config["SITE_URL"])
    return current_app.url_map.bind(site.netloc, script_name=site.path or "/", url_scheme=site.scheme)


def site_url(endpoint: str, **values) -> str:
    """A page's absolute address on SITE_URL: the same in a request, in mail and from cron.

    Built from the URL map rather than the request, so a forged Host header cannot reach it.
    """
    return _adapter().build(endpoint, values, force_external=True)


def site_path(endpoint: str, **values) -> str:
    """A page's address without scheme and host (an in-app link), in a request or from cron."""
    return _adapter().build(endpoint, values)


# A value no address holds: address_around() splits an address where it stands.
PLACEHOLDER = 987654321


def address_around(endpoint: str, **values) -> tuple[str, str]:
    """An in-request address (url_for) split around PLACEHOLDER, given as one of `values`:
    (before, after). A page that links to hundreds of rows (a thread's messages, a list's
    cards) builds each address by joining strings to these, not by url_for per row."""
    before, found, after = url_for(endpoint, **values).partition(str(PLACEHOLDER))
    if not found:
        raise ValueError(f"{endpoint}: no value was PLACEHOLDER")
    return before, after


def fill(around: tuple[str, str], value) -> str:
    """An address split by address_around (or site_address_around) with `value` in its place,
    quoted as a path part."""
    return f"{around[0]}{quote(str(value), safe='')}{around[1]}"


def site_address_around(endpoint: str, **values) -> tuple[str, str]:
    """address_around for a full address on SITE_URL (site_url): feeds and the API."""
    before, found, after = site_url(endpoint, **values).partition(str(PLACEHOLDER))
    if not found:
        raise ValueError(f"{endpoint}: no value was PLACEHOLDER")
    return before, after


def init_app(app: Flask) -> None:
    allowed = frozenset(app.config["ALLOWED_HOSTS"])
    message = f"This site answers at {app.config['SITE_URL']}."

    @app.before_request
    def refuse_other_hosts():
        # With PROXY_FIX, request.host is the proxy's X-Forwarded-Host, checked the same way.
        if host_name(request.host) in allowed or request.endpoint in ANY_HOST_ENDPOINTS:
            return None
        log.info("Refused a request for host %r (not in ALLOWED_HOSTS)", request.host)
        abort(400, message)

    app.jinja_env.globals["site_url"] = site_url
