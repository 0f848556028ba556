"""Choosing the language of each request, and locale-aware formatting for templates."""

from babel import Locale, UnknownLocaleError
from flask import current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup, escape
from wtforms.fields.choices import SelectChoice

LANGUAGE_NAMES = {"tr": "Türkçe", "en": "English", "ar": "العربية", "ku": "Kurdî"}
RTL_LANGUAGES = frozenset({"ar"})
# CLDR's short month names for Kurmanji ("brf", "rbn") are not what people read: full names.
FULL_MONTH_LANGUAGES = frozenset({"ku"})


def select_locale() -> str | None:
    """The person's own choice (account, then session), then the browser, then Turkish."""
    if not has_request_context():
        return None
    supported = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in supported:
        chosen = current_user.locale
        if session.get("locale") != chosen:
            # Kept in the session too: the 503 page, rendered without the database, then
            # still speaks the person's language (katilim/core/outage.py).
            session["locale"] = chosen
    elif session.get("locale") in supported:
        chosen = session["locale"]
    else:
        chosen = request.accept_languages.best_match(supported)  # None → BABEL_DEFAULT_LOCALE
    return str(safe_locale(chosen)) if chosen else None


def safe_locale(code: str | None) -> Locale:
    """The Babel locale for ``code``; the default one when Babel has no data for it (a
    language added to LANGUAGES before Babel knows it), so that dates and numbers fall back
    to Turkish formats instead of failing every page."""
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    try:
        return Locale.parse(code or default)
    except (UnknownLocaleError, ValueError):
        current_app.logger.warning("Babel has no locale data for %r; using %r", code, default)
        return Locale.parse(default)


def current_locale() -> str:
    locale = get_locale()
    return locale.language if locale else current_app.config["BABEL_DEFAULT_LOCALE"]


def text_direction() -> str:
    return direction_of(current_locale())


def direction_of(language: str | None) -> str:
    """The writing direction of a language code, for dir= on text in that language."""
    return "rtl" if language in RTL_LANGUAGES else "ltr"


def lang_attrs(language: str | None) -> Markup:
    """lang="…" dir="…" for a text written in ``language`` (a proposal, a comment), so that
    an Arabic comment reads right to left on a Turkish page and a Turkish one left to right
    on an Arabic page (WCAG 3.1.2, language of parts)."""
    code = language or current_app.config["BABEL_DEFAULT_LOCALE"]
    return Markup('lang="{}" dir="{}"').format(escape(code), direction_of(code))


def language_options() -> list[SelectChoice]:
    """The site's languages as select options, each named and marked in its own language."""
    return [
        SelectChoice(
            code,
            LANGUAGE_NAMES.get(code, code),
            render_kw={"lang": code, "dir": direction_of(code)},
        )
        for code in current_app.config["LANGUAGES"]
    ]


def format_month(day) -> str:
    """A month and year for charts and tables: "Ara 2025", "ديسمبر 2025", "berfanbar 2025"."""
    from flask_babel import format_date

    pattern = "MMMM yyyy" if current_locale() in FULL_MONTH_LANGUAGES else "MMM yyyy"
    return format_date(day, pattern)


def format_date(value, format: str = "medium") -> str:
    """Dates in the reader's language. Babel's medium Kurmanji form abbreviates months in a way
    nobody reads ("21ê glna 2026an"): the long form ("21ê gulana 2026an") is used instead."""
    import flask_babel

    if format == "medium" and current_locale() in FULL_MONTH_LANGUAGES:
        format = "long"
    return flask_babel.format_date(value, format)


def format_datetime(value, format: str = "medium") -> str:
    """Times in the reader's language; in Kurmanji the long date and the hour, as above."""
    import flask_babel
    from babel.dates import get_date_format

    if format == "medium" and current_locale() in FULL_MONTH_LANGUAGES:
        format = f"{get_date_format('long', locale=current_locale()).pattern} HH:mm"
    return flask_babel.format_datetime(value, format)
