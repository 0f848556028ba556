"""Account forms."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from katilim.core.forms import BaseForm, HoneypotForm, OptionalChoice, single_line

MIN_PASSWORD = 10


def _strip(value):
    # Phone keyboards add a space after an autocompleted address; it is not part of it.
    return value.strip() if isinstance(value, str) else value


def _not_blank(form, field):
    if field.data is not None and not field.data.strip():
        raise ValidationError(_l("This field is required."))


class RegisterForm(HoneypotForm):
    email = EmailField(
        _l("E-mail address"),
        filters=[_strip],
        validators=[
            DataRequired(_l("This field is required.")),
            Email(
                _l("Enter a valid e-mail address, like ayse@example.org."),
                check_deliverability=False,
            ),
            Length(max=254),
        ],
    )
    display_name = StringField(
        _l("Name shown with what you write"),
        filters=[single_line],
        validators=[
            DataRequired(_l("This field is required.")),
            _not_blank,
            Length(min=2, max=80, message=_l("Use between %(min)d and %(max)d characters.")),
        ],
    )
    district = SelectField(_l("District (optional)"), choices=[], validators=[OptionalChoice()])
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("This field is required.")),
            Length(min=MIN_PASSWORD, max=200, message=_l("Use at least %(min)d characters.")),
        ],
    )
    password_again = PasswordField(
        _l("Password again"),
        validators=[
            DataRequired(_l("This field is required.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ],
    )
    privacy_notice = BooleanField(
        _l("I have read the privacy notice (aydınlatma metni)."),
        validators=[DataRequired(_l("Please read the privacy notice and tick this box."))],
    )
    consent_email_updates = BooleanField(
        _l(
            "I agree to receive e-mails about proposals I follow (optional; you can withdraw at any time)."
        )
    )


class LoginForm(HoneypotForm):
    email = EmailField(
        _l("E-mail address"),
        filters=[_strip],
        validators=[DataRequired(_l("This field is required.")), Length(max=254)],
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(_l("This field is required.")), Length(max=200)]
    )
    remember = BooleanField(_l("Keep me signed in on this device"))


class ResetRequestForm(HoneypotForm):
    email = EmailField(
        _l("E-mail address"),
        filters=[_strip],
        validators=[
            DataRequired(_l("This field is required.")),
            Email(
                _l("Enter a valid e-mail address, like ayse@example.org."),
                check_deliverability=False,
            ),
            Length(max=254),
        ],
    )


class ResetPasswordForm(BaseForm):
    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(_l("This field is required.")),
            Length(min=MIN_PASSWORD, max=200, message=_l("Use at least %(min)d characters.")),
        ],
    )
    password_again = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(_l("This field is required.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ],
    )


class EmptyForm(BaseForm):
    """A form with only the CSRF token, for buttons that POST."""
