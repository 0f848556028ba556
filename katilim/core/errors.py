"""Domain errors raised by services, and the HTTP error pages that explain them.

An error page never fails: when rendering it meets a database failure it is rendered again
without the database (katilim/core/outage.py), and when even that fails a bare page in the
person's language is sent, never the web server's own "Internal Server Error".
"""

import json
import time

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from katilim.core.outage import (
    DATABASE_ERRORS,
    database_unavailable,
    is_connection_failure,
    is_database_error,
    mark_database_unavailable,
)
from katilim.extensions import db
from katilim.i18n import current_locale, direction_of


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
    503: (
        _l("Temporarily unavailable"),
        _l(
            "The site cannot reach its data just now. Please try again in a few minutes. "
            "If you were sending something, it may not have been saved."
        ),
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


def render_error(code: int, message=None) -> tuple[Response | str, int]:
    """The site's error page (JSON under /api/), whatever state the database is in."""
    if not database_unavailable():
        try:
            return _error_page(code, message)
        except Exception as error:
            if not is_database_error(error):
                current_app.logger.exception("The error page failed")
                return _bare_error_page(code, message)
            # The page needed the database for the signed-in person: render it without.
            _forget_the_database()
    try:
        return _error_page(code, message)
    except Exception:
        current_app.logger.exception("The error page failed without the database too")
        return _bare_error_page(code, message)


def _texts(code: int, message):
    title, default_text = ERROR_TEXTS.get(code, ERROR_TEXTS[500])
    # "is None", not "or": the truth of a lazy text would translate it here.
    return title, default_text if message is None else message


def _error_page(code: int, message):
    title, text = _texts(code, message)
    if _wants_json():
        return jsonify(error=str(title), message=str(text)), code
    return render_template("errors/error.html", code=code, title=title, text=text), code


def _bare_error_page(code: int, message):
    """The last resort: no template, no database; English if even translating fails."""
    title, text = _texts(code, message)
    try:
        title, text, lang = str(title), str(text), current_locale()
    except Exception:
        title, text, lang = "Error", "Please try again later.", "en"
    if _wants_json():
        body = json.dumps({"error": title, "message": text}, ensure_ascii=False)
        return Response(body, mimetype="application/json"), code
    page = (
        f'<!doctype html><html lang="{escape(lang)}" dir="{direction_of(lang)}">'
        f'<meta charset="utf-8"><title>{escape(title)}</title>'
        f"<h1>{escape(title)}</h1><p>{escape(text)}</p></html>"
    )
    return Response(page, mimetype="text/html"), code


def _forget_the_database() -> None:
    """End the failed transaction and go on without the database for the rest of the
    request."""
    try:
        db.session.rollback()
    except Exception:  # the connection is gone: nothing was committed, nothing to undo
        pass
    mark_database_unavailable()


def database_unavailable_page(error: BaseException | None = None) -> Response:
    """503 with Retry-After: the database could not be reached (or failed) for this request."""
    _forget_the_database()
    if error is not None and is_connection_failure(error):
        first_line = str(error).strip().splitlines()[0][:300] if str(error).strip() else ""
        # No path in the message: it may hold a token (the request id links the access line).
        current_app.logger.error(
            "The database is unavailable: %s: %s", type(error).__name__, first_line
        )
    elif error is not None:
        current_app.logger.error("Database error", exc_info=error)
    body, code = render_error(503)
    response = current_app.make_response((body, code))
    response.headers["Retry-After"] = str(current_app.config["DATABASE_RETRY_AFTER_SECONDS"])
    response.cache_control.no_store = True
    return response


def _retry_text():
    """How long the refused person waits: an hourly limit is not over in "a minute".
    Lazy, like every text given to render_error: translating may need the person's account
    (their language), which render_error reads only where a database failure is handled."""
    from katilim.extensions import limiter

    breached = limiter.current_limit
    if breached is None:
        return None
    minutes = max(1, round((breached.reset_at - time.time()) / 60))
    return _l(
        "You have tried this too often in a short time. Please try again in %(minutes)s min.",
        minutes=minutes,
    )


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400,
            _l(
                "Your form had expired or was sent from another page. Please reload the "
                "page and send it again; what you typed may need to be copied first."
            ),
        )

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        return render_error(error.status_code, error.message)

    for database_error in DATABASE_ERRORS:
        app.register_error_handler(database_error, database_unavailable_page)

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
        if is_database_error(error):  # e.g. raised from a database error by a library
            return database_unavailable_page(error)
        try:
            db.session.rollback()
        except Exception:
            mark_database_unavailable()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return render_error(500)
