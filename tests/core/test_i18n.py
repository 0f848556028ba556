"""Choosing the language, dates per locale, and complete message catalogues
(docs/architecture.md#languages)."""

import re
import subprocess
from datetime import UTC, datetime

import pytest
from babel.messages.pofile import read_po

from katilim.auth.models import User
from katilim.config import ROOT, DefaultConfig
from katilim.extensions import db
from tests.conftest import PYBABEL
from tests.factories import make_proposal, make_user

LANGUAGES = DefaultConfig.LANGUAGES
CATALOGUES = {
    lang: ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po" for lang in LANGUAGES
}
# %(name)s, %(count)d, %s: what Python fills in; a translation must keep exactly these.
PLACEHOLDER = re.compile(r"%%|%(?:\(\w+\))?[-#0+]*\d*(?:\.\d+)?[sdifr]")


def lang_of(response) -> str:
    page = response.get_data(as_text=True)
    return page.split('<html lang="', 1)[1].split('"', 1)[0]


def test_visitor_without_a_language_gets_turkish(app, council):
    client = app.test_client()
    client.environ_base.pop("HTTP_ACCEPT_LANGUAGE")
    assert lang_of(client.get("/")) == "tr"


def test_visitor_with_an_unsupported_browser_language_gets_turkish(client, council):
    assert lang_of(client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9"})) == "tr"


def test_visitor_browser_asking_for_english_gets_english(client, council):
    assert lang_of(client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"})) == "en"


def test_visitor_can_choose_a_language_for_the_session(client, council):
    response = client.post("/language", data={"locale": "tr", "next": "/proposals"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/proposals"
    assert lang_of(client.get("/", headers={"Accept-Language": "en"})) == "tr"


def test_visitor_language_choice_never_redirects_off_site(client, council):
    response = client.post("/language", data={"locale": "en", "next": "//evil.example"})
    assert response.headers["Location"] == "/"


def test_user_language_choice_is_kept_in_the_account(login, council, app):
    with app.app_context():
        user_id = make_user(locale="tr").id
        db.session.commit()
    login(user_id).post("/language", data={"locale": "en"})
    with app.app_context():
        assert db.session.get(User, user_id).locale == "en"
    # A new session (another device) still gets the account's choice.
    assert lang_of(login(user_id).get("/", headers={"Accept-Language": "tr"})) == "en"


def test_visitor_cannot_choose_an_unknown_language(client, council):
    locales = ["de", "", "tr'; --", "x" * 500]
    statuses = {
        loc[:10]: client.post("/language", data={"locale": loc}).status_code for loc in locales
    }
    assert statuses == {loc[:10]: 400 for loc in locales}


def test_dates_are_written_in_the_reader_language(client, council, app):
    with app.app_context():
        proposal = make_proposal()
        proposal.published_at = datetime(2026, 3, 15, 9, 0, tzinfo=UTC)
        db.session.commit()
        proposal_id = proposal.id
    english = client.get(f"/proposals/{proposal_id}", headers={"Accept-Language": "en"})
    turkish = client.get(f"/proposals/{proposal_id}", headers={"Accept-Language": "tr"})
    assert "March 15, 2026" in english.get_data(as_text=True)
    assert "15 Mart 2026" in turkish.get_data(as_text=True)


# --- catalogues (fail until the translations are complete) -------------------------------


def _read(lang: str):
    assert CATALOGUES[lang].exists(), f"no catalogue for {lang}: {CATALOGUES[lang]}"
    with CATALOGUES[lang].open("rb") as handle:
        return read_po(handle, locale=lang)


def _key(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[str]:
    """Every message id in the code and templates, as `flask translate update` extracts them."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        # The same options as `flask translate update`: the default --ignore-dirs also skips
        # "_*", which would hide templates/_macros.
        [PYBABEL, "extract", "-F", "babel.cfg", "-k", "_l", "--ignore-dirs=.* build"]
        + ["-o", str(pot), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        return {_key(m) for m in read_po(handle) if m.id}


def test_every_language_of_the_site_has_a_catalogue():
    assert set(LANGUAGES) >= {"tr", "en", "ar", "ku"}
    assert [lang for lang in LANGUAGES if not CATALOGUES[lang].exists()] == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_has_no_fuzzy_entries(lang):
    fuzzy = [m.id for m in _read(lang) if m.id and m.fuzzy]
    assert fuzzy == [], f"{len(fuzzy)} fuzzy entries in {lang}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_translates_every_message(lang):
    def untranslated(message) -> bool:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        return not all(s and s.strip() for s in strings)

    missing = [m.id for m in _read(lang) if m.id and untranslated(m)]
    assert missing == [], f"{len(missing)} {lang} translations missing"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_has_every_message_of_the_code(lang, extracted):
    translated = {_key(m) for m in _read(lang) if m.id}
    assert sorted(extracted - translated) == []


def _placeholders(text: str) -> list[str]:
    return sorted(m[0] for m in PLACEHOLDER.finditer(text or "") if m[0] != "%%")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_the_placeholders_of_the_message(lang):
    """A translation with a placeholder the code does not pass fails with a KeyError on the
    page; one that drops a placeholder hides a name or a number from the reader."""
    wrong = []
    for message in _read(lang):
        if not message.id:
            continue
        if isinstance(message.id, str):
            if message.string and _placeholders(message.string) != _placeholders(message.id):
                wrong.append(message.id)
        else:
            # Plural forms ("one comment") may leave the number out, never add a placeholder.
            allowed = set(_placeholders(message.id[0])) | set(_placeholders(message.id[1]))
            if any(set(_placeholders(s)) - allowed for s in message.string if s):
                wrong.append(message.id[0])
    assert wrong == [], f"{lang}: placeholders differ in {wrong}"


def test_placeholder_check_sees_names_numbers_and_bare_placeholders():
    assert _placeholders("%(count)s for, %(num)d, %s, 100%% sure") == ["%(count)s", "%(num)d", "%s"]
