"""The privacy pages: my consents, my data, deleting my account, the künye, traffic records.

In their own blueprint (not the account's) because they are the legal side of the platform:
the /me pages exercise KVKK rights, /kunye and /admin/traffic answer Law 5651.
"""

from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from katilim.auth import sessions
from katilim.auth.roles import can_administer
from katilim.core.params import page_arg
from katilim.extensions import db, limiter
from katilim.organization.services import current_council
from katilim.privacy import consent_changes, consents, deletion, traffic
from katilim.privacy.export import personal_data_json
from katilim.privacy.forms import ConsentForm, DeleteAccountForm, TrafficFilterForm
from katilim.privacy.models import ConsentPurpose
from katilim.privacy.purposes import purpose_text
from katilim.privacy.retention import periods

bp = Blueprint("privacy", __name__)


# --- consents -----------------------------------------------------------------------------


@bp.route("/me/consents", methods=["GET", "POST"])
@login_required
def consent_page():
    """Each optional purpose, its text and version, and a button to give or withdraw it."""
    if request.method == "POST":
        form = ConsentForm()
        if not form.validate_on_submit():
            abort(400)
        purpose = ConsentPurpose(form.purpose.data)
        giving = form.choice.data == "give"
        consent_changes.change(current_user, purpose, giving)
        db.session.commit()
        flash(
            _("Your consent is recorded.") if giving else _("Your consent is withdrawn."),
            "success",
        )
        return redirect(url_for("privacy.consent_page", _anchor=f"purpose-{purpose.value}"))
    return render_template(
        "privacy/consents.html",
        states=consents.overview(current_user),
        history=consents.consent_history(current_user),
        version=consents.text_version(),
        form=ConsentForm(formdata=None),
    )


# --- my data ------------------------------------------------------------------------------


@bp.route("/me/data")
@login_required
@limiter.limit("20 per hour")
def data_export():
    """Everything about me, as a JSON file to download (KVKK art. 11)."""
    body = personal_data_json(current_user)
    filename = f"katilim-data-{date.today().isoformat()}.json"
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


# --- deleting my account -------------------------------------------------------------------


@bp.route("/me/delete", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"])
def delete_account():
    """Asks for the password and a confirmation, then deletes the account for good."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.password.data):
            form.password.errors.append(_("This is not your password."))
        else:
            try:
                deletion.delete_account(current_user._get_current_object())
            except deletion.LastAdmin as error:
                db.session.rollback()
                flash(error.message, "error")
            else:
                db.session.commit()
                sessions.forget_browser()
                flash(_("Your account is deleted. Thank you for taking part."), "success")
                return redirect(url_for("core.home"))
    status = 400 if form.errors else 200
    return render_template("privacy/delete.html", form=form), status


# --- künye (Law 5651) ---------------------------------------------------------------------


def controller_details() -> dict[str, str]:
    """Who is responsible: the council, from its data file; the hosting provider is the
    operator's (settings), else the council itself."""
    council = current_council()
    config = current_app.config
    return {
        "controller_name": council.legal_name or council.turkish_name,
        "controller_address": council.address,
        "controller_email": council.email,
        "controller_phone": council.phone,
        "hosting_name": config["HOSTING_PROVIDER_NAME"] or council.legal_name,
        "hosting_address": config["HOSTING_PROVIDER_ADDRESS"] or council.address,
        "kvkk_contact": council.kvkk_contact or council.email,
    }


@bp.app_context_processor
def _privacy_globals():
    return {
        "controller_details": controller_details,
        "retention_periods": periods,
        "purpose_title": lambda purpose: purpose_text(purpose).title,
    }


@bp.route("/kunye")
def kunye():
    """Identity and contact of the data controller and the hosting provider."""
    return render_template("privacy/kunye.html", council=current_council())


# --- traffic records (admins only) ----------------------------------------------------------


def _traffic_filters(form: TrafficFilterForm) -> traffic.TrafficFilters:
    """The valid filters; a field with an error (shown beside it) is left out."""
    if not request.args:
        return traffic.TrafficFilters()
    form.validate()

    def valid(field):
        return None if field.errors else field.data

    return traffic.TrafficFilters(
        date_from=valid(form.date_from),
        date_to=valid(form.date_to),
        address=valid(form.address) or "",
        user_id=valid(form.user_id),
    )


@bp.route("/admin/traffic")
def traffic_records():
    """Law 5651 traffic records, newest first: readable by admins only."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not can_administer(current_user):
        abort(403)
    form = TrafficFilterForm(formdata=request.args)
    filters = _traffic_filters(form)
    pagination = traffic.traffic_page(filters, page_arg())
    return render_template(
        "privacy/traffic.html", form=form, filters=filters, pagination=pagination
    )
