"""Turkish-aware text folding and safe markdown, shared by search, routing and rendering."""

import re
import unicodedata

import nh3
from markdown_it import MarkdownIt

_TR_LOWER = str.maketrans({"I": "ı", "İ": "i"})
_WORD_SPLIT = re.compile(r"[^\w]+")


def tr_lower(text: str) -> str:
    """Lower-case with Turkish rules: I → ı and İ → i (Python's lower() gets both wrong)."""
    return text.translate(_TR_LOWER).lower()


def fold(text: str) -> str:
    """Return a search key: Turkish lower case, ı → i, diacritics dropped (ç→c, ğ→g, ş→s ...).

    People type without Turkish letters on phones, so both the stored text and the query are
    folded the same way before they are compared.
    """
    text = tr_lower(text).replace("ı", "i")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold_words(text: str) -> list[str]:
    """Split folded text into words (letters and digits; punctuation and apostrophes split)."""
    return [w for w in _WORD_SPLIT.split(fold(text)) if w and w != "_"]


def search_key(*parts: str) -> str:
    """Folded words joined by single spaces, with a leading and trailing space.

    The leading space lets a query match a word *prefix* with ``LIKE '% term%'``, so that
    "bisiklet" finds "bisikletler" and "otobüs" finds "otobüse".
    """
    words = [w for part in parts if part for w in fold_words(part)]
    return " " + " ".join(words) + " "


def clean_input(value: str | None) -> str | None:
    """Drop NUL bytes (PostgreSQL refuses them) and unify line endings in user input."""
    if value is None:
        return None
    return value.replace("\x00", "").replace("\r\n", "\n")


_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "a",
    "h3",
    "h4",
    "hr",
}
_HEADING = re.compile(r"<(/?)h[12]>")


def render_markdown(source: str) -> str:
    """Render user markdown to HTML that is safe to show: raw HTML is escaped, then nh3
    removes anything outside a short allow-list (defence in depth against stored XSS)."""
    html = _markdown.render(source or "")
    # The page owns h1/h2; a user's headings start at h3 so the outline stays sound.
    html = _HEADING.sub(r"<\1h3>", html)
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer ugc",
    )
