"""Links: safe redirect targets, and every absolute link the site gives out.

An absolute link (in an e-mail, the CSV export, the API, a printed letter) is always built from
the configured public address (SITE_URL, or the council's own address from its data file), never from the request: the Host header is whatever
the client sent, and a password-reset link pointing at it would hand the token to a stranger.
"""

from urllib.parse import quote, urlsplit

from flask import current_app, has_request_context, request
from werkzeug.routing import MapAdapter

from katilim.core.tenancy import council_address


def safe_next(target: str | None, default: str = "/") -> str:
    """Return ``target`` if it is a path on this site, else ``default`` (no open redirects)."""
    if not target or "\\" in target or any(ord(c) < 32 for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def site_url() -> str:
    """The public address of the site, without a trailing slash (e.g. https://katilim.example.org).

    The one place it is read: the address of the council this request or command is for when
    its data gives one (one installation serving several councils), else SITE_URL.
    """
    return (council_address() or current_app.config["SITE_URL"]).rstrip("/")


def _adapter(base: str) -> MapAdapter:
    adapters = current_app.extensions.setdefault("katilim_site_adapters", {})
    adapter = adapters.get(base)
    if adapter is None:
        parts = urlsplit(base)
        adapter = current_app.url_map.bind(
            parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
        )
        adapters[base] = adapter
    return adapter


def absolute_url(endpoint: str, **values) -> str:
    """The full link to ``endpoint`` on the public site, inside a request or outside one.

    Like ``url_for`` (``_anchor`` included), but scheme, host and path prefix always come from
    SITE_URL. Called per row, it is cheap; for many rows build one prefix and append to it.
    """
    anchor = values.pop("_anchor", None)
    if endpoint.startswith(".") and has_request_context() and request.blueprint:
        endpoint = request.blueprint + endpoint
    current_app.inject_url_defaults(endpoint, values)
    url = _adapter(site_url()).build(endpoint, values, force_external=True)
    if anchor is not None:
        url += "#" + quote(anchor, safe="%!#$&'()*+,/:;=?@")
    return url


def check_site_url(value: str | None, *, production: bool) -> str:
    """The SITE_URL setting, checked; raises RuntimeError saying what to set."""
    example = "KATILIM_SITE_URL=https://katilim.example.org"
    if not value:
        if production:
            raise RuntimeError(
                "KATILIM_SITE_URL must be set in production to the site's public address, "
                f"e.g. {example}: every link in e-mails, exports and the API is built from it."
            )
        return "http://127.0.0.1:5000"  # scripts/run serves here
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RuntimeError(
            f"KATILIM_SITE_URL must be a full address, e.g. {example} (got {value!r})."
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise RuntimeError(
            f"KATILIM_SITE_URL must be the site's address alone, without a query, fragment or "
            f"password, e.g. {example} (got {value!r})."
        )
    if production and parts.scheme != "https":
        raise RuntimeError(
            f"KATILIM_SITE_URL must start with https:// in production, e.g. {example} "
            f"(got {value!r}): links in e-mails carry sign-in tokens."
        )
    return value.rstrip("/")
