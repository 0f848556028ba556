"""Forms of the privacy pages: a consent choice, account deletion, traffic record filters."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from katilim.core.forms import BaseForm, BoundedIntegerField, plausible_date
from katilim.core.params import MAX_ID
from katilim.privacy.models import ConsentPurpose

REQUIRED = _l("This field is required.")


class ConsentForm(BaseForm):
    """One button per purpose: give or withdraw (the purpose and the choice are hidden)."""

    purpose = HiddenField(validators=[DataRequired()])
    choice = HiddenField(validators=[DataRequired()])

    def validate_purpose(self, field):
        if field.data not in {p.value for p in ConsentPurpose}:
            raise ValidationError(_l("Unknown purpose."))

    def validate_choice(self, field):
        if field.data not in ("give", "withdraw"):
            raise ValidationError(_l("Unknown choice."))


class DeleteAccountForm(BaseForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(REQUIRED)])
    confirm = BooleanField(
        _l("I understand that my account is deleted for good and cannot be restored."),
        validators=[DataRequired(_l("Tick this box to confirm."))],
    )


class TrafficFilterForm(BaseForm):
    """Filters read from the query string (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    date_from = DateField(_l("From (date)"), validators=[Optional(), plausible_date])
    date_to = DateField(_l("To (date, included)"), validators=[Optional(), plausible_date])
    address = StringField(
        _l("IP address"),
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        validators=[Optional(), Length(max=45, message=_l("Use at most %(max)d characters."))],
    )
    user_id = BoundedIntegerField(_l("User number"), validators=[Optional()], min=1, max=MAX_ID)

    def validate_date_to(self, field):
        start = self.date_from.data
        if field.data and start and field.data < start:
            raise ValidationError(_l("The end date is before the start date."))
