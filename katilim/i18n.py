"""Choosing the language of each request, and locale-aware formatting for templates."""

from datetime import UTC, date, datetime

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


# The language chosen with the header's links, for this browser only (katilim/core/routes.py
# ``set_language``): it comes before the account's language, which /me sets and e-mails use.
CHOSEN_LOCALE_KEY = "chosen_locale"


def follow_account_locale(code: str | None) -> None:
    """The person just chose their account's language on /me: this browser follows it, and
    forgets a language picked earlier in the header, which would otherwise still win."""
    session.pop(CHOSEN_LOCALE_KEY, None)
    if code:
        session["locale"] = code


def select_locale() -> str | None:
    """The language picked in the header (this browser), then the account's, then the one
    kept in the session, then the browser's, then Turkish."""
    if not has_request_context():
        return None
    supported = current_app.config["LANGUAGES"]
    if session.get(CHOSEN_LOCALE_KEY) in supported:
        chosen = session[CHOSEN_LOCALE_KEY]
    elif current_user and current_user.is_authenticated and current_user.locale in supported:
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


def format_share(value: float) -> str:
    """A share as a percentage with at most one decimal, written the reader's way: "%19,3" in
    Turkish and Kurmanji, "19.3%" in English and Arabic (Babel's pattern of the locale; a fixed
    pattern would force one convention on everyone). Whole percentages: flask_babel's
    format_percent, also a template global."""
    from flask_babel import format_percent

    pattern = safe_locale(current_locale()).percent_formats[None].pattern
    return format_percent(value, pattern.replace("#,##0", "#,##0.#", 1))


def isolate(value) -> Markup:
    """``value`` inside <bdi>, for a name or number put into a sentence of another writing
    direction: a Turkish body name in an Arabic sentence keeps the sentence's full stop at
    its end instead of pulling it to the other side (Unicode bidi isolation)."""
    return Markup("<bdi>{}</bdi>").format(value)


def language_links(next_path: str) -> list[dict[str, str]]:
    """The header's language switch: for each language a link that shows the same page in it,
    named in its own language, and whether it is the page's language now."""
    from flask import url_for

    now = current_locale()
    return [
        {
            "code": code,
            "name": LANGUAGE_NAMES.get(code, code),
            "dir": direction_of(code),
            "href": url_for("core.set_language", code=code, next=next_path),
            "current": code == now,
        }
        for code in current_app.config["LANGUAGES"]
    ]


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


def format_date(value, format: str | None = None) -> str:
    """A date in the reader's language, the same way on every page ("15 Mart 2026",
    "15 مارس 2026", "15ê adara 2026an"): Babel's long form, whose month is a word in every
    language (the medium form is "15‏/03‏/2026" in Arabic and "15 adr, 2026" in Kurmanji).
    Templates pass no ``format``; a pattern is only for special layouts (chart months)."""
    import flask_babel

    return flask_babel.format_date(value, format or "long")


def format_datetime(value, format: str | None = None) -> str:
    """A date and time of day: the date as ``format_date`` writes it, then the hour in the
    locale's short form, joined as the locale joins them ("15 Mart 2026 09:05",
    "15 مارس 2026، 9:05 ص"). In the site's time zone (BABEL_DEFAULT_TIMEZONE)."""
    import flask_babel

    if format is None:
        locale = safe_locale(current_locale())
        format = (
            str(locale.datetime_formats["medium"])
            .replace("{1}", locale.date_formats["long"].pattern)
            .replace("{0}", locale.time_formats["short"].pattern)
        )
    return flask_babel.format_datetime(value, format)


def iso_datetime(value: datetime | date) -> str:
    """The machine-readable form for <time datetime>: ISO 8601 to the second, in UTC with
    its zone ("2026-03-15T09:05:00Z"); a date alone as "2026-03-15". Stored times are UTC,
    also when the database hands them back without a zone (SQLite). HTML allows at most three
    digits of a second's fraction: the microseconds Python writes are left out."""
    if not isinstance(value, datetime):
        return value.isoformat()
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def time_tag(value: datetime | date, with_time: bool = False) -> Markup:
    """<time datetime="…">…</time> for a date (or a date and time) in the reader's language:
    the one way templates show a moment."""
    shown = format_datetime(value) if with_time else format_date(value)
    return Markup('<time datetime="{}">{}</time>').format(iso_datetime(value), shown)
