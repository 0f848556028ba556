"""Suggesting bodies from a proposal's text, with the real Kocaeli keywords (docs/rules.md#routing)."""

import pytest

from katilim.organization.services import current_council, list_bodies
from katilim.proposals.routing import suggest_bodies


@pytest.fixture
def bodies(council, ctx):
    return list_bodies(current_council())


def slugs(bodies, text: str, title: str = "") -> list[str]:
    return [s.body.slug for s in suggest_bodies(bodies, title, text)]


def test_bus_stop_text_suggests_transport_first(bodies):
    assert slugs(bodies, "Mahallemizdeki otobüs durağı çok karanlık")[0] == "ulasim"


@pytest.mark.parametrize("text", ["Otobüsler çok geç geliyor", "Sabah otobüse binemiyorum"])
def test_keyword_matches_with_turkish_suffixes(bodies, text):
    assert "ulasim" in slugs(bodies, text)


def test_text_typed_without_turkish_letters_matches(bodies):
    assert slugs(bodies, "otobus duragi cok uzak")[0] == "ulasim"


def test_upper_case_turkish_text_matches(bodies):
    assert "ulasim" in slugs(bodies, "İZMİT OTOBÜSLERİ")


def test_multi_word_keyword_matches_as_a_phrase(bodies):
    assert "cocuk-meclisi" in slugs(bodies, "Mahallemize bir oyun alanı yapılsın")


def test_multi_word_keyword_does_not_match_its_words_apart(bodies):
    assert "cocuk-meclisi" not in slugs(bodies, "Oyun oynarken alanı temiz tutalım")


def test_whole_word_keyword_does_not_match_a_longer_word(bodies):
    assert "istihdam-calisma-hayati" not in slugs(bodies, "Yolda hiç işaret yok")


def test_whole_word_keyword_matches_the_word_itself(bodies):
    assert "istihdam-calisma-hayati" in slugs(bodies, "Gençlere iş lazım")


def test_whole_word_keyword_matches_before_an_apostrophe(bodies):
    assert "istihdam-calisma-hayati" in slugs(bodies, "İş'te güvenlik önemli")


def test_at_most_three_bodies_are_suggested(bodies):
    text = "Parkta ağaç, kedi, köpek, otobüs, deprem, okul, spor, hastane, müze, köy"
    assert len(suggest_bodies(bodies, "", text)) == 3


def test_text_without_keywords_suggests_nothing(bodies):
    assert suggest_bodies(bodies, "Güzel bir gün", "Herkese iyi günler dileriz") == []


def test_ramp_at_tram_stop_suggests_disability_and_transport(bodies):
    text = "Tramvay durağına rampa yapılsın, tekerlekli sandalye ile binilemiyor."
    top = slugs(bodies, text)
    assert "engelli-meclisi" in top and "ulasim" in top


def test_suggestion_records_the_matched_keywords(bodies):
    (first, *_) = suggest_bodies(bodies, "", "Tekerlekli sandalye için rampa yok")
    assert first.body.slug == "engelli-meclisi"
    assert set(first.matched) == {"tekerlekli sandalye", "rampa"}


def test_words_in_the_title_weigh_more_than_in_the_text(bodies):
    suggestions = suggest_bodies(bodies, "Kedi", "Otobüs")
    assert [s.body.slug for s in suggestions] == ["hayvan-haklari", "ulasim"]
    assert suggestions[0].score > suggestions[1].score


@pytest.mark.parametrize(
    "text",
    ["Durağımız yok", "Tramvay durağına rampa", "Çocuğumuz için park", "Sokak köpeği aç kaldı"],
)
def test_keyword_matches_after_turkish_consonant_softening(bodies, text):
    # durak → durağı, çocuk → çocuğu: the softened stem is the same keyword
    assert slugs(bodies, text), text


@pytest.mark.parametrize("text", ["İşe gidemiyoruz", "Fabrikada işler durdu", "İşçi servisi"])
def test_whole_word_keyword_takes_turkish_endings(bodies, text):
    assert "istihdam-calisma-hayati" in slugs(bodies, text)


def _decide(bodies, chosen="", *, confirmed=None, to_council=False, needs_body=True, **kw):
    from katilim.proposals.routing import decide_routing

    return decide_routing(
        {b.slug: b for b in bodies},
        chosen,
        needs_body=needs_body,
        title="Otobüs durağı",
        text="Mahallemizdeki otobüs durağı çok karanlık",
        confirmed=confirmed,
        to_council=to_council,
        **kw,
    )


def test_decision_takes_the_chosen_body(bodies):
    from katilim.proposals.models import RoutingMethod

    decision = _decide(bodies, "ulasim")
    assert (decision.ready, decision.body.slug, decision.method) == (
        True,
        "ulasim",
        RoutingMethod.CITIZEN,
    )


def test_decision_waits_for_a_suggestion_to_be_confirmed(bodies):
    from katilim.proposals.models import RoutingMethod

    waiting = _decide(bodies)
    assert not waiting.ready and waiting.suggestions[0].body.slug == "ulasim"
    confirmed = _decide(bodies, confirmed="ulasim")
    assert (confirmed.ready, confirmed.body.slug, confirmed.method) == (
        True,
        "ulasim",
        RoutingMethod.SUGGESTION,
    )
    assert not _decide(bodies, confirmed="not-a-suggestion").ready


def test_decision_leaves_it_to_the_council_or_to_later(bodies):
    to_council = _decide(bodies, to_council=True)
    assert to_council.ready and to_council.body is None
    draft = _decide(bodies, needs_body=False)
    assert draft.ready and draft.body is None and draft.suggestions == []


def test_decision_keeps_the_current_body_even_if_inactive(bodies):
    from katilim.proposals.models import RoutingMethod

    current = bodies[0]
    decision = _decide([], current.slug, current=(current, RoutingMethod.MODERATOR))
    assert (decision.ready, decision.body, decision.method) == (
        True,
        current,
        RoutingMethod.MODERATOR,
    )
