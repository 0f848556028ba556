"""The account page: who I am, my drafts and proposals, how often I get e-mails."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from katilim.auth import sessions
from katilim.auth.forms import EmptyForm
from katilim.extensions import db
from katilim.notifications.forms import EmailFrequencyForm
from katilim.notifications.services import set_email_frequency
from katilim.proposals.queries import proposals_of_author

bp = Blueprint("account", __name__, url_prefix="/me")


def _render_index(email_form: EmailFrequencyForm | None = None, status: int = 200):
    if email_form is None:
        email_form = EmailFrequencyForm(formdata=None, email_frequency=current_user.email_frequency)
    return render_template(
        "account/index.html",
        proposals=proposals_of_author(current_user),
        email_form=email_form,
        sessions_form=EmptyForm(),
    ), status


@bp.route("")
@login_required
def index():
    """My account and my proposals, drafts included."""
    return _render_index()


@bp.route("/email", methods=["POST"])
@login_required
def email_frequency():
    """Choose e-mails right away, once a day or never (records or withdraws the consent)."""
    form = EmailFrequencyForm()
    if not form.validate_on_submit():
        return _render_index(form, 400)
    set_email_frequency(current_user, form.email_frequency.data)
    db.session.commit()
    flash(_("Your e-mail choice is saved."), "success")
    return redirect(url_for("account.index", _anchor="email-settings"))


@bp.route("/sessions/end", methods=["POST"])
@login_required
def end_sessions():
    """Sign out on every device: a lost phone, a shared computer, a remembered browser."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    sessions.sign_out_everywhere(current_user._get_current_object())
    db.session.commit()
    flash(_("You are signed out on every device, this one too."), "success")
    return redirect(url_for("auth.login"))
