"""Suggest the bodies a proposal concerns from its text (DESIGN.md §5).

Both the keywords and the text are folded (Turkish lower case, no diacritics). A keyword
matches as a word prefix so that suffixes still match (otobüs ⇒ otobüsler, otobüse); a
multi-word keyword matches as a phrase; a keyword written "=iş" matches the whole word only,
so it does not match "işaret". A suggestion is never a decision: a moderator confirms it.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from katilim.core.text import fold_words

TITLE_WEIGHT = 2  # words in the title say more about the topic than words in the body


@dataclass(frozen=True)
class Suggestion:
    body: object
    score: int
    matched: tuple[str, ...]


@lru_cache(maxsize=4096)
def keyword_pattern(keyword: str) -> re.Pattern:
    whole_word = keyword.startswith("=")
    words = fold_words(keyword.lstrip("="))
    phrase = r"\s+".join(re.escape(w) for w in words)
    tail = r"\b" if whole_word else ""
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
