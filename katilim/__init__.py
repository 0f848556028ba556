"""Katılım: a citizen participation and proposals platform for city councils."""

from collections.abc import Mapping
from typing import Any

from flask import Flask

from katilim.config import DEV_SECRET_KEY, ROOT
from katilim.core.converters import IdConverter, SlugConverter


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure the application.

    Settings come from katilim.config defaults (which read KATILIM_* environment variables),
    then instance/config.py if present, then ``test_config``.
    """
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
    )
    app.config.from_object("katilim.config.DefaultConfig")
    app.url_map.converters["id"] = IdConverter
    app.url_map.converters["slug"] = SlugConverter
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.update(test_config)
    _refuse_unsafe_production(app)

    from katilim import cli, extensions, i18n, logs, serving, templating
    from katilim.core import cache, errors, outage

    logs.init_app(app)  # request ids first; JSON lines in production
    serving.init_app(app)  # ProxyFix and rate-limit storage, before the limiter reads it

    extensions.db.init_app(app)
    extensions.migrate.init_app(app, extensions.db, directory=str(ROOT / "migrations"))
    extensions.csrf.init_app(app)
    extensions.babel.init_app(app, locale_selector=i18n.select_locale)
    outage.init_app(app)  # the account is loaded before the rate limiter's keys read it
    extensions.limiter.init_app(app)
    cache.init_app(app)  # after serving: the rate limits' Redis, if any, is known
    production = app.config["ENV_NAME"] == "production"
    if production:  # whatever the config says: in production cookies go over HTTPS only
        app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = True
    extensions.talisman.init_app(
        app,
        # TLS ends at the reverse proxy; it redirects to HTTPS and Talisman sets HSTS.
        force_https=False,
        strict_transport_security=production,
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        content_security_policy=app.config["CONTENT_SECURITY_POLICY"],
        referrer_policy="same-origin",
        frame_options="DENY",
        permissions_policy=app.config["PERMISSIONS_POLICY"],
    )
    _init_login(app)
    errors.init_app(app)
    templating.init_app(app)
    cli.init_app(app)

    from katilim import models  # noqa: F401  (every mapper known before the first query)
    from katilim.account.routes import bp as account_bp
    from katilim.admin import bp as admin_bp
    from katilim.admin import reveal, routes  # noqa: F401  (their views hang on admin_bp)
    from katilim.api.open_data import bp as open_data_bp
    from katilim.assist.routes import bp as assist_bp
    from katilim.auth.routes import bp as auth_bp
    from katilim.comments.routes import bp as comments_bp
    from katilim.core.routes import bp as core_bp
    from katilim.meetings.routes import bp as meetings_bp
    from katilim.moderation.routes import bp as moderation_bp
    from katilim.moderation.routes import reports_bp
    from katilim.notifications.routes import bp as notifications_bp
    from katilim.operator.routes import bp as operator_bp
    from katilim.organization.routes import bp as organization_bp
    from katilim.photos import uploads
    from katilim.photos.routes import bp as photos_bp
    from katilim.privacy import traffic
    from katilim.privacy.routes import bp as privacy_bp
    from katilim.proposals.routes import bp as proposals_bp
    from katilim.representation.routes import bp as representation_bp
    from katilim.stats.routes import bp as stats_bp
    from katilim.volunteers.routes import bp as volunteers_bp
    from katilim.voting.routes import bp as voting_bp

    for blueprint in (
        core_bp,
        auth_bp,
        account_bp,
        admin_bp,
        organization_bp,
        proposals_bp,
        photos_bp,
        voting_bp,
        comments_bp,
        stats_bp,
        meetings_bp,
        moderation_bp,
        reports_bp,
        notifications_bp,
        representation_bp,
        assist_bp,
        open_data_bp,
        privacy_bp,
        volunteers_bp,
        operator_bp,
    ):
        app.register_blueprint(blueprint)
    from katilim.api.routes import init_app as init_api

    init_api(app)  # the JSON API registers through flask-smorest, which documents it
    _init_tenancy(app)
    logs.learn_secret_paths(app)  # masked in logs: links with a token (reset, unsubscribe…)
    traffic.init_app(app)  # Law 5651 records of state-changing requests
    uploads.init_app(app)  # room for photos in the proposal form, and its 413 message
    from katilim.core import pagecache
    from katilim.readers import Readers

    # Last: it wraps the whole application (pages kept for visitors, shells for residents).
    pagecache.init_app(app, Readers(app))
    return app


def _init_tenancy(app: Flask) -> None:
    """Tell the layers below organization how to find the council of a request (by its Host)."""
    from katilim.core import tenancy
    from katilim.organization import services as organization

    tenancy.install(
        app,
        tenancy.Tenancy(
            council_id=lambda: organization.current_council().id,
            address=organization.council_address,
            serves_host=organization.serves_host,
            name=organization.council_turkish_name,
        ),
    )


def _refuse_unsafe_production(app: Flask) -> None:
    from katilim.core.urls import check_site_url

    production = app.config["ENV_NAME"] == "production"
    key = app.config["SECRET_KEY"] or ""
    if production and (key == DEV_SECRET_KEY or len(key) < 32):
        raise RuntimeError(
            "KATILIM_SECRET_KEY must be set to a random value of at least 32 characters "
            "in production "
            "(python -c 'import secrets; print(secrets.token_urlsafe(48))')."
        )
    app.config["SITE_URL"] = check_site_url(app.config.get("SITE_URL"), production=production)


def _init_login(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from katilim.auth import sessions
    from katilim.extensions import login_manager

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(token: str):
        # The session's token, not the account number: see katilim/auth/sessions.py.
        return sessions.load(token)
