"""The volunteer forms: applying, the staff's decision, being named.

The decision and the naming choice are sent by the button pressed (name="decision" or
name="listed" with its value), so each needs no script and no radio buttons."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from katilim.core.forms import BaseForm, options
from katilim.volunteers.services import MOTIVATION_MAX, REASON_MAX


class ApplyForm(BaseForm):
    motivation = TextAreaField(
        _l("A few words about why you want to join"),
        description=_l(
            "Optional, at most %(num)s characters. The group's chairs and moderators read it; "
            "it is not public.",
            num=MOTIVATION_MAX,
        ),
        validators=[Length(max=MOTIVATION_MAX)],
        id="motivation",
    )


class DecideForm(BaseForm):
    decision = RadioField(
        _l("Decision"),
        choices=options([("accept", _l("Accept")), ("decline", _l("Decline"))]),
        validators=[InputRequired(_l("Choose accept or decline."))],
    )
    reason = TextAreaField(
        _l("Reason for declining"),
        description=_l("Needed to decline: the applicant reads it."),
        validators=[Length(max=REASON_MAX)],
    )

    def validate_reason(self, field):
        if self.decision.data == "decline" and not (field.data or "").strip():
            raise ValidationError(
                _l("Say why the application is declined: the applicant reads it.")
            )


class ListingForm(BaseForm):
    listed = RadioField(
        _l("Name on the group's page"),
        choices=options([("yes", _l("Show my name")), ("no", _l("Do not show my name"))]),
        validators=[InputRequired(_l("Choose whether to show your name."))],
    )
