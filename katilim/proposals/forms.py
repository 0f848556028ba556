"""The proposal form, shared by writing and editing."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, ValidationError

from katilim.core.forms import BaseForm, HoneypotForm, OptionalChoice, options, single_line
from katilim.proposals.queries import similar_proposals
from katilim.proposals.routing import RoutingDecision, decide_routing

PHOTO_SLOTS = 3  # as many as the PHOTOS_PER_PROPOSAL setting; katilim/photos checks it
SUGGEST = ""  # the body choice "I don't know, route it for me"
GENERAL_QUEUE = "general"  # none of the suggestions fits: the council routes it


def not_blank(form, field):
    if field.data is not None and not field.data.strip():
        raise ValidationError(_l("This field is required."))


def _length(min_: int, max_: int) -> Length:
    return Length(min=min_, max=max_, message=_l("Use between %(min)d and %(max)d characters."))


def add_photo_fields(form_class):
    """Add photo_1..3 with their alt texts. The author's existing photos, which can be
    removed when editing, are not fields: they are not known when the class is built."""
    for slot in range(1, PHOTO_SLOTS + 1):
        setattr(form_class, f"photo_{slot}", FileField(_l("Photo %(num)s", num=slot)))
        setattr(
            form_class,
            f"photo_alt_{slot}",
            StringField(
                _l("What photo %(num)s shows", num=slot),
                description=_l(
                    "For people who cannot see it, e.g. “Broken pavement in front of the school gate”."
                ),
                filters=[single_line],
                validators=[Length(max=250, message=_l("Use at most %(max)d characters."))],
            ),
        )
    return form_class


@add_photo_fields
class ProposalForm(HoneypotForm):
    title = StringField(
        _l("Title"),
        description=_l("Say what you propose in one sentence."),
        filters=[single_line],
        validators=[DataRequired(_l("This field is required.")), not_blank, _length(10, 150)],
    )
    summary = TextAreaField(
        _l("In short (plain language)"),
        description=_l("One or two short sentences that anyone can understand."),
        validators=[DataRequired(_l("This field is required.")), not_blank, _length(20, 300)],
    )
    text = TextAreaField(
        _l("Your proposal"),
        description=_l(
            "What is the problem, where, and what should be done? You can use **bold** and lists with -."
        ),
        validators=[DataRequired(_l("This field is required.")), not_blank, _length(50, 20000)],
    )
    # Optional: a form sent without it (an older page) falls back to the reader's language.
    language = SelectField(
        _l("Language of your proposal"),
        description=_l("The language you write in. Readers can look for proposals by language."),
        choices=[],
        validators=[OptionalChoice()],
    )
    district = SelectField(_l("District"), choices=[], validators=[OptionalChoice()])
    tags = StringField(
        _l("Tags (optional)"),
        description=_l("A few words separated by commas, for example: tramvay, kaldırım"),
        filters=[single_line],
        validators=[Length(max=200, message=_l("Use at most %(max)d characters."))],
    )
    is_pseudonymous = BooleanField(
        _l("Publish without my name"),
        description=_l(
            "Others see “Anonymous resident” and the district. Moderators see a code instead of"
            " your name; only the council's administrators can see who you are, and they must"
            " record why."
        ),
    )
    body = SelectField(_l("Which assembly or working group is it for?"), choices=[])
    suggested_body = RadioField(_l("Where should it go?"), choices=[], validate_choice=False)
    # "1" once the similar open proposals were shown: publishing goes on without them.
    similar_seen = HiddenField(validators=[Length(max=1)])
    publish = SubmitField(_l("Publish"))
    save_draft = SubmitField(_l("Save as draft"))
    save = SubmitField(_l("Save changes"))


class WithdrawForm(BaseForm):
    reason = TextAreaField(
        _l("Why are you withdrawing it? (optional)"), validators=[Length(max=1000)]
    )


def routing_from_form(
    form: ProposalForm, bodies: dict, *, needs_body: bool, current=(None, None)
) -> RoutingDecision:
    """The routing decision (``routing.decide_routing``) for a proposal form, the assisted one
    too; when a suggestion must still be confirmed, the form gets the suggestions to choose."""
    decision = decide_routing(
        bodies,
        form.body.data,
        needs_body=needs_body,
        title=form.title.data,
        text=form.text.data + " " + form.summary.data,
        confirmed=form.suggested_body.data,
        to_council=form.suggested_body.data == GENERAL_QUEUE,
        current=current,
    )
    if not decision.ready:  # a ready decision redirects: the form is only shown again here
        form.suggested_body.choices = options(
            [(s.body.slug, s.body.name) for s in decision.suggestions]
            + [(GENERAL_QUEUE, _("None of these: let the council decide"))]
        )
        if form.suggested_body.raw_data:
            form.suggested_body.errors = [_("Please choose one of the suggestions.")]
        form.suggested_body.data = (
            decision.suggestions[0].body.slug if decision.suggestions else GENERAL_QUEUE
        )
    return decision


def similar_step(form: ProposalForm, council_id: int, exclude_id: int | None = None) -> list:
    """The open proposals to show before publishing (``queries.similar_proposals``), once: an
    empty list goes on to publish.

    Like the body suggestions, a step of the form that keeps everything typed; the hidden
    field says it was shown, so the next "Publish" publishes.
    """
    if form.similar_seen.data == "1":
        return []
    form.similar_seen.data = "1"
    return similar_proposals(council_id, form.title.data, form.summary.data, exclude_id=exclude_id)
