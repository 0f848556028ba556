"""The account's settings forms: name, district and language; e-mail address; password."""

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from katilim.auth.forms import (
    address_field,
    new_password_field,
    not_blank,
    password_again_field,
)
from katilim.core.forms import BaseForm, OptionalChoice, single_line


class ProfileForm(BaseForm):
    display_name = StringField(
        _l("Name shown with what you write"),
        filters=[single_line],
        validators=[
            DataRequired(_l("This field is required.")),
            not_blank,
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
    new_email = address_field(_l("New e-mail address"))
    current_password = PasswordField(
        _l("Your current password"),
        validators=[DataRequired(_l("This field is required.")), Length(max=200)],
    )


class PasswordChangeForm(BaseForm):
    current_password = PasswordField(
        _l("Your current password"),
        validators=[DataRequired(_l("This field is required.")), Length(max=200)],
    )
    password = new_password_field(_l("New password"))
    password_again = password_again_field(_l("New password again"))
