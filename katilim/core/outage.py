"""When the database cannot be reached: recognising it, and answering without it.

A request that meets a database failure (the server down or restarting, connections refused
or cut, the pool exhausted, a statement cancelled) gets the 503 page with ``Retry-After``
(katilim/core/errors.py). That page, and any other error page rendered after it, must not
touch the database again: ``mark_database_unavailable`` makes the rest of the request treat
the visitor as signed out (no account is loaded; the header shows no account links), the
language comes from the session or the browser (katilim/i18n.py), and the traffic record
goes to the log only (katilim/privacy/traffic.py).
"""

from flask import Flask, current_app, g, has_request_context, request, session
from flask_login import current_user
from flask_login.config import COOKIE_NAME
from sqlalchemy import exc

# What "the database is unavailable" looks like through SQLAlchemy. OperationalError covers
# refused and cut connections, a server shutting down, statement timeouts and deadlocks;
# InterfaceError a connection that is already closed; TimeoutError an exhausted pool.
DATABASE_ERRORS = (
    exc.OperationalError,
    exc.InterfaceError,
    exc.TimeoutError,
    exc.DisconnectionError,
)


def is_database_error(error: BaseException | None) -> bool:
    """Whether ``error``, or an error it was raised from, is the database failing."""
    seen = 0
    while error is not None and seen < 10:  # a cause chain, never a cycle
        if isinstance(error, DATABASE_ERRORS):
            return True
        if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def is_connection_failure(error: BaseException) -> bool:
    """A failure to reach the server at all (no statement was run, or the connection was
    lost): one log line is enough; other database errors deserve their traceback."""
    return isinstance(error, exc.DBAPIError) and (
        error.statement is None or error.connection_invalidated
    )


def database_unavailable() -> bool:
    """Whether this request already met a database failure."""
    return has_request_context() and g.get("database_unavailable", False)


def mark_database_unavailable() -> None:
    """The rest of this request must not touch the database: no account is loaded (an
    account loaded before the failure was expired by the rollback and would reload itself)."""
    g.database_unavailable = True
    login_manager = getattr(current_app, "login_manager", None)
    if login_manager is not None:
        g._login_user = login_manager.anonymous_user()


# Set at sign-in by katilim/auth/sessions.py; Flask-Login's "_user_id" holds the session's
# token, not the account.
ACCOUNT_ID_KEY = "account_id"


def session_user_id() -> int | None:
    """The account named by the signed session cookie, read without the database."""
    value = session.get(ACCOUNT_ID_KEY) if has_request_context() else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def init_app(app: Flask) -> None:
    """Registered before the rate limiter (create_app), whose per-person keys read the
    signed-in account: a database that cannot answer is then met here, once, and answered
    with the 503 page. Inside the rate limiter the failure would be taken for its own
    storage failing (it would log that and count in memory for a while)."""

    @app.before_request
    def _load_the_account_first() -> None:
        if request.endpoint in (None, "static", "core.health") or request.path.startswith("/api/"):
            return  # unknown addresses, /health and the API never need the account
        remember = app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME)
        if "_user_id" in session or remember in request.cookies:
            current_user._get_current_object()  # loads it (flask-login keeps it for the request)

    @app.after_request
    def _retry_after_the_outage(response):
        # Runs after the rate limiter's hook (registered later), which would put the end of
        # the person's rate-limit window there: a 503's Retry-After is about the database.
        if response.status_code == 503 and database_unavailable():
            response.headers["Retry-After"] = str(app.config["DATABASE_RETRY_AFTER_SECONDS"])
        return response
