"""Home page, language switch, static information pages and health check."""

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
from sqlalchemy import text

from katilim.auth.forms import EmptyForm
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
    kept in Redis, Redis. 503 names the part that failed."""
    checks = {"database": "ok"}
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not ready"
        current_app.logger.exception("Health check: the database is unavailable")
        checks["database"] = "unavailable"
    if uses_redis(current_app):
        checks["redis"] = "ok" if limiter.storage.check() else "unavailable"
        if checks["redis"] != "ok":
            current_app.logger.error("Health check: Redis is unavailable")
    healthy = all(value == "ok" for value in checks.values())
    return jsonify(status="ok" if healthy else "error", **checks), 200 if healthy else 503
