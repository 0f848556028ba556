"""The e-mail frequency choice on the account page."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.validators import InputRequired

from katilim.core.forms import BaseForm, options
from katilim.notifications.models import EmailFrequency

FREQUENCY_LABELS = {
    EmailFrequency.IMMEDIATE: _l("Right away: one e-mail for each piece of news"),
    EmailFrequency.DAILY: _l("Once a day: one summary of all news"),
    EmailFrequency.NEVER: _l("Never: I read the news on the site"),
}


class EmailFrequencyForm(BaseForm):
    email_frequency = RadioField(
        _l("E-mails about proposals and groups you follow"),
        choices=options((value.value, label) for value, label in FREQUENCY_LABELS.items()),
        validators=[InputRequired(_l("Please choose one of the options."))],
    )
