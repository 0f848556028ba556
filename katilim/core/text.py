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


# Characters that reorder or hide text, removed from one-line texts that others read as a
# label: a proposal's title, a tag, a person's name, an e-mail subject. Long texts (a
# proposal's body, a comment) keep them: they are shown as paragraphs of their own, where an
# override cannot reach the page around them.
#
# - Bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) and the deprecated
#   format controls (U+206A-U+206F) are always removed: an override makes "Yol<RLO>exe.txt"
#   show as "Yoltxt.exe" and, left open, reverses what the page shows after the title.
# - Zero-width characters with no use in writing (U+200B, U+2060, U+FEFF, U+180E and the
#   invisible operators U+2061-U+2064) are removed: they make two titles that look the same
#   differ, and split words for search.
# - ZWNJ and ZWJ (U+200C, U+200D) are kept between two visible characters: Persian and
#   Sorani Kurdish write ZWNJ inside words (mi<ZWNJ>khaham), emoji sequences are joined with
#   ZWJ (woman<ZWJ>wrench). At either end, beside a space or beside another joiner they
#   join nothing and are removed.
# - The direction marks LRM, RLM and ALM (U+200E, U+200F, U+061C) are kept when the text
#   has right-to-left letters: mixed Arabic and Latin text needs them to put numbers and
#   punctuation on the right side, and they reorder nothing beyond their neighbours. In a
#   text without right-to-left letters they do nothing but, leading, make a Latin title
#   read as right-to-left; they are removed there.
# - Other control characters (C0, DEL, C1) are removed, and all white space, line breaks
#   included, becomes single spaces: these texts are single lines.
_ALWAYS_DROPPED = re.compile(
    r"[\u0000-\u0008\u000e-\u001f\u007f-\u009f\u180e\u200b\u202a-\u202e"
    r"\u2060-\u2064\u2066-\u206f\ufeff]"
)
_LOOSE_JOINER = re.compile(
    r"(?<![^\s\u200c\u200d])[\u200c\u200d]|[\u200c\u200d](?![^\s\u200c\u200d])"
)
_DIRECTION_MARKS = re.compile(r"[\u200e\u200f\u061c]")
_RIGHT_TO_LEFT_LETTER = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def clean_line(value: str | None) -> str:
    """A one-line text (title, tag, name, e-mail subject) without bidi controls and invisible
    characters, its white space collapsed to single spaces (the rules above)."""
    if not value:
        return ""
    text = " ".join(_ALWAYS_DROPPED.sub("", value).split())
    text = _LOOSE_JOINER.sub("", text)
    if not _RIGHT_TO_LEFT_LETTER.search(text):
        text = _DIRECTION_MARKS.sub("", text)
    return " ".join(text.split())


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
