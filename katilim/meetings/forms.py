"""The forms of a meeting: scheduling (and changing) it, cancelling it, registering."""

from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from katilim.core.dates import local_moment, to_local
from katilim.core.forms import BaseForm, BoundedIntegerField, OptionalChoice, options, single_line
from katilim.meetings.decisions import ItemDecision
from katilim.meetings.models import Meeting
from katilim.meetings.services import MAX_AGENDA_ITEMS, MeetingData

MAX_CAPACITY = 10_000
MAX_ITEM_LENGTH = 300

STEP_FREE_CHOICES = (
    ("yes", _l("Yes, step-free access")),
    ("no", _l("No, there are steps")),
    ("unknown", _l("Not known")),
)
STEP_FREE_VALUES = {"yes": True, "no": False, "unknown": None}


def _web_address(form, field):
    if not field.data:
        return
    parts = urlsplit(field.data)
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in field.data:
        raise ValidationError(_l("Enter a full web address starting with https:// or http://."))


def _plausible_day(form, field):
    if field.data and not 2000 <= field.data.year <= 2999:
        raise ValidationError(_l("Enter a date between the years 2000 and 2999."))


class MeetingForm(BaseForm):
    title = StringField(
        _l("Title"),
        filters=[single_line],
        validators=[DataRequired(_l("Give the meeting a title.")), Length(max=150)],
    )
    day = DateField(
        _l("Date"),
        description=_l("Times are in Istanbul time."),
        validators=[DataRequired(_l("Enter the date, e.g. 2027-03-14.")), _plausible_day],
    )
    starts = TimeField(
        _l("Starts at"), validators=[DataRequired(_l("Enter the time, e.g. 18:30."))]
    )
    ends = TimeField(_l("Ends at (optional)"), validators=[Optional()])
    place_name = StringField(
        _l("Place (optional)"),
        description=_l("For example: Kadıköy Evlendirme Dairesi, Salon B."),
        filters=[single_line],
        validators=[Length(max=200)],
    )
    address = TextAreaField(_l("Address (optional)"), validators=[Length(max=500)])
    step_free = RadioField(
        _l("Can people in a wheelchair reach the room without steps?"),
        choices=options(STEP_FREE_CHOICES),
        default="unknown",
        validators=[OptionalChoice()],
    )
    sign_language_on_request = BooleanField(
        _l("A sign-language interpreter comes when someone asks for one when registering")
    )
    online_url = StringField(
        _l("Online link (optional)"),
        description=_l("The address where people can follow or join the meeting online."),
        filters=[single_line],
        validators=[Length(max=500), _web_address],
    )
    capacity = BoundedIntegerField(
        _l("Number of places (optional)"),
        description=_l("Leave empty when there is no limit."),
        validators=[Optional()],
        min=1,
        max=MAX_CAPACITY,
    )
    description = TextAreaField(_l("Description (optional)"), validators=[Length(max=5000)])
    proposals = SelectMultipleField(
        _l("Proposals on the agenda"), coerce=int, choices=[], validate_choice=True
    )
    free_items = TextAreaField(
        _l("Other agenda items (optional)"),
        description=_l("One item per line."),
        validators=[Length(max=MAX_AGENDA_ITEMS * MAX_ITEM_LENGTH)],
    )

    def set_candidates(self, proposals) -> None:
        """The proposals that may be put on the agenda (and those already on it)."""
        self.proposals.choices = [(p.id, p.title) for p in proposals]

    def free_item_lines(self) -> list[str]:
        return [line.strip() for line in (self.free_items.data or "").split("\n") if line.strip()]

    def validate_free_items(self, field):
        lines = self.free_item_lines()
        if any(len(line) > MAX_ITEM_LENGTH for line in lines):
            raise ValidationError(
                _l("Keep each item under %(max)s characters.", max=MAX_ITEM_LENGTH)
            )
        if len(lines) > MAX_AGENDA_ITEMS:
            raise ValidationError(
                _l("The agenda can have at most %(count)s items.", count=MAX_AGENDA_ITEMS)
            )

    def validate_ends(self, field):
        if field.data and self.starts.data and field.data <= self.starts.data:
            raise ValidationError(_l("The meeting must end after it starts."))

    def validate_online_url(self, field):
        if not (field.data or self.place_name.data or (self.address.data or "").strip()):
            raise ValidationError(
                _l("Say where the meeting is: a place, an address or an online link.")
            )

    def to_data(self) -> MeetingData:
        day, starts, ends = self.day.data, self.starts.data, self.ends.data
        return MeetingData(
            title=self.title.data or "",
            starts_at=local_moment(day, starts),
            ends_at=local_moment(day, ends) if ends else None,
            description=self.description.data or "",
            place_name=self.place_name.data or None,
            address=(self.address.data or "").strip() or None,
            is_step_free=STEP_FREE_VALUES.get(self.step_free.data or "unknown"),
            sign_language_on_request=bool(self.sign_language_on_request.data),
            online_url=self.online_url.data or None,
            capacity=self.capacity.data,
            proposal_ids=list(self.proposals.data or []),
            free_items=self.free_item_lines(),
        )

    def fill_from(self, meeting: Meeting) -> None:
        """Fill the form from a meeting (the edit page's first view)."""
        start = to_local(meeting.starts_at)
        self.title.data = meeting.title
        self.day.data = start.date()
        self.starts.data = start.time().replace(tzinfo=None)
        self.ends.data = to_local(meeting.ends_at).time() if meeting.ends_at else None
        self.place_name.data = meeting.place_name or ""
        self.address.data = meeting.address or ""
        self.step_free.data = {True: "yes", False: "no"}.get(meeting.is_step_free, "unknown")  # type: ignore[arg-type]
        self.sign_language_on_request.data = meeting.sign_language_on_request
        self.online_url.data = meeting.online_url or ""
        self.capacity.data = meeting.capacity
        self.description.data = meeting.description
        self.proposals.data = [i.proposal_id for i in meeting.agenda_items if i.proposal_id]
        self.free_items.data = "\n".join(
            i.text or "" for i in meeting.agenda_items if i.proposal_id is None
        )


class CancelForm(BaseForm):
    reason = TextAreaField(
        _l("Why is the meeting cancelled?"),
        description=_l("The reason is shown on the meeting's page and sent to registered people."),
        validators=[
            DataRequired(_l("Say why the meeting is cancelled: the reason is shown to all.")),
            Length(max=1000),
        ],
    )


class RegisterForm(BaseForm):
    needs_sign_language = BooleanField(_l("I need a sign-language interpreter"))


class ButtonForm(BaseForm):
    """A form that is only a button (giving a place back)."""


APPLY_LABELS = {
    "": _l("No status change"),
    "accept": _l("Accept"),
    "forward": _l("Forward to the municipal council"),
    "reject": _l("Reject (the decision is the reason)"),
}


class MinutesForm(BaseForm):
    """The minutes and the attendance; ``minutes_form`` adds one decision (and, where the
    proposal allows one, a status step) per agenda item."""

    minutes = TextAreaField(
        _l("Minutes"),
        description=_l("Markdown. Who took part and what was said; shown in public."),
        validators=[Optional(), Length(max=20000)],
    )
    attendance = BoundedIntegerField(
        _l("How many people came"), validators=[Optional()], min=0, max=MAX_CAPACITY * 10
    )

    def item_fields(self, item_id: int) -> tuple:
        """The item's decision field, and its status and date fields when it has them."""
        return (
            self[f"decision_{item_id}"],
            self._fields.get(f"apply_{item_id}"),
            self._fields.get(f"forwarded_on_{item_id}"),
        )

    def decisions(self, meeting: Meeting) -> list[ItemDecision]:
        """One decision per agenda item, as typed (an empty one changes nothing)."""
        entries = []
        for item in meeting.agenda_items:
            decision, apply, forwarded_on = self.item_fields(item.id)
            entries.append(
                ItemDecision(
                    item_id=item.id,
                    decision=decision.data or "",
                    apply=(apply.data or "") if apply is not None else "",
                    forwarded_on=forwarded_on.data if forwarded_on is not None else None,
                )
            )
        return entries


def minutes_form(meeting: Meeting, steps_of, *, from_request: bool) -> MinutesForm:
    """A MinutesForm for the meeting's agenda; ``steps_of(item)`` lists the status steps
    a decision may still apply to the item's proposal."""

    class Form(MinutesForm):
        pass

    for item in meeting.agenda_items:
        setattr(
            Form,
            f"decision_{item.id}",
            TextAreaField(
                _l("Decision"), validators=[Optional(), Length(max=5000)], id=f"decision-{item.id}"
            ),
        )
        steps = steps_of(item)
        if not steps:
            continue
        setattr(
            Form,
            f"apply_{item.id}",
            RadioField(
                _l("With the decision"),
                choices=options([("", APPLY_LABELS[""])] + [(s, APPLY_LABELS[s]) for s in steps]),
                validators=[OptionalChoice()],
                default="",
                id=f"apply-{item.id}",
            ),
        )
        if "forward" in steps:
            setattr(
                Form,
                f"forwarded_on_{item.id}",
                DateField(
                    _l("Date it goes to the municipal council"),
                    description=_l("Leave it empty for the day of the meeting."),
                    validators=[Optional(), _plausible_day],
                    id=f"forwarded-on-{item.id}",
                ),
            )
    if from_request:
        return Form()
    values = {f"decision_{item.id}": item.decision for item in meeting.agenda_items}
    return Form(formdata=None, minutes=meeting.minutes, attendance=meeting.attendance, **values)
