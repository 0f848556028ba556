"""Account pages."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from katilim.auth import lockout, services, sessions, tokens
from katilim.auth.forms import (
    EmptyForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from katilim.core.forms import options
from katilim.core.limits import rate_limit
from katilim.core.urls import absolute_url, safe_next
from katilim.extensions import db
from katilim.i18n import current_locale
from katilim.mail import send_email
from katilim.organization.services import current_council, list_districts
from katilim.privacy.models import ConsentPurpose

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.route("/register", methods=["GET", "POST"])
@rate_limit("register")
def register():
    """Create an account; a verification link goes to the address."""
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = RegisterForm()
    districts = list_districts(current_council())
    form.district.choices = options(
        [("", _("— not given —"))] + [(d.slug, d.name) for d in districts]
    )
    if form.validate_on_submit():
        district = next((d for d in districts if d.slug == form.district.data), None)
        consents = (ConsentPurpose.EMAIL_UPDATES,) if form.consent_email_updates.data else ()
        try:
            user = services.register_user(
                email=form.email.data,
                display_name=form.display_name.data,
                password=form.password.data,
                district=district,
                locale=current_locale(),
                consents=consents,
            )
        except services.EmailTaken:
            # Same answer as a new account, so the form does not reveal who is registered;
            # the owner of the address learns by e-mail instead.
            existing = services.find_user_by_email(form.email.data)
            send_email(
                existing.email,
                _l("Someone tried to register with your address"),
                "already_registered",
                locale=existing.locale,
                user=existing,
                login_link=absolute_url("auth.login"),
                reset_link=absolute_url("auth.reset"),
            )
            db.session.commit()  # the e-mail is queued in the outbox
        else:
            services.send_verification_email(user)
            db.session.commit()
        return redirect(url_for("auth.check_inbox"))
    return render_template("auth/register.html", form=form)


@bp.route("/check-inbox")
def check_inbox():
    """After registration: tells the person to open the link we sent."""
    return render_template("auth/check_inbox.html")


@bp.route("/verify/<token>")
def verify(token: str):
    """Confirm an e-mail address from the link in the message."""
    user = tokens.user_from_verify_token(token)
    if user is None:
        return render_template("auth/verify_failed.html"), 400
    first_use = not user.is_verified
    services.verify_email(user)
    # Only the first use signs in: a forwarded or logged link must not open the account.
    if first_use and not current_user.is_authenticated:
        sessions.sign_in(user)
    db.session.commit()
    flash(
        _(
            "Thank you, your e-mail address is confirmed. You can now submit proposals, vote and comment."
        ),
        "success",
    )
    return redirect(url_for("core.home"))


@bp.route("/verify/resend", methods=["POST"])
@login_required
@rate_limit("resend_verification", by="user")
def resend_verification():
    """Send the verification link again."""
    if EmptyForm().validate_on_submit() and not current_user.is_verified:
        services.send_verification_email(current_user)
        db.session.commit()  # the e-mail is queued in the outbox
        flash(_("We sent the link again. Please check your inbox and spam folder."), "info")
    return redirect(safe_next(request.form.get("next"), url_for("core.home")))


@bp.route("/login", methods=["GET", "POST"])
@rate_limit("login_address")
# A stranger using up an address's allowance must not keep its owner's browsers out.
@rate_limit("login_account", by="account", exempt_when=lockout.known_device_in_form)
def login():
    """Sign in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if form.validate_on_submit():
        # The same answers whether the address has an account or not (see auth/lockout.py).
        device = lockout.known_device(form.email.data)
        until = lockout.locked_until(form.email.data, device)
        if until is None:
            user = services.authenticate(form.email.data, form.password.data)
            if user is not None:
                lockout.succeeded(form.email.data, device)
                sessions.sign_in(user, remember=form.remember.data)
                db.session.commit()
                flash(_("You are signed in."), "success")
                return redirect(safe_next(request.args.get("next"), url_for("core.home")))
            until = lockout.record_failure(form.email.data, device)
            db.session.commit()
            if until is None:
                form.password.errors.append(_("The e-mail address or the password is wrong."))
        if until is not None:
            form.email.errors.append(
                _(
                    "Too many failed sign-ins with this e-mail address: signing in with it is "
                    "paused. Try again in %(minutes)s min. If it is yours, you can also reset "
                    "your password.",
                    minutes=lockout.minutes_left(until),
                )
            )
            return render_template("auth/login.html", form=form), 429
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out (a POST, so that another site cannot sign people out with a link)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    sessions.sign_out()  # a copy of this browser's cookies opens nothing any more
    db.session.commit()
    flash(_("You are signed out."), "info")
    return redirect(url_for("core.home"))


@bp.route("/reset", methods=["GET", "POST"])
@rate_limit("reset_address")
@rate_limit("reset_account", by="account")
def reset():
    """Ask for a password reset link."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.send_password_reset(form.email.data)
        db.session.commit()  # the e-mail, if any, is queued in the outbox
        return render_template("auth/reset_sent.html", email=form.email.data)
    return render_template("auth/reset.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_with_token(token: str):
    """Choose a new password from the link in the message."""
    user = tokens.user_from_reset_token(token)
    if user is None:
        return render_template("auth/reset_failed.html"), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(user, form.password.data)  # ends every other session
        # Following the link proves the address too.
        services.verify_email(user)
        sessions.sign_in(user)  # this browser, afresh
        db.session.commit()
        flash(_("Your password is changed and you are signed in."), "success")
        current_app.logger.info("Password reset for user %s", user.id)
        return redirect(url_for("core.home"))
    return render_template("auth/reset_password.html", form=form)
