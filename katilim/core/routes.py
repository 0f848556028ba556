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
from katilim.core.urls import safe_next
from katilim.extensions import db
from katilim.organization.services import current_council, list_bodies
from katilim.proposals.queries import top_proposals

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
    locale = request.form.get("locale", "")
    if locale not in current_app.config["LANGUAGES"]:
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


@bp.route("/health")
def health():
    """Liveness and database readiness, for the load balancer."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not ready"
        current_app.logger.exception("Health check failed")
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok", database="ok")
