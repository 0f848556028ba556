"""Moderators' forms, and the residents' report form."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from katilim.core.forms import BaseForm, BoundedIntegerField, HoneypotForm, options, single_line
from katilim.core.params import MAX_ID
from katilim.moderation.models import FLAG_REASON_LABELS

REQUIRED = _l("This field is required.")

ACTION_LABELS = {
    "claim": _l("Start the review"),
    "accept": _l("Accept"),
    "reject": _l("Reject"),
    "forward": _l("Forward to the municipal council"),
    "implement": _l("Mark as implemented"),
    "close": _l("Close without implementing"),
}


# The review page shows several of these forms at once: each field gets its own id, so that
# every label, hint and error points at the right field.


class StatusForm(BaseForm):
    action = SelectField(_l("Step"), choices=[], validators=[DataRequired(REQUIRED)])
    text = TextAreaField(
        _l("Public text"),
        id="status-text",
        description=_l(
            "Shown on the proposal's timeline and sent to its followers. Required to reject or close."
        ),
        validators=[Length(max=5000)],
    )
    forwarded_on = DateField(
        _l("Date it went to the municipal council"),
        description=_l("Only when forwarding."),
        validators=[Optional()],
    )
    # The status the moderator saw when the page was loaded: a step chosen for another status
    # (another moderator decided meanwhile) is refused instead of applied on top of it.
    seen = HiddenField()


class AnswerForm(BaseForm):
    text = TextAreaField(
        _l("Public answer"),
        validators=[DataRequired(REQUIRED), Length(max=5000)],
        id="answer-text",
    )


class AgendaForm(BaseForm):
    agenda_on = DateField(
        _l("Date of the municipal council meeting that had it on its agenda"),
        validators=[InputRequired(REQUIRED)],
    )
    decision_reference = StringField(
        _l("Decision reference (optional)"), validators=[Length(max=120)]
    )


class RerouteForm(BaseForm):
    body = SelectField(_l("Move to"), choices=[], validators=[DataRequired(REQUIRED)])
    reason = TextAreaField(
        _l("Public reason"),
        validators=[DataRequired(REQUIRED), Length(max=2000)],
        id="reroute-reason",
    )


class ReferForm(BaseForm):
    reason = TextAreaField(
        _l("Public reason"),
        validators=[DataRequired(REQUIRED), Length(max=2000)],
        id="refer-reason",
    )


class MergeForm(BaseForm):
    target_id = BoundedIntegerField(
        _l("Number of the proposal to merge into"),
        description=_l("The number in its address, for example 42 in /proposals/42."),
        validators=[InputRequired(REQUIRED)],
        min=1,
        max=MAX_ID,
    )
    reason = TextAreaField(
        _l("Public reason"),
        validators=[DataRequired(REQUIRED), Length(max=2000)],
        id="merge-reason",
    )
    # Set by the confirmation page, which shows the target before anything changes.
    confirmed = HiddenField()


class UnmergeForm(BaseForm):
    reason = TextAreaField(
        _l("Public reason for undoing the merge"),
        validators=[DataRequired(REQUIRED), Length(max=2000)],
        id="unmerge-reason",
    )


class AssignForm(BaseForm):
    assignee = SelectField(_l("Reviewer"), choices=[], validators=[DataRequired(REQUIRED)])


class HideForm(BaseForm):
    reason = TextAreaField(
        _l("Public reason for hiding"),
        validators=[DataRequired(REQUIRED), Length(max=2000)],
        id="hide-reason",
    )


class ResolveFlagForm(BaseForm):
    resolution = RadioField(
        _l("Decision"),
        choices=options(
            [("hidden", _l("Hide the content")), ("dismissed", _l("No rule was broken: keep it"))]
        ),
        validators=[DataRequired(REQUIRED)],
    )
    note = TextAreaField(
        _l("What you decided and why"),
        description=_l("If you hide the content, this text is shown in its place."),
        validators=[DataRequired(REQUIRED), Length(max=2000)],
    )


class ReportForm(HoneypotForm):
    reason = RadioField(
        _l("What is wrong?"),
        choices=options([(reason.value, label) for reason, label in FLAG_REASON_LABELS.items()]),
        validators=[DataRequired(_l("Choose one."))],
    )
    note = TextAreaField(
        _l("Tell us more (optional)"),
        description=_l(
            "For a personality-rights complaint, say which of your rights is violated and how."
        ),
        validators=[Length(max=2000)],
    )


class TemplateForm(BaseForm):
    title = StringField(
        _l("Name of the template"),
        filters=[single_line],
        validators=[DataRequired(REQUIRED), Length(max=120)],
    )
    text = TextAreaField(_l("Text"), validators=[DataRequired(REQUIRED), Length(max=5000)])
