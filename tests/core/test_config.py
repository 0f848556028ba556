"""Configuration: production safety and database URLs."""

import pytest

from katilim import create_app
from katilim.config import DEV_SECRET_KEY, _database_url


def production(**settings) -> dict:
    return {
        "ENV_NAME": "production",
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "SITE_URL": "https://katilim.example.org",
        **settings,
    }


def test_production_refuses_to_start_without_a_real_secret_key():
    for key in (DEV_SECRET_KEY, "", None, "too-short-to-be-random"):
        with pytest.raises(RuntimeError, match="KATILIM_SECRET_KEY"):
            create_app(production(SECRET_KEY=key))


def test_production_starts_with_a_real_secret_key():
    app = create_app(production(SECRET_KEY="x" * 48))
    assert app.config["ENV_NAME"] == "production"


def test_database_url_names_the_psycopg_driver(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    rewritten = {
        "postgres://u:p@db:5432/katilim": "postgresql+psycopg://u:p@db:5432/katilim",
        "postgresql://u:p@db/katilim": "postgresql+psycopg://u:p@db/katilim",
        "postgresql+psycopg://u@db/katilim": "postgresql+psycopg://u@db/katilim",
        "sqlite:////tmp/k.sqlite": "sqlite:////tmp/k.sqlite",
    }
    actual = {}
    for url in rewritten:
        monkeypatch.setenv("KATILIM_DATABASE_URL", url)
        actual[url] = _database_url()
    assert actual == rewritten


def test_database_url_falls_back_to_the_platform_variable(monkeypatch):
    monkeypatch.delenv("KATILIM_DATABASE_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgres://heroku@host/db")
    assert _database_url() == "postgresql+psycopg://heroku@host/db"


def test_database_url_defaults_to_sqlite(monkeypatch):
    monkeypatch.delenv("KATILIM_DATABASE_URL", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert _database_url() == "sqlite:///katilim.sqlite"
