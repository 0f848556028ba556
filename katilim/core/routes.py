"""Home page, language switch, static information pages and health check."""

from functools import partial

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
)
from flask_login import current_user

from katilim.auth.forms import EmptyForm
from katilim.core.health import OK, TIMEOUT, database_status, redis_status, run_checks
from katilim.core.params import choice_arg
from katilim.core.urls import safe_next
from katilim.extensions import db, limiter
from katilim.organization.services import current_council, list_bodies
from katilim.proposals.queries import top_proposals
from katilim.serving import uses_redis

bp = Blueprint("core", __name__)


@bp.route("/")
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


@bp.route("/language", methods=["POST"])
def set_language():
    """Remember the chosen language (in the account too), then go back. Works without JS."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    locale = choice_arg("locale", current_app.config["LANGUAGES"], args=request.form)
    if not locale:
        abort(400)
    session["locale"] = locale
    if current_user.is_authenticated:
        current_user.locale = locale
        db.session.commit()
    return redirect(safe_next(request.form.get("next")))


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
