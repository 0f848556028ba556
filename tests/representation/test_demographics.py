"""/me/demographics: own consent box, answers stored only with it, deleted on request."""

import re

import pytest
from sqlalchemy import func, select

from katilim.audit.models import AuditLog
from katilim.core.models import utcnow
from katilim.extensions import db
from katilim.privacy.models import Consent, ConsentPurpose
from katilim.representation import services
from katilim.representation.models import Demographics
from tests.factories import get_council, make_user

ANSWERS = {"age_band": "30_44", "gender": "woman", "disability": "yes", "mother_tongue": "kurdish"}


def form(**changes) -> dict:
    return {**ANSWERS, "consent": "y", **changes}


@pytest.fixture
def person(app):
    with app.app_context():
        get_council()
        user = make_user("Rojda Tekin")
        db.session.commit()
        return user.id


def checked(page: str, name: str) -> list[str]:
    """The values of the ticked inputs called ``name``."""
    return [
        re.search(r'value="([^"]*)"', tag)[1]
        for tag in re.findall(r"<input[^>]*>", page)
        if f'name="{name}"' in tag and " checked" in tag
    ]


def rows(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def consent_of(user_id: int) -> Consent | None:
    return db.session.scalar(
        select(Consent)
        .where(Consent.user_id == user_id, Consent.purpose == ConsentPurpose.DEMOGRAPHICS)
        .order_by(Consent.id.desc())
        .limit(1)
    )


def test_visitor_is_sent_to_sign_in(client, council):
    assert client.get("/me/demographics").status_code == 302
    assert client.post("/me/demographics", data=form()).status_code == 302


def test_page_says_what_it_is_for_and_the_consent_box_is_not_ticked(login, person):
    page = login(person).get("/me/demographics").get_data(as_text=True)
    assert "A group with fewer than 10 people is never shown." in page
    assert "explicit consent" in page
    assert 'name="consent"' in page
    assert checked(page, "consent") == []
    assert checked(page, "disability") == ["prefer_not"]  # the safe answer comes ticked
    assert "Delete my answers" not in page  # nothing to delete yet


def test_account_page_links_to_it(login, person):
    page = login(person).get("/me").get_data(as_text=True)
    assert 'href="/me/demographics"' in page


def test_answers_without_the_consent_box_are_not_stored_and_are_kept_in_the_form(
    app, login, person
):
    response = login(person).post("/me/demographics", data=form(consent=""))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "To save your answers, tick this box to give consent." in page
    assert checked(page, "mother_tongue") == ["kurdish"]  # what was chosen is kept
    with app.app_context():
        assert rows(Demographics) == 0
        assert rows(Consent) == 0


def test_an_unknown_answer_is_refused_without_storing_anything(app, login, person):
    response = login(person).post("/me/demographics", data=form(gender="<script>"))
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)
    with app.app_context():
        assert rows(Demographics) == 0


def test_answers_with_consent_are_stored_with_the_consent_record(app, login, person):
    client = login(person)
    response = client.post("/me/demographics", data=form())
    assert response.status_code == 302
    with app.app_context():
        row = db.session.get(Demographics, person)
        assert {k: getattr(row, k) for k in ANSWERS} == ANSWERS
        consent = consent_of(person)
        assert consent.withdrawn_at is None
        assert consent.text_version == app.config["PRIVACY_NOTICE_VERSION"]
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "demographics.saved"))
        assert entry.actor_id == person
        assert "kurdish" not in str(entry.details)  # the log never holds the answers
    page = client.get("/me/demographics").get_data(as_text=True)
    assert checked(page, "mother_tongue") == ["kurdish"]
    assert "Delete my answers" in page


def test_deleting_removes_the_answers_and_withdraws_the_consent(app, login, person):
    client = login(person)
    client.post("/me/demographics", data=form())
    response = client.post("/me/demographics/delete")
    assert response.status_code == 302
    with app.app_context():
        assert rows(Demographics) == 0
        assert consent_of(person).withdrawn_at is not None
        assert db.session.scalar(
            select(func.count()).where(AuditLog.action == "demographics.deleted")
        )
    # Giving consent again adds a new record; the withdrawn one stays as proof (KVKK).
    client.post("/me/demographics", data=form(gender="man"))
    with app.app_context():
        assert consent_of(person).withdrawn_at is None
        assert db.session.get(Demographics, person).gender == "man"
        assert rows(Consent) == 2


def test_service_refuses_answers_without_consent(ctx):
    user = make_user()
    with pytest.raises(services.ConsentRequired):
        services.save_answers(user, ANSWERS, consent=False)
    with pytest.raises(ValueError):
        services.save_answers(user, {**ANSWERS, "age_band": "99"}, consent=True)
    assert rows(Demographics) == 0 and rows(Consent) == 0


def test_answers_are_not_read_once_the_consent_is_withdrawn_elsewhere(ctx):
    """Another page (a general consents page) may withdraw the consent without deleting the
    row: from that moment the answers are neither shown to the person nor counted."""
    council = get_council()
    users = [make_user(f"Kişi {i}") for i in range(12)]
    for user in users:
        services.save_answers(user, ANSWERS, consent=True)
    assert services.group_tables(council)[0] == 12
    consent_of(users[0].id).withdrawn_at = utcnow()
    db.session.flush()
    assert services.answers_of(users[0]) is None
    assert services.group_tables(council)[0] == 11
