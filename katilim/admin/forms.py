"""Admin forms: bodies, districts, members, site roles and the audit log's filters."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from katilim.auth.models import SiteRole
from katilim.core.forms import BaseForm, BoundedIntegerField, options, plausible_date, single_line
from katilim.core.params import MAX_ID
from katilim.organization.editing import KEYWORD_MAX, SLUG_MAX, SLUG_PATTERN, parse_keywords
from katilim.organization.models import BODY_KIND_LABELS, MembershipRole

MEMBERSHIP_ROLE_LABELS = {
    MembershipRole.MODERATOR: _l("Moderator"),
    MembershipRole.CHAIR: _l("Chair"),
}
SITE_ROLE_LABELS = {
    SiteRole.RESIDENT: _l("No site role"),
    SiteRole.FACILITATOR: _l("Facilitator"),
    SiteRole.ADMIN: _l("Admin"),
}
MAX_KEYWORDS = 300
REQUIRED = _l("This field is required.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def not_blank(form, field):
    if field.data is not None and not field.data.strip():
        raise ValidationError(REQUIRED)


def _length(max_: int) -> Length:
    return Length(max=max_, message=_l("Use at most %(max)d characters."))


def _slug_validators():
    return [
        DataRequired(REQUIRED),
        Length(min=2, max=SLUG_MAX, message=_l("Use between %(min)d and %(max)d characters.")),
        Regexp(
            rf"^{SLUG_PATTERN.pattern}$",
            message=_l("Use lower-case letters a–z, digits and hyphens only, like kadin-meclisi."),
        ),
    ]


def _keywords_fit(form, field):
    keywords = parse_keywords(field.data)
    too_long = [k for k in keywords if len(k) > KEYWORD_MAX]
    if too_long:
        raise ValidationError(
            _l(
                "A keyword can have at most %(max)d characters: %(words)s",
                max=KEYWORD_MAX,
                words=", ".join(too_long),
            )
        )
    if len(keywords) > MAX_KEYWORDS:
        raise ValidationError(_l("Use at most %(max)d keywords.", max=MAX_KEYWORDS))


class BodyForm(BaseForm):
    name_tr = StringField(
        _l("Name in Turkish"),
        filters=[single_line],
        validators=[DataRequired(REQUIRED), _length(150)],
    )
    name_en = StringField(
        _l("Name in English"),
        description=_l("If empty, the Turkish name is shown."),
        filters=[single_line],
        validators=[_length(150)],
    )
    description_tr = TextAreaField(
        _l("Description in Turkish"),
        description=_l("One or two sentences: what the group works on."),
        validators=[DataRequired(REQUIRED), not_blank, _length(1000)],
    )
    description_en = TextAreaField(
        _l("Description in English"),
        description=_l("If empty, the Turkish description is shown."),
        validators=[_length(1000)],
    )
    name_ar = StringField(
        _l("Name in Arabic"),
        description=_l("If empty, the Turkish name is shown."),
        filters=[single_line],
        validators=[_length(150)],
    )
    description_ar = TextAreaField(
        _l("Description in Arabic"),
        description=_l("If empty, the Turkish description is shown."),
        validators=[_length(1000)],
    )
    name_ku = StringField(
        _l("Name in Kurmanji Kurdish"),
        description=_l("If empty, the Turkish name is shown."),
        filters=[single_line],
        validators=[_length(150)],
    )
    description_ku = TextAreaField(
        _l("Description in Kurmanji Kurdish"),
        description=_l("If empty, the Turkish description is shown."),
        validators=[_length(1000)],
    )
    kind = SelectField(
        _l("Kind"),
        choices=options((kind.value, label) for kind, label in BODY_KIND_LABELS.items()),
    )
    slug = StringField(
        _l("Short name in addresses"),
        description=_l(
            "Lower-case letters a–z, digits and hyphens, like engelli-meclisi. It is part of "
            "the group's address and cannot be changed later."
        ),
        filters=[_strip],
        validators=_slug_validators(),
    )
    keywords = TextAreaField(
        _l("Routing keywords (Turkish)"),
        description=_l(
            "One per line or separated by commas. A keyword also matches words that start "
            "with it (otobüs finds otobüsler); start it with = to match the whole word only "
            "(=iş does not match işaret)."
        ),
        validators=[_keywords_fit],
    )
    support_threshold = BoundedIntegerField(
        _l("Support threshold"),
        description=_l("How many supporters put a proposal on the group's agenda (1 to 100000)."),
        validators=[InputRequired(REQUIRED)],
        min=1,
        max=100_000,
    )
    response_days = BoundedIntegerField(
        _l("Response deadline in days"),
        description=_l("How many days the group has to give a first answer (1 to 365)."),
        validators=[InputRequired(REQUIRED)],
        min=1,
        max=365,
    )
    is_active = BooleanField(
        _l("Active: shown to the public and open for new proposals"), default=True
    )


class DistrictForm(BaseForm):
    slug = StringField(
        _l("Short name in addresses"),
        description=_l(
            "Lower-case letters a–z, digits and hyphens, like yeni-mahalle. It cannot be"
            " changed later."
        ),
        filters=[_strip],
        validators=_slug_validators(),
    )
    name_tr = StringField(
        _l("Name"),
        description=_l(
            "In Turkish spelling (with ç, ğ, ı, İ, ö, ş, ü), which every language keeps."
        ),
        filters=[single_line],
        validators=[DataRequired(REQUIRED), _length(100)],
    )
    name_en = StringField(
        _l("Name in English texts"),
        description=_l("Usually the same Turkish spelling; leave empty to use it."),
        filters=[single_line],
        validators=[_length(100)],
    )
    population = BoundedIntegerField(
        _l("Population (optional)"),
        description=_l("Used for figures per 1000 residents."),
        validators=[Optional()],
        min=0,
        max=100_000_000,
    )
    population_year = BoundedIntegerField(
        _l("Year of the population figure"),
        validators=[Optional()],
        min=1900,
        max=2100,
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # A figure without its year cannot be checked against TÜİK's tables. Checked here:
        # Optional() ends the year field's own validators when it is empty.
        if self.population.data is not None and self.population_year.data is None:
            if not self.population_year.errors:
                self.population_year.errors.append(_l("Give the year of the population figure."))
            valid = False
        return valid


class MemberForm(BaseForm):
    email = EmailField(
        _l("E-mail address of the account"),
        description=_l("The person must have an account with a confirmed address."),
        filters=[_strip],
        validators=[
            DataRequired(REQUIRED),
            Email(
                _l("Enter a valid e-mail address, like ayse@example.org."),
                check_deliverability=False,
            ),
            _length(254),
        ],
    )
    role = SelectField(
        _l("Role"),
        choices=options((role.value, label) for role, label in MEMBERSHIP_ROLE_LABELS.items()),
        default=MembershipRole.MODERATOR.value,
    )


class MemberRoleForm(BaseForm):
    role = SelectField(
        _l("Role"),
        choices=options((role.value, label) for role, label in MEMBERSHIP_ROLE_LABELS.items()),
    )


class AccountActiveForm(BaseForm):
    """Deactivate ("0") or reactivate ("1") an account: a button with a hidden value."""

    active = HiddenField(validators=[AnyOf(("0", "1"))])
    next = HiddenField()


class SiteRoleForm(BaseForm):
    role = SelectField(
        _l("Site role"),
        choices=options((role.value, label) for role, label in SITE_ROLE_LABELS.items()),
    )
    next = HiddenField()


class AuditFilterForm(BaseForm):
    """The audit log's filters, read from the query string (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    actor = EmailField(
        _l("Actor's e-mail address"),
        filters=[_strip],
        validators=[Optional(), _length(254)],
    )
    # default "": a filter left out of the query string means "all", not an invalid choice
    action = SelectField(_l("Action"), choices=[], default="")
    target_type = SelectField(_l("Target type"), choices=[], default="")
    target_id = BoundedIntegerField(_l("Target number"), validators=[Optional()], min=1, max=MAX_ID)
    date_from = DateField(_l("From (date)"), validators=[Optional(), plausible_date])
    date_to = DateField(_l("To (date, included)"), validators=[Optional(), plausible_date])

    def validate_date_to(self, field):
        start = self.date_from.data
        if field.data and start and field.data < start:
            raise ValidationError(_l("The end date is before the start date."))
