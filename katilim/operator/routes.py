"""/operator: the councils this installation serves, for its operator only."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from katilim.core.errors import DomainError
from katilim.core.forms import required_options
from katilim.extensions import db
from katilim.operator import services
from katilim.operator.forms import DATA_FILE_MAX_BYTES, CouncilFileForm, FirstAdminForm
from katilim.operator.permissions import can_operate
from katilim.organization.services import council_by_slug, current_council

bp = Blueprint("operator", __name__, url_prefix="/operator")


@bp.before_request
def operator_only():
    """Only at the installation's own address (another council's site has no such page),
    only for its operator."""
    if current_council().slug != current_app.config["COUNCIL_SLUG"]:
        abort(404)
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not can_operate(current_user):
        abort(403)
    return None


def _render(status: int = 200, **given):
    rows = services.council_rows()
    admin_form = given.get("admin_form") or FirstAdminForm(formdata=None)
    admin_form.council.choices = required_options(
        [(row.council.slug, row.council.turkish_name) for row in rows]
    )
    return render_template(
        "operator/index.html",
        rows=rows,
        file_form=given.get("file_form") or CouncilFileForm(formdata=None),
        admin_form=admin_form,
        max_kb=DATA_FILE_MAX_BYTES // 1024,
    ), status


@bp.route("")
def index():
    return _render()


@bp.route("/councils", methods=["POST"])
def load():
    """Add or update a council from its data file."""
    form = CouncilFileForm()
    if not form.validate_on_submit():
        return _render(400, file_form=form)
    data = form.data_file.data.read(DATA_FILE_MAX_BYTES + 1)
    if len(data) > DATA_FILE_MAX_BYTES:
        form.data_file.errors = [
            _("The file is larger than %(kb)s kB.", kb=DATA_FILE_MAX_BYTES // 1024)
        ]
        return _render(400, file_form=form)
    try:
        loaded = services.add_council(current_user, data)
    except DomainError as error:
        db.session.rollback()
        form.data_file.errors = [str(error.message)]
        return _render(error.status_code, file_form=form)
    db.session.commit()
    flash(_("%(council)s is loaded.", council=loaded.council.turkish_name), "success")
    return redirect(url_for("operator.index"))


@bp.route("/admins", methods=["POST"])
def first_admin():
    """Make someone an admin of a council and e-mail them a link to choose a password."""
    form = FirstAdminForm()
    form.council.choices = required_options(
        [(row.council.slug, row.council.turkish_name) for row in services.council_rows()]
    )
    if not form.validate_on_submit():
        return _render(400, admin_form=form)
    council = council_by_slug(form.council.data)
    if council is None:
        abort(404)
    user = services.invite_first_admin(current_user, council, form.email.data, form.name.data)
    db.session.commit()
    flash(
        _(
            "%(email)s is an admin of %(council)s; an e-mail with a link to choose a password "
            "is on its way.",
            email=user.email,
            council=council.turkish_name,
        ),
        "success",
    )
    return redirect(url_for("operator.index"))
