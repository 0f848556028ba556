"""The base form every form inherits: cleans text input before validation.

Public forms (sign-in, registration, reset, proposal, comment, report) inherit HoneypotForm.
"""

from flask import current_app, request
from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.csrf import _FlaskFormCSRF
from markupsafe import escape
from werkzeug.datastructures import ImmutableMultiDict
from wtforms import IntegerField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation, ValidationError

from katilim.core.params import parse_int
from katilim.core.text import clean_input, clean_line

_FROM_REQUEST = object()


def _clean(value):
    return clean_input(value) if isinstance(value, str) else value


# WTForms' own messages that our forms can show. Marked here so that they are extracted into
# the site's catalogue: WTForms ships Turkish and Arabic but no Kurmanji, and a person
# reading Kurmanji must not get an English error.
WTFORMS_MESSAGES = (
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    _l("Not a valid integer value."),
    _l("Not a valid date value."),
    _l("Not a valid time value."),
    _l("This field is required."),
    _l("Invalid email address."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Field must be equal to %(other_name)s."),
)


def _plural(singular: str, plural: str) -> tuple[str, str]:
    """Marks a plural message of WTForms for extraction (``-k _plural:1,2`` in cli.py)."""
    return singular, plural


WTFORMS_PLURAL_MESSAGES = (
    _plural(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
    ),
    _plural(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
    ),
)


class _SiteFirstTranslations:
    """WTForms' messages from the site's catalogue when it translates them, else from
    WTForms' own catalogue (Flask-WTF's). Raw gettext: WTForms fills in %(min)s itself."""

    def __init__(self, fallback):
        self.fallback = fallback

    def gettext(self, string: str) -> str:
        translated = get_translations().gettext(string)
        if translated != string:
            return translated
        return self.fallback.gettext(string) if self.fallback else string

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        translated = get_translations().ngettext(singular, plural, n)
        if translated not in (singular, plural):
            return translated
        if self.fallback:
            return self.fallback.ngettext(singular, plural, n)
        return singular if n == 1 else plural


class LazyToken:
    """A CSRF token made when a template prints it, not when its form is built.

    Making a token writes it into the session, and a session gives the visitor a cookie: a
    page that merely builds a form it does not show (the buttons' ``button_form`` of every
    page, a vote form an anonymous visitor sees as a sign-in link) would make every
    anonymous visitor's page personal, and so impossible to share from the page cache
    (katilim/core/pagecache.py). The token is made once, on first use.
    """

    __slots__ = ("_make", "_value")

    def __init__(self, make):
        self._make = make
        self._value: str | None = None

    def __str__(self) -> str:
        if self._value is None:
            self._value = self._make()
        return self._value

    def __html__(self) -> str:
        return str(escape(str(self)))

    def __eq__(self, other) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    def __len__(self) -> int:
        return len(str(self))


class LazyForm:
    """A form built on first use, for forms every page may print (``button_form``)."""

    __slots__ = ("_make", "_form")

    def __init__(self, make):
        self._make = make
        self._form = None

    def __getattr__(self, name: str):
        if self._form is None:
            self._form = self._make()
        return getattr(self._form, name)


class _LazyCSRF(_FlaskFormCSRF):
    def generate_csrf_token(self, csrf_token_field):
        return LazyToken(lambda: super(_LazyCSRF, self).generate_csrf_token(csrf_token_field))


class BaseForm(FlaskForm):
    class Meta:
        csrf_class = _LazyCSRF

        def get_translations(self, form):
            return _SiteFirstTranslations(super().get_translations(form))

        def bind_field(self, form, unbound_field, options):
            # Every text field drops NUL bytes and CRLF; PostgreSQL would refuse the first.
            filters = list(unbound_field.kwargs.get("filters", ())) + [_clean]
            return unbound_field.bind(form=form, filters=filters, **options)

        def render_field(self, field, render_kw):
            # The CSRF token is rendered without an id: a page with several forms (vote,
            # comment, report, sign out) would otherwise repeat id="csrf_token", invalid HTML.
            # WTForms leaves out an attribute whose value is False.
            if field.type == "CSRFTokenField":
                render_kw = {"id": False, **render_kw}
            return super().render_field(field, render_kw)

    def __init__(self, formdata=_FROM_REQUEST, **kwargs):
        if formdata is not _FROM_REQUEST:
            super().__init__(formdata=formdata, **kwargs)
        elif request.method != "GET" and request.is_json:
            # Flask-WTF would read a JSON body as the form: a list or a number there is a
            # TypeError inside WTForms, and numbers or objects as values reach validators
            # that expect text. The site's forms are HTML forms: a JSON body is read as an
            # empty form, which fails validation like any incomplete one.
            super().__init__(formdata=ImmutableMultiDict(), **kwargs)
        else:
            super().__init__(**kwargs)


class HoneypotForm(BaseForm):
    """A form with a trap field that people never see or reach (templates/_macros/forms.html
    ``honeypot``), and that spam software, filling every field, fills.

    A filled trap gets a quiet refusal: the form comes back with a general message, what was
    typed kept and the trap emptied, and nothing is saved. Pretending success was rejected:
    a person whose browser filled the trap by mistake would believe the proposal or comment
    was published and lose it; the general message tells a program nothing new.
    """

    website = StringField(_l("Leave this field empty"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.website.data:
            current_app.logger.warning("Honeypot field filled on %s: refused", request.path)
            self.website.data = ""
            self.form_errors.append(
                _l("Your form could not be accepted. Please check it and send it again.")
            )
            return False
        return valid


class BoundedIntegerField(IntegerField):
    """A whole number from ``min`` to ``max``, written with ASCII digits (the rules of
    katilim.core.params). Every integer field of the site is one.

    WTForms' IntegerField reads whatever ``int()`` reads ("٣", "1_000"), and its NumberRange
    validator raises OverflowError on a 400-digit number (it asks ``math.isnan`` of it).
    Here anything but a number in range is one error in the reader's language, and the
    number input gets ``min`` and ``max`` for the browser.
    """

    def __init__(self, label=None, validators=None, *, min: int, max: int, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.min, self.max = min, max
        self.flags.min, self.flags.max = min, max

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = valuelist[0]
        self.data = parse_int(
            raw.strip() if isinstance(raw, str) else raw, min=self.min, max=self.max
        )
        if self.data is None:
            raise ValueError(
                _l("Enter a whole number from %(min)s to %(max)s.", min=self.min, max=self.max)
            )


class OptionalChoice:
    """For a select or radio field that a request may leave out: without the field the form
    is valid and the field keeps its default; a value that is sent must be one of the
    choices.

    WTForms' Optional() must not be used on choice fields: it also lets "  " through, erasing
    the "Not a valid choice" error, and the view then meets a value it never offered
    (``AgeBand(" ")`` was a 500).
    """

    field_flags = {"optional": True}

    def __call__(self, form, field):
        if not field.raw_data:
            field.errors[:] = []
            raise StopValidation()


def single_line(value):
    """A form filter for titles and names: katilim.core.text.clean_line."""
    return clean_line(value) if isinstance(value, str) else value


def options(pairs, optgroup=None) -> list[SelectChoice]:
    """Select or radio options from (value, label) pairs, optionally inside one <optgroup>."""
    return [SelectChoice(value, label, optgroup=optgroup) for value, label in pairs]


def required_options(pairs) -> list[SelectChoice]:
    """Options of a required select, after an empty "Choose" first option: HTML wants a
    required select to open on a placeholder, so nobody sends its first choice by mistake
    (DataRequired refuses the empty value). Nothing to choose gives no options at all, so
    that a template can still test whether there is a choice."""
    choices = options(pairs)
    return [SelectChoice("", _l("Choose…")), *choices] if choices else []


def plausible_date(form, field):
    # The log starts with the platform; far dates would only overflow the day arithmetic.
    if field.data and not 2000 <= field.data.year <= 2999:
        raise ValidationError(_l("Enter a date between the years 2000 and 2999."))
