"""Domain errors raised by services, and the HTTP error pages that explain them."""

import time

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from katilim.extensions import db


class DomainError(Exception):
    """A rule of the platform refused an action; the message is shown to the person."""

    status_code = 409

    def __init__(self, message: str | None = None):
        super().__init__(message)
        self.message = message


class PermissionDenied(DomainError):
    status_code = 403


class InvalidTransition(DomainError):
    """The proposal's status does not allow this step."""


ERROR_TEXTS = {
    400: (
        _l("Bad request"),
        _l("The request could not be understood. Please go back and try again."),
    ),
    403: (_l("Not allowed"), _l("You do not have permission to do this.")),
    404: (
        _l("Page not found"),
        _l("There is no page at this address. It may have been moved, or the link may be wrong."),
    ),
    405: (_l("Not allowed"), _l("This address does not accept this kind of request.")),
    409: (
        _l("This cannot be done now"),
        _l("The action conflicts with the current state of this item."),
    ),
    413: (_l("Too large"), _l("What you sent is too large.")),
    429: (
        _l("Too many requests"),
        _l("You have tried this too often in a short time. Please wait a minute and try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("An error happened on our side. It has been logged; please try again later."),
    ),
}


def error_headers(error: HTTPException) -> list[tuple[str, str]]:
    """The headers an HTTP error carries besides its body: ``Allow`` of a 405 (RFC 9110
    requires it), ``WWW-Authenticate``, ``Retry-After``. The error page is a new response,
    so they are copied onto it."""
    return [
        (name, value)
        for name, value in error.get_headers()
        if name.lower() not in ("content-type", "content-length")
    ]


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json" or request.path.startswith("/api/")


def render_error(code: int, message: str | None = None):
    title, default_text = ERROR_TEXTS.get(code, ERROR_TEXTS[500])
    text = message or default_text
    if _wants_json():
        return jsonify(error=str(title), message=str(text)), code
    return render_template("errors/error.html", code=code, title=title, text=text), code


def _retry_text() -> str | None:
    """How long the refused person waits: an hourly limit is not over in "a minute"."""
    from flask_babel import gettext as _

    from katilim.extensions import limiter

    breached = limiter.current_limit
    if breached is None:
        return None
    minutes = max(1, round((breached.reset_at - time.time()) / 60))
    return _(
        "You have tried this too often in a short time. Please try again in %(minutes)s min.",
        minutes=minutes,
    )


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        from flask_babel import gettext as _

        return render_error(
            400,
            _(
                "Your form had expired or was sent from another page. Please reload the "
                "page and send it again; what you typed may need to be copied first."
            ),
        )

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        return render_error(error.status_code, error.message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        if code == 429:
            body, status = render_error(429, _retry_text())
        else:
            body, status = render_error(code if code in ERROR_TEXTS else 400)
        return body, status, error_headers(error)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return render_error(500)
