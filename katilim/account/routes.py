"""The account page: who I am, my drafts and proposals, how often I get e-mails; changing
my name, district, language, e-mail address and password."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from katilim.account import services
from katilim.account.forms import EmailChangeForm, PasswordChangeForm, ProfileForm
from katilim.auth import sessions, tokens
from katilim.auth.forms import EmptyForm
from katilim.core.forms import options
from katilim.core.limits import rate_limit
from katilim.extensions import db
from katilim.i18n import current_locale, follow_account_locale, language_options
from katilim.notifications.forms import EmailFrequencyForm
from katilim.notifications.services import set_email_frequency
from katilim.organization.services import current_council, list_districts
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


def _district_choices(form: ProfileForm) -> dict:
    districts = list_districts(current_council())
    form.district.choices = options(
        [("", _("— not given —"))] + [(d.slug, d.name) for d in districts]
    )
    return {d.slug: d for d in districts}


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """Change the name shown, the district and the language."""
    user = current_user._get_current_object()
    form = ProfileForm()
    districts = _district_choices(form)
    form.locale.choices = language_options()
    if request.method == "GET":
        form.display_name.data = user.display_name
        form.district.data = user.district.slug if user.district else ""
        form.locale.data = user.locale or current_locale()
    if form.validate_on_submit():
        services.update_profile(
            user,
            display_name=form.display_name.data,
            district=districts.get(form.district.data or ""),
            locale=form.locale.data,
        )
        db.session.commit()
        follow_account_locale(form.locale.data)
        flash(_("Your details are saved."), "success")
        return redirect(url_for("account.index"))
    status = 400 if form.errors else 200
    return render_template("account/profile.html", form=form), status


@bp.route("/email-address", methods=["GET", "POST"])
@login_required
@rate_limit("email_change", by="user")
def change_email():
    """Ask to move the account to another address: a link goes there, the old one is told."""
    form = EmailChangeForm()
    if form.validate_on_submit():
        try:
            services.request_email_change(
                current_user._get_current_object(),
                form.new_email.data,
                form.current_password.data,
            )
        except services.WrongPassword:
            form.current_password.errors.append(_("The password is wrong."))
        except services.SameEmail:
            form.new_email.errors.append(_("This is already the address of your account."))
        else:
            db.session.commit()  # the e-mails are queued in the outbox
            return render_template("account/email_sent.html", email=form.new_email.data)
    status = 400 if form.errors else 200
    return render_template("account/email.html", form=form), status


@bp.route("/email-address/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """From the link in the e-mail: a button (mail scanners open links, they do not press
    buttons), then the address changes. No sign-in needed: the link is the proof."""
    if tokens.email_change_from_token(token) is None:
        return render_template("account/email_failed.html"), 400
    form = EmptyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            services.confirm_email_change(token)
        except services.EmailChangeFailed:
            db.session.rollback()
            return render_template("account/email_failed.html"), 400
        db.session.commit()
        flash(_("Your e-mail address is changed."), "success")
        target = "account.index" if current_user.is_authenticated else "auth.login"
        return redirect(url_for(target))
    return render_template("account/email_confirm.html", form=form)


@bp.route("/password", methods=["GET", "POST"])
@login_required
@rate_limit("password_change", by="user")
def change_password():
    """A new password, after the current one; every other device is signed out."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user._get_current_object(),
                form.current_password.data,
                form.password.data,
            )
        except services.WrongPassword:
            form.current_password.errors.append(_("The password is wrong."))
        else:
            db.session.commit()
            flash(_("Your password is changed. Every other device is signed out."), "success")
            return redirect(url_for("account.index"))
    status = 400 if form.errors else 200
    return render_template("account/password.html", form=form), status
