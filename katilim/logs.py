"""Logs: a request id on every request, and one JSON object per line in production.

In development Flask's readable log lines stay as they are. With ``LOG_FORMAT = "json"`` (the
default when ``KATILIM_ENV=production``) every record, the application's and the libraries',
goes to stderr as one JSON object: time, level, logger, message and, inside a request, the
request id, method, path and (once the response exists) status. gunicorn.conf.py uses the same
formatter for gunicorn's own and access logs, so a log collector reads one format.

The request id comes from the reverse proxy's ``X-Request-ID`` header when it sends a sensible
one (nginx: ``proxy_set_header X-Request-ID $request_id``), or is made here; it is sent back in
the response's ``X-Request-ID`` header, which gunicorn's access log records.
"""

import json
import logging
import re
import sys
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# gunicorn access log atoms (see gunicorn.conf.py) → JSON fields
_ACCESS_FIELDS = {
    "h": "remote_addr",
    "m": "method",
    "U": "path",
    "q": "query",
    "s": "status",
    "B": "bytes",
    "M": "duration_ms",
    "{x-request-id}o": "request_id",
    "a": "user_agent",
}


# Path variables that are secrets (the verification, reset, address-change and unsubscribe
# links): whoever reads a log or a traffic record must not be able to follow them.
SECRET_PATH_VARIABLES = ("token",)
TOKEN_MASK = "[token]"
# (pattern, replacement) per route with a secret, learnt from the URL map by
# learn_secret_paths(); used where only the raw path is known (gunicorn's access log).
_secret_paths: dict[str, tuple[re.Pattern[str], str]] = {}
_RULE_VARIABLE = re.compile(r"<(?:[^<>:]+:)?([^<>:]+)>")


def masked_path() -> str:
    """The current request's path, its secret parts masked (inside a request)."""
    path = request.path
    for name in SECRET_PATH_VARIABLES:
        value = (request.view_args or {}).get(name)
        if isinstance(value, str) and value:
            path = path.replace(value, TOKEN_MASK)
    return path


def learn_secret_paths(app: Flask) -> None:
    """Remember which routes carry a secret, for :func:`mask_secrets` (after the blueprints
    are registered)."""
    for rule in app.url_map.iter_rules():
        if not set(SECRET_PATH_VARIABLES) & set(rule.arguments):
            continue
        pattern, replacement, at = "", "", 0
        for match in _RULE_VARIABLE.finditer(rule.rule):
            pattern += re.escape(rule.rule[at : match.start()])
            replacement += rule.rule[at : match.start()].replace("\\", "\\\\")
            if match[1] in SECRET_PATH_VARIABLES:
                pattern += r"[^/?#\s]+"
                replacement += TOKEN_MASK
            else:
                group = f"v{len(replacement)}"
                pattern += rf"(?P<{group}>[^/?#\s]+)"
                replacement += rf"\g<{group}>"
            at = match.end()
        pattern += re.escape(rule.rule[at:])
        replacement += rule.rule[at:]
        _secret_paths[rule.rule] = (re.compile(pattern), replacement)


def mask_secrets(text: str) -> str:
    """A path or request line ("GET /auth/reset/… HTTP/1.1") with the secret parts of the
    routes learnt by :func:`learn_secret_paths` masked."""
    for pattern, replacement in _secret_paths.values():
        text = pattern.sub(replacement, text)
    return text


def mask_access_atoms(atoms: dict) -> dict:
    """gunicorn's access-log values with the path and request line masked
    (gunicorn.conf.py's logger class calls it for every request)."""
    for atom in ("U", "r"):
        value = atoms.get(atom)
        if isinstance(value, str):
            atoms[atom] = mask_secrets(value)
    return atoms


def is_request_id(value: str) -> bool:
    """Whether an incoming X-Request-ID is one to keep (short, plain characters)."""
    return bool(_REQUEST_ID.fullmatch(value))


def new_request_id(incoming: str = "") -> str:
    """The proxy's id when it is a sensible one, else a new one."""
    return incoming if is_request_id(incoming) else uuid.uuid4().hex


def request_id() -> str | None:
    """The current request's id (None outside a request)."""
    if not has_request_context():
        return None
    if "request_id" not in g:
        g.request_id = new_request_id(request.headers.get(REQUEST_ID_HEADER, ""))
    return g.request_id


class RequestContextFilter(logging.Filter):
    """Adds request_id, method, path and status to records made inside a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context() and not hasattr(record, "request_id"):
            record.request_id = request_id()
            record.method = request.method
            record.path = masked_path()
            record.status = g.get("response_status")
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record; fields that are unknown are left out."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.name == "gunicorn.access" and isinstance(record.args, Mapping):
            for atom, field in _ACCESS_FIELDS.items():
                value = record.args.get(atom)
                if value not in (None, "", "-"):
                    entry[field] = value
            entry["status"] = _int_or_none(entry.get("status"))
            entry["duration_ms"] = _int_or_none(entry.get("duration_ms"))
        for field in ("request_id", "method", "path", "status"):
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        # Fields of a structured record (extra={"fields": {...}}), e.g. a traffic record.
        for field, value in (getattr(record, "fields", None) or {}).items():
            entry.setdefault(field, value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(
            {key: value for key, value in entry.items() if value is not None},
            ensure_ascii=False,
            default=str,
        )


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (a test may have swapped it)."""

    def __init__(self):
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):  # StreamHandler.__init__ assigns it; the property wins
        pass


def init_app(app: Flask) -> None:
    @app.before_request
    def _assign_request_id() -> None:
        request_id()

    @app.after_request
    def _send_request_id(response: Response) -> Response:
        g.response_status = response.status_code
        response.headers.setdefault(REQUEST_ID_HEADER, request_id())
        return response

    log_format = app.config.get("LOG_FORMAT") or (
        "json" if app.config["ENV_NAME"] == "production" else "text"
    )
    if log_format == "json":
        _log_json_to_stderr(app)


def _log_json_to_stderr(app: Flask) -> None:
    """Send every logger's records to one JSON handler on the root logger (added once per
    process; under gunicorn, gunicorn.conf.py may already have put it there)."""
    from flask.logging import default_handler

    root = logging.getLogger()
    if not any(isinstance(handler.formatter, JsonFormatter) for handler in root.handlers):
        stderr = _StderrHandler()
        stderr.setFormatter(JsonFormatter())
        root.addHandler(stderr)
    for handler in root.handlers:
        if isinstance(handler.formatter, JsonFormatter) and not any(
            isinstance(existing, RequestContextFilter) for existing in handler.filters
        ):
            handler.addFilter(RequestContextFilter())
    # The application's records reach the root handler once, not also through Flask's own.
    app.logger.removeHandler(default_handler)
    app.logger.setLevel(app.config.get("LOG_LEVEL") or logging.INFO)
