"""Security headers on every page and the cookie flags of production."""

import pytest

from katilim import create_app
from tests.core.test_config import production
from tests.factories import PASSWORD, make_user


@pytest.fixture
def production_app(app):
    """A production app on the test database (HTTPS comes from the proxy: base_url https)."""
    return create_app(
        production(
            SECRET_KEY="x" * 48,
            SITE_URL="https://localhost",  # the host the test client asks for
            SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
            RATELIMIT_ENABLED=False,
            MAIL_BACKEND="memory",
            WTF_CSRF_ENABLED=False,
        )
    )


def directives(csp: str) -> dict[str, str]:
    return {part.split()[0]: " ".join(part.split()[1:]) for part in csp.split(";") if part.strip()}


def test_content_security_policy_allows_no_inline_script_or_style(client, council):
    response = client.get("/")
    policy = directives(response.headers["Content-Security-Policy"])
    for name in ("script-src", "style-src", "default-src"):
        assert "'unsafe-inline'" not in policy[name] and "'unsafe-eval'" not in policy[name]
        assert "*" not in policy[name] and "http:" not in policy[name]
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["base-uri"] == "'self'" and policy["form-action"] == "'self'"


def test_pages_carry_the_other_security_headers(client, council):
    headers = client.get("/").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    permissions = headers["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment"):
        assert f"{feature}=()" in permissions


def test_error_pages_carry_them_too(client, council):
    headers = client.get("/no-such-page").headers
    assert "Content-Security-Policy" in headers and headers["X-Frame-Options"] == "DENY"


def test_production_sends_hsts_over_https(production_app, council):
    client = production_app.test_client()
    hsts = client.get("/", base_url="https://localhost").headers["Strict-Transport-Security"]
    max_age = int(hsts.split("max-age=")[1].split(";")[0])
    assert max_age >= 180 * 24 * 3600
    assert "includeSubDomains" in hsts


def test_production_session_cookies_are_secure_httponly_samesite(production_app, council):
    config = production_app.config
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["SESSION_COOKIE_HTTPONLY"] and config["REMEMBER_COOKIE_HTTPONLY"]
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    with production_app.app_context():
        from katilim.extensions import db

        make_user(email="cookie@example.org")
        db.session.commit()
    client = production_app.test_client()
    response = client.post(
        "/auth/login",
        data={"email": "cookie@example.org", "password": PASSWORD, "remember": "y"},
        base_url="https://localhost",
    )
    assert response.status_code == 302
    cookies = {header.split("=")[0]: header for header in response.headers.getlist("Set-Cookie")}
    for name in ("session", "remember_token"):
        flags = [flag.strip().lower() for flag in cookies[name].split(";")]
        assert "secure" in flags and "httponly" in flags and "samesite=lax" in flags, name


def test_development_cookies_are_httponly_and_samesite(client, council, app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
