"""Writing traffic records after each state-changing request, and reading them for admins.

Only requests that change something (not GET, HEAD or OPTIONS) are written here: a page view
costs no extra query, and what Law 5651 cares about, content that people publish, always
arrives by POST. Page views are in nginx's access log for the same period.

The record is written on its own connection, after the page's own transaction: it never
changes what the page committed, and a failure is logged, never shown to the visitor.

Every record also goes to the log, as one line of the ``katilim.traffic`` logger (a JSON
object in production: address, method, path, status, user_id, recorded_at, and whether it
reached the database, ``stored``). Requests refused before their view (CSRF, rate limit, too
large) are recorded like any other, and so are those answered while the database is down: the
log line is then the record, with the account named by the signed session cookie.
"""

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from flask import Flask, current_app, g, request
from flask_login import current_user
from sqlalchemy import Select, insert, inspect, select

from katilim.core.dates import local_midnight
from katilim.core.models import utcnow
from katilim.core.outage import (
    database_unavailable,
    is_database_error,
    mark_database_unavailable,
    session_user_id,
)
from katilim.extensions import db
from katilim.logs import masked_path, request_id
from katilim.privacy.models import TrafficRecord

# Records are not debugging output: they are logged whatever KATILIM_LOG_LEVEL says.
log = logging.getLogger("katilim.traffic")

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PATH_MAX = 500
RECORDS_PER_PAGE = 50


def recorded_path() -> str:
    """The path without its query string, with secret parts masked.

    The query string is left out: on a POST it carries nothing the record needs, and it may
    carry secrets. Path parts named ``token`` (e.g. /auth/reset/<token>) are masked.
    """
    return masked_path()[:PATH_MAX]


def _signed_in_user_id() -> int | None:
    if database_unavailable():
        return session_user_id()
    known = _account_number_in_hand()
    if known is not None:
        return known
    try:
        return current_user.id if current_user.is_authenticated else None
    except Exception as error:  # e.g. the account was just deleted: the record stays without it
        if is_database_error(error):  # the database went away: the cookie still names it
            mark_database_unavailable()
            return session_user_id()
        return None


def _account_number_in_hand() -> int | None:
    """The signed-in account's number as the session holds it, without reading the account
    again: a page that committed has expired it, and its number is all the record needs.
    None when the account was not loaded or is no longer in the database's session (deleted
    by this request): the caller then asks as before."""
    # Asking is_authenticated would read the account (is_active is one of its columns); an
    # anonymous visitor is no mapped object, so the mapping alone tells.
    state = inspect(g.get("_login_user"), raiseerr=False)
    if state is None or not state.persistent or state.identity is None:
        return None
    return state.identity[0]


# Built once: the values are its parameters (building it per request cost more than sending it).
_INSERT_RECORD = insert(TrafficRecord)


def record_request(response):
    if request.method in READ_ONLY_METHODS or not current_app.config["TRAFFIC_RECORDS_ENABLED"]:
        return response
    values = {
        "created_at": utcnow(),
        "address": (request.remote_addr or "")[:45],
        "method": request.method[:10],
        "path": recorded_path(),
        "status_code": response.status_code,
        "user_id": _signed_in_user_id(),
    }
    stored = False
    if not database_unavailable():
        try:
            if db.engine.dialect.name == "sqlite" and db.session().in_transaction():
                # SQLite has one writer: a page that left its transaction open (teardown would
                # roll it back anyway) must not make the record wait for its lock.
                db.session.rollback()
            # One statement, committed by itself: no BEGIN and COMMIT around it (two round
            # trips to the database on every POST for nothing a lone INSERT needs).
            with db.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                    _INSERT_RECORD, values
                )
            stored = True
        except Exception:
            current_app.logger.exception("Could not write the traffic record of this request")
    _log_record(values, stored)
    return response


def _log_record(values: dict, stored: bool) -> None:
    # method, path and status are given here, so that the request's own (unmasked) path
    # is not added by katilim.logs.RequestContextFilter.
    log.info(
        "Traffic record: %s %s %s from %s",
        values["method"],
        values["path"],
        values["status_code"],
        values["address"],
        extra={
            "request_id": request_id(),
            "method": values["method"],
            "path": values["path"],
            "status": values["status_code"],
            "fields": {
                "address": values["address"],
                "user_id": values["user_id"],
                "recorded_at": values["created_at"].isoformat(timespec="milliseconds"),
                "stored": stored,
            },
        },
    )


def init_app(app: Flask) -> None:
    log.setLevel(logging.INFO)
    app.after_request(record_request)


# --- reading ------------------------------------------------------------------------------


@dataclass
class TrafficFilters:
    date_from: date | None = None
    date_to: date | None = None
    address: str = ""
    user_id: int | None = None

    def as_args(self) -> dict:
        values = {
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "address": self.address,
            "user_id": self.user_id or "",
        }
        return {k: v for k, v in values.items() if v}


def traffic_query(filters: TrafficFilters) -> Select:
    query = select(TrafficRecord)
    if filters.address:
        query = query.where(TrafficRecord.address == filters.address)
    if filters.user_id:
        query = query.where(TrafficRecord.user_id == filters.user_id)
    if filters.date_from:
        query = query.where(TrafficRecord.created_at >= local_midnight(filters.date_from))
    if filters.date_to:  # the whole of the last day
        query = query.where(
            TrafficRecord.created_at < local_midnight(filters.date_to + timedelta(days=1))
        )
    return query.order_by(TrafficRecord.created_at.desc(), TrafficRecord.id.desc())


def traffic_page(filters: TrafficFilters, page: int, per_page: int = RECORDS_PER_PAGE):
    return db.paginate(traffic_query(filters), page=page, per_page=per_page, error_out=False)
