"""The account's settings forms: name, district and language; e-mail address; password."""

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SelectField
from wtforms.validators import DataRequired, Length

from katilim.auth.forms import (
    address_field,
    display_name_field,
    new_password_field,
    password_again_field,
)
from katilim.core.forms import BaseForm, OptionalChoice


class ProfileForm(BaseForm):
    display_name = display_name_field()
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
