"""Joining a body as a volunteer: the application form, leaving, being named, the staff's
page of applications and members, and the person's own list (/me/volunteering)."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from katilim.auth.forms import EmptyForm
from katilim.core.errors import DomainError
from katilim.core.limits import rate_limit
from katilim.extensions import db
from katilim.organization.queries import get_body_or_404
from katilim.organization.services import current_council
from katilim.volunteers import queries, services
from katilim.volunteers.forms import ApplyForm, DecideForm, ListingForm
from katilim.volunteers.models import BodyVolunteer
from katilim.volunteers.permissions import can_apply, can_decide

bp = Blueprint("volunteers", __name__)


def _body(slug: str):
    return get_body_or_404(current_council(), slug)


@bp.route("/bodies/<slug:slug>/join", methods=["GET", "POST"])
@login_required
@rate_limit("volunteer_application", by="user")
def join(slug: str):
    """Apply to join the body, with a few words of motivation."""
    body = _body(slug)
    row = queries.own_row(current_user, body)
    form = ApplyForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.apply(current_user, body, form.motivation.data or "")
        except DomainError as error:
            db.session.rollback()
            form.motivation.errors = [*form.motivation.errors, error.message]
            status = error.status_code
        else:
            db.session.commit()
            flash(_("Your application is sent. The group's chairs will answer it."), "success")
            return redirect(url_for("volunteers.mine"))
    elif form.errors:
        status = 400
    return render_template(
        "volunteers/join.html",
        body=body,
        row=row,
        form=form,
        may_apply=can_apply(current_user, body, row),
    ), status


@bp.route("/bodies/<slug:slug>/leave", methods=["POST"])
@login_required
@rate_limit("volunteer_application", by="user")
def leave(slug: str):
    """Leave the body, or withdraw an application, at any time."""
    body = _body(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.leave(current_user, body)
    db.session.commit()
    flash(_("You left %(body)s.", body=body.name), "success")
    return redirect(url_for("volunteers.mine"))


@bp.route("/bodies/<slug:slug>/listing", methods=["POST"])
@login_required
def listing(slug: str):
    """Be named on the body's page, or no longer (the consent is recorded or withdrawn)."""
    body = _body(slug)
    form = ListingForm()
    if not form.validate_on_submit():
        abort(400)
    listed = form.listed.data == "yes"
    services.set_listed(current_user, body, listed)
    db.session.commit()
    flash(
        _("Your name is shown on the group's page.")
        if listed
        else _("Your name is no longer shown on the group's page."),
        "success",
    )
    return redirect(url_for("volunteers.mine"))


def _render_staff(body, *, form: DecideForm | None = None, row_id: int | None = None, status=200):
    return render_template(
        "volunteers/staff.html",
        body=body,
        page=queries.staff_page(body),
        form=form or DecideForm(formdata=None),
        failed_row_id=row_id,
    ), status


@bp.route("/bodies/<slug:slug>/volunteers")
@login_required
def staff(slug: str):
    """The body's open applications with their motivation, and its members (for its chairs
    and moderators, and admins)."""
    body = _body(slug)
    if not can_decide(current_user, body):
        abort(403)
    return _render_staff(body)


@bp.route("/volunteers/<id:row_id>/decide", methods=["POST"])
@login_required
def decide(row_id: int):
    """Accept or decline one application (declining with a reason)."""
    row: BodyVolunteer = queries.application_or_404(row_id)
    if not can_decide(current_user, row.body):
        abort(403)
    form = DecideForm()
    if not form.validate_on_submit():
        return _render_staff(row.body, form=form, row_id=row.id, status=400)
    try:
        services.decide(current_user, row, form.decision.data == "accept", form.reason.data or "")
    except DomainError as error:
        db.session.rollback()
        form.reason.errors = [*form.reason.errors, error.message]
        return _render_staff(row.body, form=form, row_id=row.id, status=error.status_code)
    db.session.commit()
    flash(
        _("%(name)s is now a member.", name=row.user.display_name)
        if form.decision.data == "accept"
        else _("The application of %(name)s is declined.", name=row.user.display_name),
        "success",
    )
    return redirect(url_for("volunteers.staff", slug=row.body.slug))


@bp.route("/me/volunteering")
@login_required
def mine():
    """My applications and memberships, with leaving and naming controls."""
    return render_template(
        "volunteers/mine.html",
        rows=queries.my_rows(current_user),
    )
