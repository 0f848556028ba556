"""The benchmark's sign-in without password exists only in bench/app.py, outside the installed
package, and that application refuses to start in production."""

import importlib.util

import pytest

from katilim import create_app
from katilim.extensions import db
from tests.factories import make_user

SETTINGS = {
    "SQLALCHEMY_DATABASE_URI": "sqlite://",
    "SECRET_KEY": "x" * 48,
    "RATELIMIT_ENABLED": False,  # the limiter is shared with the suite's app, which has it off
    "TESTING": True,
}


def bench_routes(app) -> list[str]:
    return [rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/_bench")]


def test_the_package_has_no_benchmark_routes_whatever_the_environment(monkeypatch):
    monkeypatch.setenv("KATILIM_BENCH", "1")  # what once switched them on
    assert importlib.util.find_spec("katilim.bench") is None
    assert bench_routes(create_app(SETTINGS)) == []


def test_the_benchmark_app_refuses_production():
    from bench.app import create_bench_app

    with pytest.raises(RuntimeError, match="never runs with KATILIM_ENV=production"):
        create_bench_app({**SETTINGS, "ENV_NAME": "production"})


def test_the_benchmark_app_signs_in_only_generated_accounts():
    from bench.app import create_bench_app

    app = create_bench_app(SETTINGS)
    assert sorted(bench_routes(app)) == ["/_bench/baseline", "/_bench/login/<id:user_id>"]
    with app.app_context():
        db.create_all()
        generated = make_user(email="u1@bench.example").id
        real = make_user(email="someone@example.org").id
        db.session.commit()
    client = app.test_client()
    assert client.post(f"/_bench/login/{real}").status_code == 404
    response = client.post(f"/_bench/login/{generated}")
    assert response.status_code == 200 and response.get_json()["user_id"] == generated
    assert "Secure" in response.headers["Set-Cookie"]  # production's cookies
    assert client.get("/_bench/baseline").status_code == 200
