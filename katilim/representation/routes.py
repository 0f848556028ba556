"""A person's own self-described groups: read what they are for, consent, answer, delete."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from katilim.extensions import db, limiter
from katilim.representation import services
from katilim.representation.forms import DeleteDemographicsForm, DemographicsForm
from katilim.representation.models import DIMENSION_NAMES

bp = Blueprint("representation", __name__, url_prefix="/me/demographics")


def _render(form: DemographicsForm | None = None, status: int = 200):
    answers = services.answers_of(current_user)
    if form is None:
        initial = {name: getattr(answers, name) for name in DIMENSION_NAMES} if answers else {}
        form = DemographicsForm(formdata=None, **initial)
    return render_template(
        "representation/demographics.html",
        form=form,
        delete_form=DeleteDemographicsForm(formdata=None),
        answers=answers,
        consent=services.live_consent(current_user),
    ), status


@bp.route("", methods=["GET"])
@login_required
def index():
    return _render()


@bp.route("", methods=["POST"])
@login_required
@limiter.limit("30 per hour")
def save():
    form = DemographicsForm()
    if not form.validate_on_submit():
        return _render(form, 400)
    services.save_answers(current_user, form.answers(), consent=form.consent.data)
    db.session.commit()
    flash(_("Your answers are saved. You can delete them at any time on this page."), "success")
    return redirect(url_for("representation.index"))


@bp.route("/delete", methods=["POST"])
@login_required
def delete():
    if not DeleteDemographicsForm().validate_on_submit():
        return _render(status=400)
    services.delete_answers(current_user)
    db.session.commit()
    flash(_("Your answers are deleted and your consent is withdrawn."), "success")
    return redirect(url_for("representation.index"))
