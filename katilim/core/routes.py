"""Home page, language switch, static information pages and health check."""

from functools import partial

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    session,
    url_for,
)

from katilim.core.health import OK, TIMEOUT, database_status, redis_status, run_checks
from katilim.core.pagecache import shared_with_residents, shared_with_visitors
from katilim.core.params import text_arg
from katilim.core.urls import safe_next
from katilim.extensions import limiter
from katilim.i18n import CHOSEN_LOCALE_KEY
from katilim.organization.services import current_council, list_bodies
from katilim.proposals.queries import top_proposals
from katilim.serving import uses_redis

bp = Blueprint("core", __name__)


@bp.route("/")
@shared_with_visitors
@shared_with_residents
def home():
    """What the council is, how to take part, recent and most supported proposals."""
    council = current_council()
    return render_template(
        "core/home.html",
        council=council,
        recent=top_proposals(council, "newest", limit=5),
        supported=top_proposals(council, "supported", limit=5),
        bodies=list_bodies(council),
    )


@bp.route("/language/<code>")
def set_language(code: str):
    """Show the site in ``code`` in this browser, then go back to the same page.

    A plain link (GET), so that switching needs no form, button or JavaScript. It carries no
    CSRF token, which is safe because it changes nothing but the language this browser
    displays: no account data (the account's language, used for e-mails, is set on /me), no
    content. A page that makes someone follow it can at worst change the language they read,
    which the same links change back."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session[CHOSEN_LOCALE_KEY] = code
    return redirect(safe_next(text_arg("next", max_length=2000)))


@bp.route("/privacy")
def privacy():
    """The KVKK information notice (aydınlatma metni)."""
    return render_template("core/privacy.html", council=current_council())


@bp.route("/accessibility")
def accessibility():
    """The accessibility statement: the standard, what was tested, how to report a barrier."""
    return render_template("core/accessibility.html", council=current_council())


@bp.route("/health")
def health():
    """Readiness for the load balancer and monitoring: the database and, when rate limits are
    kept in Redis, Redis, each "ok", "unavailable" or "timeout"; 503 when one is not "ok".
    It answers within HEALTH_CHECK_TIMEOUT_SECONDS whatever hangs (katilim/core/health.py)."""
    app = current_app._get_current_object()
    checks = {"database": partial(database_status, app)}
    if uses_redis(app):
        checks["redis"] = partial(redis_status, limiter.storage)
    results = run_checks(app, checks)
    for part, result in results.items():
        if result == TIMEOUT:
            app.logger.error("Health check: %s did not answer in time", part)
        elif result != OK and part == "redis":  # the database's check logs its own reason
            app.logger.error("Health check: Redis is unavailable")
    healthy = all(result == OK for result in results.values())
    return jsonify(status="ok" if healthy else "error", **results), 200 if healthy else 503


# Addresses people type or guess, led to the real pages (permanent: they will not change).
SHORTCUTS = {
    "/login": "auth.login",
    "/register": "auth.register",
    "/account": "account.index",
}


def _shortcut(endpoint: str):
    def go():
        return redirect(url_for(endpoint), 301)

    return go


for _path, _endpoint in SHORTCUTS.items():
    bp.add_url_rule(_path, f"shortcut_{_path.strip('/')}", _shortcut(_endpoint))
