"""A forged Host header never reaches a link: e-mails, exports and the API are built from the
configured public address (SITE_URL), and production refuses requests for other hosts."""

import re
from pathlib import Path

import pytest
from flask import Flask

from katilim import create_app
from katilim.auth.models import User
from katilim.config import ROOT
from katilim.extensions import db
from katilim.notifications import emails
from tests.factories import get_body, make_proposal, make_user

SITE = "http://localhost"  # SITE_URL of the test application (tests/conftest.py)
EVIL = "evil.example"
FORGED = [
    {"Host": EVIL},
    {"X-Forwarded-Host": EVIL},
    {"Host": EVIL, "X-Forwarded-Host": EVIL, "X-Forwarded-Proto": "https"},
]


def whole(message) -> str:
    """Every header and the body of an e-mail as it goes out."""
    return message.as_string()


def links_in(text: str) -> list[str]:
    return re.findall(r"https?://[^\s<>\"';]+", text)


def forged(app, client, method: str, path: str, **kwargs):
    """A request for another host that still carries the client's session: a browser would
    not send the cookie there, a script can."""
    client.get("/me")  # the session cookie is written
    cookie = client.get_cookie("session").value
    bare = app.test_client(use_cookies=False)  # its jar would drop a header for another host
    headers = {"Host": EVIL, "Cookie": f"session={cookie}", **kwargs.pop("headers", {})}
    return bare.open(path, method=method, headers=headers, **kwargs)


def assert_only_site_links(text: str) -> None:
    assert EVIL not in text
    found = links_in(text)
    assert found, "no link at all"
    assert all(link.startswith(SITE + "/") for link in found), found


@pytest.fixture(autouse=True)
def _as_in_production(app, monkeypatch):
    """No SERVER_NAME, as on a real site: with one, Flask builds links from it and would hide
    what a forged Host does."""
    monkeypatch.setitem(app.config, "SERVER_NAME", None)


@pytest.fixture
def ayse(app, council):
    with app.app_context():
        user = make_user(email="ayse@example.org", locale="en")
        user.email_frequency = "immediate"
        db.session.commit()
        return user.id


@pytest.mark.parametrize("headers", FORGED)
def test_password_reset_link_ignores_a_forged_host(client, ayse, outbox, headers):
    response = client.post("/auth/reset", data={"email": "ayse@example.org"}, headers=headers)
    assert response.status_code == 200
    (message,) = outbox
    assert f"{SITE}/auth/reset/" in message.get_content()
    assert_only_site_links(whole(message))


@pytest.mark.parametrize("headers", FORGED)
def test_verification_link_ignores_a_forged_host(client, council, outbox, headers):
    from tests.auth.test_routes import registration

    client.post("/auth/register", data=registration(), headers=headers)
    (message,) = outbox
    assert f"{SITE}/auth/verify/" in message.get_content()
    assert_only_site_links(whole(message))


@pytest.mark.parametrize("headers", FORGED)
def test_someone_tried_to_register_mail_ignores_a_forged_host(client, ayse, outbox, headers):
    from tests.auth.test_routes import registration

    client.post("/auth/register", data=registration(email="ayse@example.org"), headers=headers)
    (message,) = outbox
    assert message["Subject"] == "Someone tried to register with your address"
    text = message.get_content()
    assert f"{SITE}/auth/login" in text and f"{SITE}/auth/reset" in text
    assert f"{SITE}/unsubscribe/" in text
    assert_only_site_links(whole(message))


def test_resent_verification_link_ignores_a_forged_host(app, login, council, outbox):
    with app.app_context():
        user_id = make_user(email="new@example.org", verified=False).id
        db.session.commit()
    client = login(user_id)
    assert forged(app, client, "POST", "/auth/verify/resend").status_code == 302
    (message,) = outbox
    assert f"{SITE}/auth/verify/" in message.get_content()
    assert_only_site_links(whole(message))


def test_notification_mail_sent_during_a_forged_request_links_to_the_site(
    app, login, council, outbox
):
    with app.app_context():
        body = get_body("ulasim")
        author = make_user("Yazar", email="yazar@example.org", locale="en")
        author.email_frequency = "immediate"
        moderator = make_user("Moderatör", moderates=body)
        proposal = make_proposal(author, body=body)
        db.session.commit()
        proposal_id, moderator_id = proposal.id, moderator.id
    response = forged(
        app,
        login(moderator_id),
        "POST",
        f"/moderation/proposals/{proposal_id}/answer",
        data={"text": "Teşekkürler, inceliyoruz."},
    )
    assert response.status_code == 302
    (message,) = [m for m in outbox if m["To"] == "yazar@example.org"]
    assert f"{SITE}/proposals/{proposal_id}" in message.get_content()
    assert message["List-Unsubscribe"].startswith(f"<{SITE}/unsubscribe/")
    assert_only_site_links(whole(message))


def test_digest_built_inside_a_forged_request_links_to_the_site(app, ayse, outbox):
    from katilim.proposals.models import EventKind
    from tests.notifications.helpers import add_event

    with app.test_request_context("/", headers={"Host": EVIL}, base_url=f"https://{EVIL}"):
        user = db.session.get(User, ayse)
        proposal = make_proposal(user)
        add_event(proposal, EventKind.ANSWERED, text="Yanıt")
        db.session.flush()
        from katilim.notifications.models import Notification

        notifications = list(db.session.scalars(db.select(Notification)))
        emails.queue_digest_email(user, notifications, {})
        db.session.commit()
    digest = next(m for m in outbox if m["Subject"] == "Your daily summary from Katılım")
    assert_only_site_links(whole(digest))


@pytest.mark.parametrize("headers", FORGED)
def test_proposals_csv_ignores_a_forged_host(client, ayse, app, headers):
    with app.app_context():
        proposal_id = make_proposal(db.session.get(User, ayse)).id
        db.session.commit()
    response = client.get("/proposals.csv", headers=headers)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert f"{SITE}/proposals/{proposal_id}" in text
    assert EVIL not in text


@pytest.mark.parametrize("headers", FORGED)
def test_api_ignores_a_forged_host(client, ayse, app, headers):
    with app.app_context():
        proposal_id = make_proposal(db.session.get(User, ayse)).id
        db.session.commit()
    for path in ("/api/v1/proposals", f"/api/v1/proposals/{proposal_id}"):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, path
        text = response.get_data(as_text=True)
        assert f"{SITE}/proposals/{proposal_id}" in text, path
        assert EVIL not in text and EVIL not in str(response.headers), path


def test_assisted_letter_ignores_a_forged_host(app, login, council):
    from katilim.auth.models import SiteRole
    from tests.assist.test_assist import file_one

    with app.app_context():
        facilitator = make_user("Gönüllü", role=SiteRole.FACILITATOR)
        proposal = file_one(facilitator)
        db.session.commit()
        facilitator_id, proposal_id = facilitator.id, proposal.id
    response = forged(app, login(facilitator_id), "GET", f"/assist/{proposal_id}/letter")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"{SITE}/proposals/{proposal_id}" in page and EVIL not in page


# --- one builder for every absolute link ---------------------------------------------------


def test_absolute_url_uses_the_site_address_with_its_path_prefix(app, monkeypatch):
    from katilim.core.urls import absolute_url

    monkeypatch.setitem(app.config, "SITE_URL", "https://katilim.example.org/kocaeli/")
    with app.test_request_context("/", headers={"Host": EVIL}):
        assert absolute_url("proposals.detail", proposal_id=7) == (
            "https://katilim.example.org/kocaeli/proposals/7"
        )
        assert absolute_url("account.index", _anchor="email-settings") == (
            "https://katilim.example.org/kocaeli/me#email-settings"
        )
    with app.app_context():  # a command: no request at all
        assert absolute_url("proposals.index") == "https://katilim.example.org/kocaeli/proposals"


EXTERNAL = re.compile(r"(?<![A-Za-z])_external\s*=")


def test_no_link_in_the_code_is_built_from_the_request():
    """url_for(..., _external=True) takes the host from the request: every absolute link goes
    through katilim.core.urls.absolute_url instead."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted(Path(ROOT, "katilim").rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if EXTERNAL.search(line)
    ]
    offenders += [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted(Path(ROOT, "templates").rglob("*"))
        if path.is_file()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if EXTERNAL.search(line) or "url_root" in line or "host_url" in line
    ]
    assert offenders == []


# --- production: a site address, and only its host ----------------------------------------

SECRET = "x" * 48


def production(**settings) -> dict:
    return {
        "ENV_NAME": "production",
        "SECRET_KEY": SECRET,
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "RATELIMIT_ENABLED": False,
        **settings,
    }


@pytest.mark.parametrize(
    "site_url", [None, "", "http://katilim.example.org", "katilim.example.org"]
)
def test_production_refuses_to_start_without_an_https_site_address(site_url):
    with pytest.raises(RuntimeError, match="KATILIM_SITE_URL=https://"):
        create_app(production(SITE_URL=site_url))


@pytest.mark.parametrize(
    "site_url", ["https://katilim.example.org/?x=1", "https://katilim.example.org/#top", "https://"]
)
def test_a_site_address_with_a_query_or_without_a_host_is_refused(site_url):
    with pytest.raises(RuntimeError, match="KATILIM_SITE_URL"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SITE_URL": site_url})


def _production_app(**settings) -> Flask:
    from katilim.organization.services import load_council

    app = create_app(production(SITE_URL="https://katilim.example.org", **settings))
    with app.app_context():
        db.create_all()
        load_council(app.config["COUNCIL_DATA_FILE"])
        db.session.commit()
    return app


def test_production_refuses_requests_for_another_host_with_the_site_error_page():
    client = _production_app().test_client()
    response = client.get("/privacy", headers={"Host": EVIL})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<html" in page and 'href="/static/css/site.min.css"' in page and EVIL not in page
    assert client.get("/privacy", headers={"Host": "katilim.example.org"}).status_code == 200
    # X-Forwarded-Host is not believed: the real Host decides.
    response = client.get(
        "/privacy", headers={"Host": "katilim.example.org", "X-Forwarded-Host": EVIL}
    )
    assert response.status_code == 200


def test_production_serves_each_loaded_council_at_its_own_host_and_no_other(tmp_path):
    from katilim.organization.services import load_council
    from tests.conftest import OTHER_COUNCIL_FILE

    app = _production_app()
    data = OTHER_COUNCIL_FILE.read_text(encoding="utf-8")
    other = tmp_path / "other.yaml"
    other.write_text(
        data.replace("http://ornekkent.localhost", "https://katilim.ornekkent.example"),
        encoding="utf-8",
    )
    with app.app_context():
        load_council(other)
        db.session.commit()
    client = app.test_client()
    page = client.get("/privacy", headers={"Host": "katilim.ornekkent.example"})
    assert page.status_code == 200 and "Örnekkent" in page.get_data(as_text=True)
    page = client.get("/privacy", headers={"Host": "katilim.example.org"})
    assert "Kocaeli" in page.get_data(as_text=True)
    assert client.get("/privacy", headers={"Host": EVIL}).status_code == 400


def test_production_refuses_a_council_address_without_https(tmp_path):
    from katilim.organization.services import load_council
    from tests.conftest import OTHER_COUNCIL_FILE

    app = _production_app()
    with app.app_context(), pytest.raises(ValueError, match="https://"):
        load_council(OTHER_COUNCIL_FILE)  # http://ornekkent.localhost


def test_health_answers_whatever_the_host_for_the_load_balancer():
    client = _production_app().test_client()
    for host in ("10.0.0.5:8000", "127.0.0.1:8000", EVIL):
        response = client.get("/health", headers={"Host": host})
        assert response.status_code == 200, host


def test_allowed_hosts_can_be_listed_or_switched_off():
    listed = _production_app(ALLOWED_HOSTS="katilim.example.org, .katilim.example.org")
    client = listed.test_client()
    assert client.get("/privacy", headers={"Host": "www.katilim.example.org"}).status_code == 200
    assert client.get("/privacy", headers={"Host": EVIL}).status_code == 400
    anything = _production_app(ALLOWED_HOSTS="*").test_client()
    assert anything.get("/privacy", headers={"Host": EVIL}).status_code == 200


def test_flasks_own_trusted_hosts_setting_is_used_and_the_error_page_still_draws():
    client = _production_app(TRUSTED_HOSTS=["katilim.example.org"]).test_client()
    response = client.get("/privacy", headers={"Host": EVIL})
    assert response.status_code == 400 and "<html" in response.get_data(as_text=True)


def test_development_accepts_any_host_unless_told_otherwise(app, client, council):
    assert client.get("/privacy", headers={"Host": EVIL}).status_code == 200
