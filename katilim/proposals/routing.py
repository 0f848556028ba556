"""Suggest the bodies a proposal concerns from its text (docs/rules.md#routing).

Both the keywords and the text are folded (Turkish lower case, no diacritics). A keyword
matches as a word prefix so that suffixes still match (otobüs ⇒ otobüsler, otobüse); a
multi-word keyword matches as a phrase; a keyword written "=iş" matches the whole word only,
so it does not match "işaret". A suggestion is never a decision: a moderator confirms it.
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from katilim.core.text import fold_words

if TYPE_CHECKING:
    from katilim.organization.models import Body

TITLE_WEIGHT = 2  # words in the title say more about the topic than words in the body


@dataclass(frozen=True)
class Suggestion:
    body: "Body"
    score: int
    matched: tuple[str, ...]


# Turkish softens a final k, t, p before a vowel (durak → durağı, kitap → kitabı, renk → rengi);
# in folded text ğ is g. The softened letter is only accepted when a vowel follows.
SOFTENED = {"k": "g", "t": "d", "p": "b"}
# Whole-word keywords ("=iş") still take a case or plural ending (işe, işler, işçi),
# but not any continuation (işaret). Folded forms: ı→i, ü→u, ö→o.
ENDINGS = (
    r"(?:lerden|lardan|lerde|larda|leri|lari|ler|lar|den|dan|ten|tan|de|da|te|ta"
    r"|in|un|im|um|le|la|ci|cu|li|lu|e|a|i|u)?"
)


@lru_cache(maxsize=4096)
def keyword_pattern(keyword: str) -> re.Pattern:
    whole_word = keyword.startswith("=")
    words = fold_words(keyword.lstrip("="))
    parts = [re.escape(w) for w in words]
    last = words[-1]
    if not whole_word and len(last) > 2 and last[-1] in SOFTENED:
        parts[-1] = re.escape(last[:-1]) + f"(?:{last[-1]}|{SOFTENED[last[-1]]}(?=[aeiou]))"
    phrase = r"\s+".join(parts)
    tail = ENDINGS + r"\b" if whole_word else ""
    return re.compile(rf"(?<!\w){phrase}{tail}")


def _folded(text: str) -> str:
    return " ".join(fold_words(text))


def score_body(keywords: list[str], title: str, text: str) -> tuple[int, tuple[str, ...]]:
    """Score one body's keywords against a folded title and text."""
    score, matched = 0, []
    for keyword in keywords:
        if not fold_words(keyword.lstrip("=")):
            continue
        pattern = keyword_pattern(keyword)
        hits = TITLE_WEIGHT * len(pattern.findall(title)) + len(pattern.findall(text))
        if hits:
            score += hits
            matched.append(keyword.lstrip("="))
    return score, tuple(matched)


def suggest_bodies(bodies, title: str, text: str, limit: int = 3) -> list[Suggestion]:
    """Return up to ``limit`` bodies whose keywords match the proposal, best first."""
    folded_title, folded_text = _folded(title), _folded(text)
    suggestions = []
    for body in bodies:
        score, matched = score_body(body.keywords or [], folded_title, folded_text)
        if score:
            suggestions.append(Suggestion(body, score, matched))
    suggestions.sort(key=lambda s: (-s.score, -len(s.matched), s.body.position))
    return suggestions[:limit]
