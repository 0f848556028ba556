"""Turkish-aware folding and safe markdown (katilim.core.text)."""

from html.parser import HTMLParser

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from katilim.auth.models import User
from katilim.core.text import (
    clean_input,
    clean_line,
    fold,
    fold_words,
    render_markdown,
    search_key,
    tr_lower,
)
from katilim.extensions import db


class _Tags(HTMLParser):
    """Collects (tag, attributes) of every element in a piece of HTML."""

    def __init__(self, html: str):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def test_tr_lower_uses_turkish_rules_for_dotted_and_dotless_i():
    assert tr_lower("İSTANBUL ISPARTA") == "istanbul ısparta"


def test_fold_gives_one_key_for_every_spelling_of_izmit():
    assert {fold(spelling) for spelling in ("İZMİT", "Izmit", "izmit", "İzmit")} == {"izmit"}


def test_fold_makes_dotless_and_plain_i_equal():
    assert fold("ışık") == fold("isik") == fold("IŞIK") == "isik"


def test_fold_drops_turkish_diacritics():
    assert fold("Çağ") == "cag"
    assert fold("Gölcük Üşümüş") == "golcuk usumus"


def test_fold_words_splits_on_punctuation_and_apostrophes():
    assert fold_words("İzmit'te, otobüs-durağı!") == ["izmit", "te", "otobus", "duragi"]


def test_search_key_has_one_leading_and_one_trailing_space():
    key = search_key("  Otobüs   Durağı ", "", "İzmit")
    assert key == " otobus duragi izmit "


def test_search_key_of_nothing_is_a_single_space_pair():
    assert search_key("", "") == "  "


def test_clean_input_drops_nul_bytes_and_crlf():
    assert clean_input("a\x00b\r\nc") == "ab\nc"
    assert clean_input(None) is None


def test_render_markdown_never_outputs_a_script_element():
    html = render_markdown("Merhaba <script>alert('x')</script>")
    assert "script" not in {tag for tag, _ in _Tags(html).elements}
    assert "&lt;script&gt;" in html


def test_render_markdown_never_outputs_event_handler_attributes():
    sources = [
        '<img src="x" onerror="alert(1)">',
        '<a href="https://example.org" onclick="steal()">link</a>',
        '<p onmouseover="alert(1)">hover</p>',
        '[link](https://example.org "title" onclick=alert(1))',
    ]
    for source in sources:
        for _tag, attributes in _Tags(render_markdown(source)).elements:
            assert not any(name.startswith("on") for name in attributes), source


def test_render_markdown_drops_javascript_links():
    for source in ["[a](javascript:alert(1))", "[a](JaVaScRiPt:alert(1))", "<javascript:x>"]:
        hrefs = [attrs.get("href", "") for _, attrs in _Tags(render_markdown(source)).elements]
        assert not any("javascript" in href.lower() for href in hrefs), source


def test_render_markdown_escapes_raw_html():
    html = render_markdown("<b>kalın</b> ve <iframe src='https://evil.example'></iframe>")
    assert [tag for tag, _ in _Tags(html).elements] == ["p"]
    assert "&lt;b&gt;kalın&lt;/b&gt;" in html


def test_render_markdown_demotes_top_headings_to_h3():
    html = render_markdown("# Başlık\n\n## Alt başlık\n\nMetin")
    assert "<h1>" not in html and "<h2>" not in html
    assert "<h3>Başlık</h3>" in html and "<h3>Alt başlık</h3>" in html


def test_render_markdown_links_get_rel_nofollow():
    html = render_markdown("[Belediye](https://www.kocaeli.bel.tr)")
    (link,) = [attrs for tag, attrs in _Tags(html).elements if tag == "a"]
    assert link["href"] == "https://www.kocaeli.bel.tr"
    assert "nofollow" in link["rel"].split()


def test_render_markdown_keeps_simple_formatting():
    html = render_markdown("**önemli** ve *vurgulu*\n\n- bir\n- iki")
    assert "<strong>önemli</strong>" in html and "<em>vurgulu</em>" in html
    assert html.count("<li>") == 2


# --- one-line texts: titles, tags, names, e-mail subjects ---------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Yol\u202eexe.txt", "Yolexe.txt"),  # right-to-left override
        ("\u202aa\u202bb\u202cc\u202dd", "abcd"),  # embeddings, pop, left-to-right override
        ("\u2066a\u2067b\u2068c\u2069", "abc"),  # isolates
        ("a\u200bb\u2060c\ufeffd\u180ee\u2061f", "abcdef"),  # zero-width and invisible
        ("a\u206ab", "ab"),  # deprecated format control
        ("  Tramvay \n durağı\t\r\n", "Tramvay durağı"),  # one line, single spaces
        ("a\x01b\x7fc\x85d", "abcd"),  # control characters
        ("\u200fHello!", "Hello!"),  # a direction mark without right-to-left letters
        ("\u200eKocaeli\u200e", "Kocaeli"),
        ("\u200c\u200dstart", "start"),  # joiners that join nothing
        ("end\u200d", "end"),
        ("a\u200c b \u200db", "a b b"),
        ("a\u200c\u200cb", "ab"),
        ("", ""),
        (None, ""),
    ],
)
def test_clean_line_drops_bidi_controls_and_invisible_characters(raw, clean):
    assert clean_line(raw) == clean


@pytest.mark.parametrize(
    "kept",
    [
        "می\u200cخواهم",  # Persian: ZWNJ inside a word
        "دە\u200cمەوێت",  # Sorani Kurdish
        "👩\u200d🔧 tamirci",  # an emoji joined with ZWJ
        "\u200fمقترح رقم 42 (Kocaeli)",  # RLM in Arabic text
        "الحي\u200e 3\u200e",  # LRM in Arabic text
        "اقتراح\u061c 7",  # Arabic letter mark
        "Otobüs durağına rampa",
    ],
)
def test_clean_line_keeps_what_writing_needs(kept):
    assert clean_line(kept) == kept


def test_e_mail_subjects_are_cleaned(app):
    from katilim.mail import send_email
    from tests.factories import make_user

    with app.app_context():
        user = make_user()
        message = send_email(
            user.email,
            _l("News about the proposal “%(title)s”", title="Yol\u202eexe.txt\u200b\nBcc: x"),
            "already_registered",
            locale="en",
            user=user,
        )
        assert message.subject == "News about the proposal “Yolexe.txt Bcc: x”"
        db.session.rollback()


def test_a_display_name_loses_bidi_controls_at_registration(client, council, app):
    from tests.auth.test_routes import registration

    name = "\u202eŞükrü\u200b Öztürk\u2066"
    assert client.post("/auth/register", data=registration(display_name=name)).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User.display_name)) == "Şükrü Öztürk"


def test_a_display_name_of_invisible_characters_is_refused(client, council, app):
    from tests.auth.test_routes import registration

    response = client.post("/auth/register", data=registration(display_name="\u200b\u202e\u200b"))
    assert response.status_code == 200
    assert 'id="display_name-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User.id)) is None
