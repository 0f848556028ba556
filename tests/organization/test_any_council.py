"""Nothing names Kocaeli but its data: with another council's file loaded, every page of the URL
map in the four languages, and the e-mails, name that council and never Kocaeli.

The other council (tests/data/ornekkent.yaml) gives its own name, city, legal identity and
contact; a page, letter, feed or e-mail that still said "Kocaeli" would have it from the code.
User content is written here without the word, so any hit is the platform's own text.
"""

from flask import url_for
from sqlalchemy import select

from katilim.assist.models import AssistedSubmission
from katilim.auth.models import User
from katilim.auth.services import send_password_reset, send_verification_email
from katilim.core.models import utcnow
from katilim.core.text import fold
from katilim.extensions import db
from katilim.moderation.staffing import send_weekly_reports
from katilim.organization.services import current_council
from tests.world import seed_world

LANGUAGES = ("tr", "en", "ar", "ku")
ROLES = ("admin", "moderator", "facilitator", "resident", "anonymous")


# Its name in Arabic script, as the catalogues once spelled it.
ARABIC_SPELLINGS = ("كوجالي", "كوجايلي", "قوجه ايلي")


def _names_kocaeli(text: str) -> bool:
    # Folded (Turkish lower case, no diacritics): KOCAELİ, Kocaeliyê, kocaeli all match.
    return "kocaeli" in fold(text) or any(spelling in text for spelling in ARABIC_SPELLINGS)


def _client(app, role: str, language: str):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    if role != "anonymous":
        with client.session_transaction() as session:
            session["_user_id"] = f"sweep-{role}"  # the session tests/world.py started
            session["_fresh"] = True
    return client


def _urls(app, world) -> dict[str, list[str]]:
    """Each GET endpoint's URLs: with the world's first values, then its alternatives."""
    urls: dict[str, list[str]] = {}
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in (rule.methods or ()) or rule.endpoint == "static":
                continue
            values = {arg: world.path_values.get(arg, 1) for arg in rule.arguments}
            values.update(world.endpoint_values.get(rule.endpoint, {}))
            candidates = [values]
            for arg in rule.arguments:
                for other in world.alternatives.get(arg, []):
                    candidates.append({**values, arg: other})
            urls[rule.endpoint] = [
                url_for(rule.endpoint, **{k: v for k, v in c.items() if k in rule.arguments})
                for c in candidates
            ]
    return urls


def _seen_by(app, urls: list[str]) -> tuple[str, str] | None:
    """The first role (most rights first) and URL that the page answers 200 to."""
    for url in urls:
        for role in ROLES:
            if _client(app, role, "tr").get(url).status_code == 200:
                return role, url
    return None


def test_every_page_in_every_language_names_the_council_from_its_data(app, other_council):
    world = seed_world(app, district="merkez")
    pages, shown, failures = 0, 0, []
    for endpoint, urls in sorted(_urls(app, world).items()):
        if endpoint.startswith("operator."):
            continue  # the operator's list names every council of the installation: data
        found = _seen_by(app, urls)
        shown += found is not None
        # A page nobody may see (a token already used, a form that only redirects) still
        # answers with a page of its own: that one is checked instead.
        role, url = found or ("anonymous", urls[0])
        for language in LANGUAGES:
            response = _client(app, role, language).get(url)
            text = response.get_data().decode("utf-8", "replace") + str(response.headers)
            pages += 1
            if _names_kocaeli(text):
                failures.append(f"{endpoint} {url} ({role}, {language}, {response.status_code})")
    assert pages > 300  # every endpoint of the URL map, four times
    assert shown > 70  # most of them as a page that someone may see (82 GET endpoints today)
    assert not failures, "\n".join(failures)


def test_the_pages_name_the_other_council_and_its_city(app, client, other_council):
    seed_world(app, district="merkez")
    home = client.get("/").get_data(as_text=True)
    assert "· Örnekkent City Council</title>" in home
    assert "participation platform of Örnekkent City Council." in home
    assert '(<span lang="tr">Örnekkent Kent Konseyi</span>)' in home
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ar"
    assert "مجلس مدينة Örnekkent" in client.get("/").get_data(as_text=True)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    figures = client.get("/stats/representation").get_data(as_text=True)
    assert "Does every part of Örnekkent get heard?" in figures


def test_e_mails_and_the_consent_record_name_the_council(app, other_council, outbox):
    world = seed_world(app, district="merkez")
    with app.app_context():
        for language in LANGUAGES:
            resident = db.session.get(User, world.users["resident"])
            resident.locale = language
            send_password_reset(resident.email)
            send_verification_email(resident)
            db.session.commit()
        send_weekly_reports(current_council(), utcnow())
        db.session.commit()
        consent = db.session.scalar(select(AssistedSubmission.consent_text))
    assert consent and "Örnekkent Kent Konseyi" in consent  # read in Turkish (its letter's)
    texts = [f"{m['Subject']}\n{m.get_content()}" for m in outbox]
    assert len(texts) >= 2 * len(LANGUAGES)
    for text in texts:
        assert not _names_kocaeli(text), text
        assert "Örnekkent" in text, text  # signed with its name (in every language's form)
