"""The account's settings forms: name, district and language; e-mail address; password."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from katilim.auth.forms import MIN_PASSWORD, _not_blank, _strip
from katilim.core.forms import BaseForm, OptionalChoice, single_line


class ProfileForm(BaseForm):
    display_name = StringField(
        _l("Name shown with what you write"),
        filters=[single_line],
        validators=[
            DataRequired(_l("This field is required.")),
            _not_blank,
            Length(min=2, max=80, message=_l("Use between %(min)d and %(max)d characters.")),
        ],
    )
    district = SelectField(
        _l("District (optional)"),
        description=_l("New proposals start with this district; you can change it on each."),
        choices=[],
        validators=[OptionalChoice()],
    )
    locale = SelectField(_l("Language of the site and of e-mails"), choices=[])


class EmailChangeForm(BaseForm):
    new_email = EmailField(
        _l("New e-mail address"),
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
    current_password = PasswordField(
        _l("Your current password"),
        validators=[DataRequired(_l("This field is required.")), Length(max=200)],
    )


class PasswordChangeForm(BaseForm):
    current_password = PasswordField(
        _l("Your current password"),
        validators=[DataRequired(_l("This field is required.")), Length(max=200)],
    )
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
