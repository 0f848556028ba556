"""Suggest the bodies a proposal concerns from its text (docs/rules.md#routing).

Both the keywords and the text are folded (Turkish lower case, no diacritics). A keyword
matches as a word prefix so that suffixes still match (otobüs ⇒ otobüsler, otobüse); a
multi-word keyword matches as a phrase; a keyword written "=iş" matches the whole word only,
so it does not match "işaret". A suggestion is never a decision: a moderator confirms it.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from katilim.core.text import fold_words
from katilim.proposals.models import RoutingMethod

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


@dataclass(frozen=True)
class RoutingDecision:
    """Where a proposal goes. ``ready`` is False while the person asked for a suggestion and
    has not confirmed one of the current ``suggestions``; ``body`` None is the general queue."""

    ready: bool
    body: "Body | None" = None
    method: RoutingMethod | None = None
    suggestions: list[Suggestion] = field(default_factory=list)


def decide_routing(
    bodies: "dict[str, Body]",
    chosen: str | None,
    *,
    needs_body: bool,
    title: str,
    text: str,
    confirmed: str | None,
    to_council: bool,
    current: "tuple[Body | None, RoutingMethod | None]" = (None, None),
) -> RoutingDecision:
    """Decide the body from what the person chose: a body (``chosen``, a slug of ``bodies``),
    the body it already has (``current``, kept even if it is no longer active), or one of the
    suggestions recomputed from the text (``confirmed``; ``to_council``: none of them, the
    council decides). Nothing is stored, so the suggestions are computed again each time."""
    current_body, current_method = current
    if current_body is not None and chosen == current_body.slug:
        return RoutingDecision(True, current_body, current_method)
    if chosen and chosen in bodies:
        return RoutingDecision(True, bodies[chosen], RoutingMethod.CITIZEN)
    if not needs_body:
        return RoutingDecision(True)
    suggestions = suggest_bodies(bodies.values(), title, text)
    if to_council:
        return RoutingDecision(True, suggestions=suggestions)
    if confirmed in {s.body.slug for s in suggestions}:
        return RoutingDecision(True, bodies[confirmed], RoutingMethod.SUGGESTION, suggestions)
    return RoutingDecision(False, suggestions=suggestions)
