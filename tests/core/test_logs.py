"""Logs: request ids, and one JSON object per line in production (katilim/logs.py)."""

import json
import logging
import sys

import pytest
from flask import Flask

from katilim import logs
from katilim.logs import JsonFormatter, RequestContextFilter


def _record(name="katilim", msg="Hello %s", args=("Kocaeli",), **extra) -> logging.LogRecord:
    record = logging.LogRecord(name, logging.WARNING, __file__, 1, msg, args, None)
    record.__dict__.update(extra)
    return record


def test_json_line_has_time_level_logger_and_message():
    line = json.loads(JsonFormatter().format(_record()))
    assert line["level"] == "WARNING"
    assert line["logger"] == "katilim"
    assert line["message"] == "Hello Kocaeli"
    assert line["time"].endswith("+00:00")
    assert "request_id" not in line  # unknown fields are left out


def test_json_line_keeps_turkish_text_and_the_exception():
    try:
        raise ValueError("şık değil")
    except ValueError:
        record = _record(msg="İzmit", args=())
        record.exc_info = sys.exc_info()
    text = JsonFormatter().format(record)
    assert "İzmit" in text  # readable, not \u escapes
    assert "ValueError: şık değil" in json.loads(text)["exception"]


def test_gunicorn_access_line_becomes_fields():
    atoms = {
        "h": "203.0.113.7",
        "m": "GET",
        "U": "/proposals",
        "q": "",
        "s": "200",
        "B": 2210,
        "M": 12,
        "{x-request-id}o": "abc123",
        "a": "curl/8",
    }
    record = logging.LogRecord(
        "gunicorn.access", logging.INFO, __file__, 1, "%(m)s %(U)s %(s)s", (atoms,), None
    )
    line = json.loads(JsonFormatter().format(record))
    assert line == {
        "time": line["time"],
        "level": "INFO",
        "logger": "gunicorn.access",
        "message": "GET /proposals 200",
        "remote_addr": "203.0.113.7",
        "method": "GET",
        "path": "/proposals",
        "status": 200,
        "bytes": 2210,
        "duration_ms": 12,
        "request_id": "abc123",
        "user_agent": "curl/8",
    }


def test_records_made_in_a_request_carry_its_id_method_path_and_status(app):
    record = _record()
    with app.test_request_context("/proposals?page=2", method="POST"):
        from flask import g

        g.response_status = 201
        RequestContextFilter().filter(record)
        expected_id = logs.request_id()
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == expected_id
    assert len(expected_id) == 32
    assert (line["method"], line["path"], line["status"]) == ("POST", "/proposals", 201)


def test_records_outside_a_request_are_left_alone():
    record = _record()
    assert RequestContextFilter().filter(record)
    assert not hasattr(record, "request_id")


def test_the_proxys_request_id_is_kept_and_sent_back(client):
    response = client.get("/health", headers={"X-Request-ID": "nginx-4f2a9c"})
    assert response.headers["X-Request-ID"] == "nginx-4f2a9c"


@pytest.mark.parametrize("incoming", [None, "", "has spaces", "x" * 200, "<script>"])
def test_a_missing_or_odd_request_id_is_replaced(client, incoming):
    headers = {"X-Request-ID": incoming} if incoming is not None else {}
    response = client.get("/health", headers=headers)
    assert response.headers["X-Request-ID"] != incoming
    assert len(response.headers["X-Request-ID"]) == 32


@pytest.fixture
def restore_logging():
    """Put the root and application loggers back as they were."""
    root, katilim = logging.getLogger(), logging.getLogger("katilim")
    saved = (list(root.handlers), list(katilim.handlers), katilim.level)
    yield
    root.handlers[:] = saved[0]
    katilim.handlers[:] = saved[1]
    katilim.setLevel(saved[2])


def _json_handlers() -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers if isinstance(h.formatter, JsonFormatter)]


def test_production_logs_json_to_stderr_once(restore_logging, capsys):
    for handler in _json_handlers():
        logging.getLogger().removeHandler(handler)
    for _ in range(2):  # a second app in the same process adds no second handler
        app = Flask("katilim")
        app.config.update(ENV_NAME="production", LOG_FORMAT=None, LOG_LEVEL="INFO")
        logs.init_app(app)
    assert len(_json_handlers()) == 1

    @app.route("/where")
    def where():
        app.logger.info("Routing %s", "otobüs")
        return "ok"

    app.test_client().get("/where", headers={"X-Request-ID": "r-1"})
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [
        (line["logger"], line["message"], line["request_id"], line["path"]) for line in lines
    ] == [("katilim", "Routing otobüs", "r-1", "/where")]


def test_development_keeps_flasks_readable_logs(restore_logging):
    before = len(_json_handlers())
    app = Flask("katilim_dev")
    app.config.update(ENV_NAME="development", LOG_FORMAT=None)
    logs.init_app(app)
    assert len(_json_handlers()) == before


def test_a_records_path_hides_the_token_of_a_reset_link(app):
    with app.test_request_context("/auth/reset/SECRET.abc-123", method="POST"):
        record = logging.LogRecord("katilim", logging.WARNING, __file__, 1, "x", None, None)
        RequestContextFilter().filter(record)
    assert record.path == "/auth/reset/[token]"


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("GET /auth/reset/SECRET.abc-123 HTTP/1.1", "GET /auth/reset/[token] HTTP/1.1"),
        ("/auth/verify/SECRET", "/auth/verify/[token]"),
        (
            "POST /me/email-address/confirm/SECRET HTTP/1.1",
            "POST /me/email-address/confirm/[token] HTTP/1.1",
        ),
        ("/unsubscribe/SECRET?x=1", "/unsubscribe/[token]?x=1"),
        ("/proposals/12", "/proposals/12"),
        ("/auth/reset", "/auth/reset"),
    ],
)
def test_paths_and_request_lines_hide_every_route_token(app, raw, masked):
    # create_app learnt the routes with a token from the URL map.
    assert logs.mask_secrets(raw) == masked


def test_gunicorns_access_log_hides_tokens():
    import runpy
    from pathlib import Path
    from unittest import mock

    config = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))
    logger_class = config["logger_class"]
    plain = {"U": "/auth/reset/SECRET", "r": "GET /auth/reset/SECRET HTTP/1.1", "s": "200"}
    with mock.patch("gunicorn.glogging.Logger.atoms", return_value=dict(plain)):
        atoms = logger_class.atoms(mock.Mock(spec=logger_class), None, None, {}, None)
    assert atoms == {
        "U": "/auth/reset/[token]",
        "r": "GET /auth/reset/[token] HTTP/1.1",
        "s": "200",
    }
