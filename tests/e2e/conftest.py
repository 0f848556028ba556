"""A live server in a thread and Debian's Chromium, for end-to-end tests.

Playwright cannot download its own browser here, so tests drive /usr/bin/chromium (or
KATILIM_CHROMIUM). Without it the tests are skipped locally with a clear reason, and fail
in CI (CI=true), where a missing browser must never pass silently.
"""

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from katilim import create_app
from katilim.extensions import db
from katilim.organization.services import load_council
from katilim.seed import DISTRICT_FILE

CHROMIUM = os.environ.get("KATILIM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",  # no calls home on a closed network
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}: apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    db_file = tmp_path_factory.mktemp("e2e") / "e2e.sqlite"
    app = create_app(
        {
            "SECRET_KEY": "e2e-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}",
            "MAIL_BACKEND": "memory",
            # One Limiter object serves every app in this process; keep it off here as in the
            # other tests, so that limits set for this app cannot leak into theirs.
            "RATELIMIT_ENABLED": False,
            "UPLOAD_DIR": str(tmp_path_factory.mktemp("e2e-uploads")),  # proposal photos
        }
    )
    with app.app_context():
        db.create_all()
        load_council(app.config["COUNCIL_DATA_FILE"])
        load_council(DISTRICT_FILE)  # a district council: /stats/councils has a row
        db.session.commit()
    return app


@pytest.fixture(scope="session")
def live_server(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    address = f"http://127.0.0.1:{server.server_port}"
    live_app.config["SITE_URL"] = address  # the links in e-mails lead here
    yield address
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server


@pytest.fixture
def screenshot(page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _shot(name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return _shot
