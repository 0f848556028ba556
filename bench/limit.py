"""The physical limit: the same gunicorn (same settings, same workers) serving the exact bytes
of each measured page from memory, doing nothing else. bench/run.py captures every page once
from the site, writes them to a file (``BENCH_LIMIT_FILE``: JSON, path → status, headers,
body in base64) and serves them with

    gunicorn -c gunicorn.conf.py 'bench.limit:create_limit_app()'

so a page's throughput divided by its limit's is the share of the machine the site leaves to
sending the page: 1.0 would be a site that costs nothing beyond its bytes.

Pages are keyed by the ``X-Bench-Page`` header that wrk sends (the same path may be measured
for a visitor and for a signed-in resident, and the vote's path changes on every request);
without it, by the path and query.
"""

import base64
import json
import os

# Hop-by-hop and per-connection headers are gunicorn's own to write.
PAGE_HEADER = "HTTP_X_BENCH_PAGE"
SKIPPED_HEADERS = {"connection", "keep-alive", "transfer-encoding", "date", "server"}


def load_pages(path: str) -> dict[str, tuple[str, list[tuple[str, str]], bytes]]:
    with open(path, encoding="utf-8") as handle:
        raw = json.load(handle)
    pages = {}
    for key, page in raw.items():
        body = base64.b64decode(page["body"])
        headers = [
            (name, value)
            for name, value in page["headers"]
            if name.lower() not in SKIPPED_HEADERS and name.lower() != "content-length"
        ]
        headers.append(("Content-Length", str(len(body))))
        pages[key] = (page["status"], headers, body)
    return pages


def create_limit_app(path: str | None = None):
    """A WSGI app answering each captured page with its captured bytes."""
    pages = load_pages(path or os.environ["BENCH_LIMIT_FILE"])
    missing = (
        "404 Not Found",
        [("Content-Type", "text/plain"), ("Content-Length", "9")],
        b"not found",
    )

    def app(environ, start_response):
        query = environ.get("QUERY_STRING", "")
        key = environ.get(PAGE_HEADER) or environ.get("PATH_INFO", "/") + (
            f"?{query}" if query else ""
        )
        status, headers, body = pages.get(key, missing)
        start_response(status, headers)
        return [body]

    return app
