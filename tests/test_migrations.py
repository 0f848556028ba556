"""The migrations build exactly the schema of the models; the council and demo commands."""

import logging

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select, text

from katilim import create_app
from katilim.auth.models import User
from katilim.core import fulltext
from katilim.extensions import db
from katilim.organization.models import Body, District
from tests.conftest import TEST_DATABASE_URL

SCHEMA = "katilim_migration_test"
VARIANTS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL.startswith("postgresql") else [])


def _fresh_database(variant: str, tmp_path) -> dict:
    if variant == "sqlite":
        return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'migrated.sqlite'}"}
    # PostgreSQL: an empty schema of its own, so the session's tables are not touched.
    return {
        "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL,
        "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={SCHEMA}"}},
    }


@pytest.fixture
def keep_loggers():
    """Alembic's env.py calls fileConfig(), which disables every existing logger."""
    before = {name: logger.disabled for name, logger in _loggers()}
    yield
    for name, logger in _loggers():
        logger.disabled = before.get(name, False)


def _loggers():
    for name, logger in logging.root.manager.loggerDict.items():
        if isinstance(logger, logging.Logger):
            yield name, logger


@pytest.mark.parametrize("variant", VARIANTS)
def test_migrations_build_the_schema_of_the_models(app, tmp_path, keep_loggers, variant):
    config = {"TESTING": True, "SECRET_KEY": "test", **_fresh_database(variant, tmp_path)}
    migrated = create_app(config)
    with migrated.app_context():
        if variant == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
                conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
        try:
            flask_migrate.upgrade()
            with db.engine.connect() as conn:
                context = MigrationContext.configure(
                    conn, opts={"compare_type": True, "include_name": fulltext.include_name}
                )
                differences = compare_metadata(context, db.metadata)
        finally:
            if variant == "postgresql":
                with db.engine.begin() as conn:
                    conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            db.engine.dispose()
    assert differences == []


def cli(app, *args: str):
    """Run a command as `flask` does: inside an app context."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def test_load_council_command_is_idempotent(app):
    for _ in range(2):
        result = cli(app, "load-council")
        assert result.exit_code == 0, result.output
        with app.app_context():
            assert (
                db.session.scalar(select(func.count()).select_from(Body)) == 25
            )  # the general assembly, 5 assemblies, 19 working groups
            assert db.session.scalar(select(func.count()).select_from(District)) == 12
    assert "0 bodies and districts created, 37 updated" in result.output


def test_seed_demo_command_refuses_in_production(app, council, monkeypatch):
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    result = cli(app, "seed-demo")
    assert result.exit_code != 0
    assert isinstance(result.exception, RuntimeError)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
