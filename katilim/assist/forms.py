"""The assisted-entry form: the proposal form, minus the author's choices, plus the record."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from katilim.assist.models import AGE_BAND_LABELS, CHANNEL_LABELS
from katilim.core.forms import OptionalChoice, options
from katilim.proposals.forms import ProposalForm


class AssistForm(ProposalForm):
    """Title, summary, text, district, tags, body and routing suggestions come from the
    proposal form, so that routing works the same for everyone (katilim/proposals/routes.py)."""

    # An assisted proposal is always published at once and without a name.
    is_pseudonymous = None
    save_draft = None
    save = None

    language = SelectField(
        _l("Language the proposal is written in"), choices=[], validators=[DataRequired()]
    )
    channel = RadioField(
        _l("How did the person reach you?"),
        choices=options([(channel.value, label) for channel, label in CHANNEL_LABELS.items()]),
        validators=[DataRequired(_l("Choose one."))],
    )
    consent = BooleanField(
        _l("I read the text above to the person and they agreed."),
        validators=[DataRequired(_l("The person's consent is required."))],
    )
    age_band = SelectField(
        _l("Age band (optional)"),
        choices=options(
            [("", _l("Not asked or not given"))]
            + [(band.value, label) for band, label in AGE_BAND_LABELS.items()]
        ),
        validators=[OptionalChoice()],
    )
    contact = TextAreaField(
        _l("How to reach the person with the answer (optional)"),
        description=_l(
            "A phone number or an address. Only you and the council's staff see it; it is never"
            " published."
        ),
        validators=[Length(max=300, message=_l("Use at most %(max)d characters."))],
    )
    letter_locale = SelectField(
        _l("Language of the status letter"), choices=[], validators=[DataRequired()]
    )
