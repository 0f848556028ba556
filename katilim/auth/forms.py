"""Account forms."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from katilim.core.forms import BaseForm, HoneypotForm, OptionalChoice, single_line

MIN_PASSWORD = 10


def _strip(value):
    # Phone keyboards add a space after an autocompleted address; it is not part of it.
    return value.strip() if isinstance(value, str) else value


def not_blank(form, field):
    if field.data is not None and not field.data.strip():
        raise ValidationError(_l("This field is required."))


# One rule each for what an address and a new password must be (sign-up, reset, /me).
def address_field(label) -> EmailField:
    return EmailField(
        label,
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


def display_name_field(label=None) -> StringField:
    """A person's name as others see it; ``label`` for a form where it is not one's own."""
    return StringField(
        label or _l("Name shown with what you write"),
        filters=[single_line],
        validators=[
            DataRequired(_l("This field is required.")),
            not_blank,
            Length(min=2, max=80, message=_l("Use between %(min)d and %(max)d characters.")),
        ],
    )


def new_password_field(label) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired(_l("This field is required.")),
            Length(min=MIN_PASSWORD, max=200, message=_l("Use at least %(min)d characters.")),
        ],
    )


def password_again_field(label) -> PasswordField:
    """Repeats the form's ``password`` field."""
    return PasswordField(
        label,
        validators=[
            DataRequired(_l("This field is required.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ],
    )


class RegisterForm(HoneypotForm):
    email = address_field(_l("E-mail address"))
    display_name = display_name_field()
    district = SelectField(_l("District (optional)"), choices=[], validators=[OptionalChoice()])
    password = new_password_field(_l("Password"))
    password_again = password_again_field(_l("Password again"))
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
    email = address_field(_l("E-mail address"))


class ResetPasswordForm(BaseForm):
    password = new_password_field(_l("New password"))
    password_again = password_again_field(_l("New password again"))


class EmptyForm(BaseForm):
    """A form with only the CSRF token, for buttons that POST."""
