"""The four languages: Turkish, English, Arabic (right to left) and Kurmanji
(docs/architecture.md#languages).

Choosing them, the switcher, lang/dir on the page and on what residents write, the language
of proposals (form and list filter) and comments, names of the bodies in every language,
and dates and numbers in Arabic and Kurmanji.
"""

import re
from datetime import UTC, datetime

import pytest
import yaml
from sqlalchemy import select

from katilim.comments.models import Comment
from katilim.config import ROOT
from katilim.core.yamlfile import load_yaml
from katilim.extensions import db
from katilim.organization.models import Body, Council
from katilim.organization.services import load_council
from katilim.proposals.models import Proposal
from tests.factories import get_body, make_comment, make_proposal, make_user

DATA_FILE = ROOT / "katilim" / "data" / "kocaeli.yaml"


def html(response) -> str:
    return response.get_data(as_text=True)


def root_attrs(response) -> tuple[str, str]:
    match = re.search(r'<html lang="([^"]+)" dir="([^"]+)">', html(response))
    assert match, "no <html lang dir>"
    return match[1], match[2]


# --- choosing the language --------------------------------------------------------------


@pytest.mark.parametrize(
    "accept, expected",
    [
        ("ar", ("ar", "rtl")),
        ("ar-SY,ar;q=0.9,en;q=0.5", ("ar", "rtl")),
        ("ku-TR,ku;q=0.9", ("ku", "ltr")),
        ("ku", ("ku", "ltr")),
        ("de-DE,ar;q=0.5", ("ar", "rtl")),
        ("en-GB", ("en", "ltr")),
        ("tr", ("tr", "ltr")),
    ],
)
def test_the_browser_language_picks_arabic_and_kurmanji(client, council, accept, expected):
    assert root_attrs(client.get("/", headers={"Accept-Language": accept})) == expected


@pytest.mark.parametrize("locale, direction", [("ar", "rtl"), ("ku", "ltr")])
def test_a_visitor_can_choose_arabic_or_kurmanji(client, council, locale, direction):
    response = client.get(f"/language/{locale}?next=/proposals%3Fsort%3Dsupported")
    assert response.status_code == 302
    assert response.headers["Location"] == "/proposals?sort=supported"  # the same page
    page = client.get("/proposals", headers={"Accept-Language": "tr"})
    assert root_attrs(page) == (locale, direction)


def test_the_switcher_names_each_language_in_itself_with_lang_and_hreflang(client, council):
    page = html(client.get("/proposals?q=rampa", headers={"Accept-Language": "ar"}))
    switcher = page.split('<ul class="lang-links"', 1)[1].split("</ul>", 1)[0]
    links = re.findall(
        r'<a href="([^"]+)" lang="(\w+)" hreflang="(\w+)" dir="(\w+)">([^<]+)</a>', switcher
    )
    assert [(lang, hreflang, d, name) for _, lang, hreflang, d, name in links] == [
        ("tr", "tr", "ltr", "Türkçe"),
        ("en", "en", "ltr", "English"),
        ("ku", "ku", "ltr", "Kurdî"),
    ]
    assert links[0][0] == "/language/tr?next=/proposals?q%3Drampa"
    # The page's own language is said, not linked
    assert re.search(
        r'<span class="lang-current" aria-current="true" lang="ar" dir="rtl">', switcher
    )
    assert "<form" not in switcher and "<button" not in switcher


def test_switching_language_changes_nothing_in_the_account(login, council, app):
    """The switch is a GET without a CSRF token: it may only change what this browser shows."""
    with app.app_context():
        user = make_user(locale="tr")
        db.session.commit()
        user_id = user.id
    client = login(user_id)
    assert client.get("/language/ar?next=/").status_code == 302
    assert root_attrs(client.get("/")) == ("ar", "rtl")
    with app.app_context():
        assert db.session.get(type(user), user_id).locale == "tr"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "", "javascript:x"])
def test_the_switch_goes_back_only_to_a_page_of_the_site(client, council, target):
    response = client.get("/language/en", query_string={"next": target})
    assert response.headers["Location"] == "/"


def test_an_unknown_language_is_not_found(client, council):
    assert client.get("/language/xx?next=/").status_code == 404


def test_an_account_in_arabic_gets_arabic_on_every_device(login, council, app):
    with app.app_context():
        user_id = make_user(locale="ar").id
        db.session.commit()
    assert root_attrs(login(user_id).get("/", headers={"Accept-Language": "tr"})) == ("ar", "rtl")


# --- dates and numbers ----------------------------------------------------------------------


def test_dates_are_written_in_arabic_and_kurmanji(client, council, app):
    with app.app_context():
        proposal = make_proposal()
        proposal.published_at = datetime(2026, 3, 15, 9, 0, tzinfo=UTC)
        db.session.commit()
        proposal_id = proposal.id
    arabic = html(client.get(f"/proposals/{proposal_id}", headers={"Accept-Language": "ar"}))
    kurmanji = html(client.get(f"/proposals/{proposal_id}", headers={"Accept-Language": "ku"}))
    assert "15 مارس 2026" in arabic
    assert "adara" in kurmanji and "2026" in kurmanji


def test_formatting_falls_back_to_turkish_for_a_locale_babel_does_not_know(app):
    from katilim.i18n import safe_locale

    with app.app_context():
        assert str(safe_locale("ku")) == "ku"
        assert str(safe_locale("ar")) == "ar"
        assert str(safe_locale("xx")) == "tr"  # no locale data: Turkish formats, never a 500
        assert str(safe_locale(None)) == "tr"


def test_a_configured_language_without_babel_data_still_serves_pages(app, client, council):
    languages = app.config["LANGUAGES"]
    app.config["LANGUAGES"] = (*languages, "xx")
    try:
        response = client.get("/proposals", headers={"Accept-Language": "xx"})
    finally:
        app.config["LANGUAGES"] = languages
    assert response.status_code == 200
    assert root_attrs(response) == ("tr", "ltr")


# --- proposals: their language, the form, the list filter -----------------------------------


def proposal_form(**changes) -> dict:
    data = {
        "title": "Tramvay durağına rampa yapılsın",
        "summary": "Durağa rampa yapılsın ki herkes binebilsin.",
        "text": "Tramvay durağında tekerlekli sandalye ile inip binmek mümkün değil. "
        "Durağa bir rampa yapılmasını öneriyoruz.",
        "body": "ulasim",
        "publish": "1",
        # Past the similar-proposals step: a test that posts it twice would meet the first.
        "similar_seen": "1",
    }
    data.update(changes)
    return data


@pytest.fixture
def resident(app, council):
    with app.app_context():
        user_id = make_user().id
        db.session.commit()
    return user_id


def languages_of_proposals(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Proposal.language).order_by(Proposal.id)))


@pytest.mark.parametrize("locale", ["tr", "en", "ar", "ku"])
def test_the_form_offers_four_languages_with_the_readers_own_preselected(login, resident, locale):
    page = html(login(resident).get("/proposals/new", headers={"Accept-Language": locale}))
    select_html = page.split('id="language"', 1)[1].split("</select>", 1)[0]
    values = re.findall(r'value="(\w+)"', select_html)
    assert values == ["tr", "en", "ar", "ku"]
    assert re.search(rf'<option [^>]*selected[^>]*value="{locale}"', select_html) or re.search(
        rf'<option [^>]*value="{locale}"[^>]*selected', select_html
    )
    assert 'dir="rtl" lang="ar"' in select_html or 'lang="ar" dir="rtl"' in select_html


def test_a_proposal_records_the_language_chosen_in_the_form(login, resident, app):
    client = login(resident)
    client.post("/proposals/new", data=proposal_form(language="ku"))
    client.post("/proposals/new", data=proposal_form(), headers={"Accept-Language": "ar"})
    assert languages_of_proposals(app) == ["ku", "ar"]  # chosen; else the reader's language


def test_an_unknown_proposal_language_is_an_error_beside_the_field(login, resident, app):
    response = login(resident).post("/proposals/new", data=proposal_form(language="de"))
    assert response.status_code == 200
    page = html(response)
    assert 'id="language-error"' in page
    assert "Tramvay durağına rampa yapılsın" in page  # what was typed is kept
    assert languages_of_proposals(app) == []


def test_editing_keeps_the_language_unless_the_author_changes_it(login, resident, app):
    with app.app_context():
        proposal = make_proposal(db.session.get(type(make_user()), resident), publish=False)
        proposal.language = "ar"
        db.session.commit()
        proposal_id = proposal.id
    client = login(resident)
    page = html(client.get(f"/proposals/{proposal_id}/edit"))
    assert re.search(r'<option [^>]*selected[^>]*value="ar"|value="ar"[^>]*selected', page)
    client.post(f"/proposals/{proposal_id}/edit", data=proposal_form(save_draft="1"))
    assert languages_of_proposals(app) == ["ar"]  # a form without the field: unchanged
    client.post(f"/proposals/{proposal_id}/edit", data=proposal_form(language="tr"))
    assert languages_of_proposals(app) == ["tr"]


@pytest.fixture
def three_languages(app, council):
    with app.app_context():
        titles = {
            "tr": "Parka yeni banklar konulsun",
            "ar": "وضع مقاعد جديدة في الحديقة",
            "ku": "Li parkê kursiyên nû bên danîn",
        }
        for language, title in titles.items():
            make_proposal(title=title).language = language
        db.session.commit()
    return titles


def test_the_list_filters_by_language(client, three_languages):
    page = html(client.get("/proposals?language=ar"))
    assert three_languages["ar"] in page
    assert three_languages["tr"] not in page and three_languages["ku"] not in page
    assert '<option value="ar" lang="ar" dir="rtl" selected>' in page
    everything = html(client.get("/proposals"))
    assert all(title in everything for title in three_languages.values())


@pytest.mark.parametrize("value", ["de", "x" * 300, "ar; --", "%", ""])
def test_an_unknown_language_filter_is_ignored(client, three_languages, value):
    response = client.get("/proposals", query_string={"language": value})
    assert response.status_code == 200
    assert all(title in html(response) for title in three_languages.values())


def test_pages_of_a_language_filtered_list_keep_the_filter(client, council, app):
    with app.app_context():
        for n in range(app.config["PROPOSALS_PER_PAGE"] + 1):
            make_proposal(title=f"Öneri numarası {n + 1} burada").language = "ku"
        db.session.commit()
    page = html(client.get("/proposals?language=ku"))
    assert "/proposals?language=ku&amp;page=2" in page


def test_user_text_carries_the_language_and_direction_of_its_writer(client, council, app):
    with app.app_context():
        proposal = make_proposal(title="وضع مقاعد جديدة في الحديقة")
        proposal.language = "ar"
        comment = make_comment(proposal, text="Ez jî dipejirînim.")
        comment.language = "ku"
        db.session.commit()
        proposal_id = proposal.id
    page = html(client.get(f"/proposals/{proposal_id}", headers={"Accept-Language": "tr"}))
    assert '<h1 id="proposal-title" lang="ar" dir="rtl">وضع مقاعد جديدة في الحديقة</h1>' in page
    assert '<div class="prose proposal-text" lang="ar" dir="rtl">' in page
    assert '<div class="prose" lang="ku" dir="ltr"><p>Ez jî dipejirînim.</p>' in page
    listing = html(client.get("/proposals", headers={"Accept-Language": "tr"}))
    card = listing.split('<h3 class="card-title" lang="ar" dir="rtl">', 1)[1].split("</h3>", 1)[0]
    assert "وضع مقاعد جديدة في الحديقة" in card


@pytest.mark.parametrize("locale", ["ar", "ku", "tr"])
def test_a_comment_records_the_language_of_its_writer(login, resident, app, locale):
    with app.app_context():
        proposal_id = make_proposal().id
        db.session.commit()
    response = login(resident).post(
        f"/proposals/{proposal_id}/comments",
        data={"text": "Çok iyi bir fikir.", "stance": "for"},
        headers={"Accept-Language": locale},
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(Comment.language)).all() == [locale]


# --- bodies and the council in every language ------------------------------------------------


def test_the_data_file_names_and_describes_every_body_in_four_languages():
    data = load_yaml(DATA_FILE)
    missing = [
        f"{entry['slug']}.{field}_{lang}"
        for entry in data["assemblies"] + data["working_groups"]
        for field in ("name", "description")
        for lang in ("tr", "en", "ar", "ku")
        if not str(entry.get(f"{field}_{lang}") or "").strip()
    ]
    assert missing == []
    for lang in ("tr", "en", "ar", "ku"):
        assert data["council"][f"name_{lang}"]
        assert len(data["council"][f"principles_{lang}"]) == 3


def test_district_names_keep_their_turkish_spelling_in_the_body_texts():
    data = load_yaml(DATA_FILE)
    rural = next(e for e in data["working_groups"] if e["slug"] == "kirsal-kalkinma-tarim")
    for lang in ("en", "ar", "ku"):
        for district in ("Kandıra", "Kartepe", "Karamürsel"):
            assert district in rural[f"description_{lang}"], (lang, district)


@pytest.mark.parametrize(
    "locale, name, principle",
    [
        ("ar", "مجلس المرأة", "أن نكون صوت من لا صوت لهم"),
        ("ku", "Meclîsa Jinan", "Bûyîna dengê bêdengan"),
        ("tr", "Kadın Meclisi", "Sessizlerin Sesi Olma"),
    ],
)
def test_bodies_and_principles_show_in_the_readers_language(
    client, council, locale, name, principle
):
    home = html(client.get("/", headers={"Accept-Language": locale}))
    assert name in home
    assert principle in home
    bodies = html(client.get("/bodies", headers={"Accept-Language": locale}))
    assert name in bodies


def test_a_body_without_a_text_in_the_readers_language_shows_the_turkish_one(client, council, app):
    with app.app_context():
        body = get_body("engelli-meclisi")
        body.names = {"tr": "Engelli Meclisi", "en": "Disability Assembly"}
        body.descriptions = {"tr": "Türkçe açıklama burada."}
        db.session.commit()
    page = html(client.get("/bodies/engelli-meclisi", headers={"Accept-Language": "ku"}))
    assert "Engelli Meclisi" in page and "Türkçe açıklama burada." in page
    assert "Disability Assembly" not in page


def test_load_council_reads_every_language_the_file_gives(app, tmp_path):
    data_file = tmp_path / "council.yaml"
    data_file.write_text(
        yaml.safe_dump(
            {
                "council": {
                    "slug": "deneme",
                    "name_tr": "Deneme Kent Konseyi",
                    "name_ar": "مجلس مدينة Deneme",
                    "name_fa": "شورای شهر Deneme",
                    "principles_ku": ["Bûyîna dengê bêdengan"],
                },
                "assemblies": [
                    {
                        "slug": "kadin",
                        "name_tr": "Kadın Meclisi",
                        "name_ku": "Meclîsa Jinan",
                        "description_ar": "يعمل من أجل المرأة.",
                        "description_en": "",
                        "keywords_tr": ["kadın"],
                    }
                ],
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    with app.app_context():
        load_council(data_file)
        council = db.session.scalar(select(Council).where(Council.slug == "deneme"))
        body = db.session.scalar(select(Body).where(Body.slug == "kadin"))
        assert council.names == {
            "tr": "Deneme Kent Konseyi",
            "ar": "مجلس مدينة Deneme",
            "fa": "شورای شهر Deneme",
        }
        assert council.principles == {"ku": ["Bûyîna dengê bêdengan"]}
        assert body.names == {"tr": "Kadın Meclisi", "ku": "Meclîsa Jinan"}
        assert body.descriptions == {"ar": "يعمل من أجل المرأة."}  # an empty text is no text
        db.session.rollback()


# --- right to left: the chart and the audit log --------------------------------------------


def test_the_month_chart_is_mirrored_in_arabic(client, council, app):
    with app.app_context():
        make_proposal(body=get_body("ulasim"))
        db.session.commit()
    arabic = html(client.get("/stats", headers={"Accept-Language": "ar"}))
    turkish = html(client.get("/stats", headers={"Accept-Language": "tr"}))
    # The axis stands where the bars start: on the left in Turkish, on the right in Arabic,
    # 6 px beside the month labels, which have room for Arabic's long month names.
    axis = {
        lang: float(re.search(r'<line class="chart-axis" x1="([\d.]+)"', page)[1])
        for lang, page in (("tr", turkish), ("ar", arabic))
    }
    label = {
        lang: float(re.search(r'<text class="chart-label" x="([\d.]+)"', page)[1])
        for lang, page in (("tr", turkish), ("ar", arabic))
    }
    assert axis["tr"] < 100 and label["tr"] == axis["tr"] - 6
    assert axis["ar"] > 160 and label["ar"] == axis["ar"] + 6
    assert 320 - axis["ar"] >= 11 * 8  # "سبتمبر 2026" fits beside it


def test_kurmanji_charts_write_full_month_names(client, council, app):
    with app.app_context():
        make_proposal(body=get_body("ulasim"))
        db.session.commit()
    page = html(client.get("/stats", headers={"Accept-Language": "ku"}))
    months = re.findall(r'<text class="chart-label"[^>]*>([^<]+)<', page)
    assert months and all(len(month.split()[0]) > 3 for month in months)


# --- validation messages -------------------------------------------------------------------


def invalid_choice_error(client, locale: str) -> str:
    response = client.post(
        "/proposals/new", data=proposal_form(language="de"), headers={"Accept-Language": locale}
    )
    return re.search(r'id="language-error">\s*<span>(.*?)</span>', html(response))[1]


def test_wtforms_messages_come_from_the_site_catalogue_first(login, resident, monkeypatch):
    """WTForms has no Kurmanji catalogue: its messages are in ours, so Kurmanji gets them."""
    import katilim.core.forms

    class Kurmanji:
        def gettext(self, string):
            return {"Not a valid choice.": "Ev ne bijarteyeke derbasdar e."}.get(string, string)

    monkeypatch.setattr(katilim.core.forms, "get_translations", Kurmanji)
    assert invalid_choice_error(login(resident), "ku") == "Ev ne bijarteyeke derbasdar e."


def test_wtforms_messages_the_site_does_not_translate_come_from_wtforms(login, resident):
    client = login(resident)
    turkish = invalid_choice_error(client, "tr")
    assert turkish in {"Geçerli bir seçenek değil."}  # ours once merged, WTForms' until then
    assert invalid_choice_error(client, "en") == "Not a valid choice."


def test_every_wtforms_message_the_forms_can_show_is_in_the_site_catalogue_source():
    from katilim.core.forms import WTFORMS_MESSAGES

    ids = {message._args[0] for message in WTFORMS_MESSAGES}
    assert {"Not a valid choice.", "Not a valid integer value.", "Invalid email address."} <= ids


@pytest.mark.parametrize("locale, direction", [("ar", "rtl"), ("ku", "ltr")])
def test_error_pages_come_in_arabic_and_kurmanji(client, council, locale, direction):
    response = client.get("/proposals/999999", headers={"Accept-Language": locale})
    assert response.status_code == 404
    assert root_attrs(response) == (locale, direction)


def test_kurmanji_dates_name_the_month_in_full(app):
    # Babel's medium Kurmanji form abbreviates "gulan" to "glna"; readers get the long form.
    from datetime import date, datetime

    from katilim.i18n import format_date, format_datetime

    with app.test_request_context(headers={"Accept-Language": "ku"}):
        assert format_date(date(2026, 5, 21)) == "21ê gulana 2026an"
        assert format_datetime(datetime(2026, 5, 21, 11, 5)).startswith("21ê gulana 2026an ")
    with app.test_request_context(headers={"Accept-Language": "tr"}):
        assert format_date(date(2026, 5, 21)) == "21 Mayıs 2026"  # the same form everywhere


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ku", "Herî zêde 254 tîp dikarin bêne nivîsandin."),
        ("tr", "En fazla 254 karakter yazabilirsiniz."),
        ("ar", "لا يمكن أن يزيد النص على 254 حرفًا."),
        ("en", "Field cannot be longer than 254 characters."),
    ],
)
def test_wtforms_plural_messages_come_in_the_reader_language(app, language, expected):
    # WTForms has no Kurmanji catalogue: its "too long" message comes from the site's.
    from werkzeug.datastructures import MultiDict

    from katilim.auth.forms import LoginForm

    with app.test_request_context(headers={"Accept-Language": language}):
        form = LoginForm(
            formdata=MultiDict({"email": "a" * 300, "password": "x"}), meta={"csrf": False}
        )
        form.validate()
        assert expected in form.email.errors


@pytest.mark.parametrize(
    ("path", "target"),
    [("/login", "/auth/login"), ("/register", "/auth/register"), ("/account", "/me")],
)
def test_guessed_addresses_lead_to_the_real_pages(client, council, path, target):
    response = client.get(path)
    assert response.status_code == 301
    assert response.headers["Location"] == target
    assert client.get(target).status_code in (200, 302)  # /me asks a visitor to sign in


# --- counts and percentages in Arabic ---------------------------------------------------------


@pytest.mark.parametrize(
    ("supports", "opposes", "said"),
    [
        (1, 2, ("صوت واحد مؤيد", "صوتان ضد")),
        (7, 11, ("7 أصوات مؤيدة", "11 صوتًا ضد")),
        (100, 0, ("100 صوت مؤيد", "0 صوت ضد")),
    ],
)
def test_counts_on_a_card_use_the_arabic_plural_forms(
    client, council, app, supports, opposes, said
):
    with app.app_context():
        proposal = make_proposal()
        proposal.supports_count, proposal.opposes_count = supports, opposes
        db.session.commit()
    page = html(client.get("/proposals", headers={"Accept-Language": "ar"}))
    for text in said:
        assert text in page


def test_every_arabic_plural_entry_has_its_six_forms():
    from babel.messages.pofile import read_po

    with open(ROOT / "translations" / "ar" / "LC_MESSAGES" / "messages.po", "rb") as po:
        catalogue = read_po(po)
    assert catalogue.num_plurals == 6
    plurals = [m for m in catalogue if m.id and isinstance(m.id, tuple)]
    assert plurals and all(len(m.string) == 6 and all(m.string) for m in plurals)


@pytest.mark.parametrize(
    ("language", "share", "zoom"),
    [
        ("tr", "%19,3", "%400"),
        ("ku", "%19,3", "%400"),
        ("ar", "19.3%", "400%"),
        ("en", "19.3%", "400%"),
    ],
)
def test_percentages_are_written_the_locale_way(app, client, council, language, share, zoom):
    from katilim.i18n import format_share

    with app.test_request_context(headers={"Accept-Language": language}):
        assert format_share(0.1934).replace("\u200e", "").replace("\u061c", "") == share
    page = html(client.get("/accessibility", headers={"Accept-Language": language}))
    assert zoom in page.replace("\u200e", "").replace("\u061c", "")


@pytest.mark.parametrize("language", ["tr", "ar", "ku"])
def test_no_translation_names_a_council(language):
    """The council's name comes from its data file, never from the catalogues (which serve every
    council); and no translation names a council another way than the data file's pattern
    ("Meclîsa Bajarê…" beside "Encumena Bajêr…" read as two bodies in Kurmanji)."""
    from babel.messages.pofile import read_po

    with open(ROOT / "translations" / language / "LC_MESSAGES" / "messages.po", "rb") as po:
        catalogue = read_po(po)
    texts = [m.string for m in catalogue if m.id and isinstance(m.string, str)]
    assert not [t for t in texts if "Kocaeli" in t or "كوجالي" in t or "كوجايلي" in t]
    name = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))["council"][f"name_{language}"]
    if language == "ku":
        assert name.startswith(catalogue.get("City council").string)
        assert not [t for t in texts if "Meclîsa Bajar" in t]


@pytest.mark.parametrize(
    ("days", "said"),
    [
        (1, "بعد يوم واحد."),
        (2, "بعد يومين."),
        (7, "بعد 7 أيام."),
        (30, "بعد 30 يومًا."),
        (100, "بعد 100 يوم."),
        (730, "بعد 730 يومًا."),
    ],  # 730: the noun follows its last part, 30
)
def test_retention_periods_in_arabic_take_the_plural_form_of_their_number(
    client, council, app, monkeypatch, days, said
):
    monkeypatch.setitem(app.config, "RETENTION_UNVERIFIED_ACCOUNT_DAYS", days)
    page = html(client.get("/privacy", headers={"Accept-Language": "ar"}))
    assert f"الحسابات التي لم يُؤكَّد بريدها الإلكتروني قط: تُحذف {said}" in page
