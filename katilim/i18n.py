"""Choosing the language of each request, and locale-aware formatting for templates."""

from flask import current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

LANGUAGE_NAMES = {"tr": "Türkçe", "en": "English", "ar": "العربية", "ku": "Kurmancî"}
RTL_LANGUAGES = frozenset({"ar"})


def select_locale() -> str | None:
    """The person's own choice (account, then session), then the browser, then Turkish."""
    if not has_request_context():
        return None
    supported = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in supported:
        return current_user.locale
    if session.get("locale") in supported:
        return session["locale"]
    return request.accept_languages.best_match(supported)  # None → BABEL_DEFAULT_LOCALE


def current_locale() -> str:
    locale = get_locale()
    return locale.language if locale else current_app.config["BABEL_DEFAULT_LOCALE"]


def text_direction() -> str:
    return "rtl" if current_locale() in RTL_LANGUAGES else "ltr"
