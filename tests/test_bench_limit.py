"""The benchmark's physical limit (bench/limit.py) answers each captured page with exactly its
bytes and headers, as the site sent them, and nothing else."""

import base64
import json

from bench.limit import create_limit_app


def serve(app, path: str, query: str = ""):
    seen = {}

    def start_response(status, headers):
        seen.update(status=status, headers=dict(headers))

    body = b"".join(app({"PATH_INFO": path, "QUERY_STRING": query}, start_response))
    return seen["status"], seen["headers"], body


def test_captured_pages_come_back_byte_for_byte(tmp_path):
    page = "<!doctype html><title>Öneriler</title>".encode()
    captured = {
        "/proposals?sort=supported": {
            "status": "200 OK",
            "headers": [
                ["Content-Type", "text/html; charset=utf-8"],
                ["Content-Length", "1"],  # wrong on purpose: the real length is sent
                ["Connection", "close"],
                ["Content-Security-Policy", "default-src 'self'"],
            ],
            "body": base64.b64encode(page).decode(),
        }
    }
    path = tmp_path / "pages.json"
    path.write_text(json.dumps(captured), encoding="utf-8")
    app = create_limit_app(str(path))

    status, headers, body = serve(app, "/proposals", "sort=supported")
    assert (status, body) == ("200 OK", page)
    assert headers["Content-Length"] == str(len(page))
    assert headers["Content-Security-Policy"] == "default-src 'self'"
    assert "Connection" not in headers  # gunicorn's own to write

    assert serve(app, "/proposals")[0].startswith("404")  # another query is another page
