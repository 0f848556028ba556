"""Consent records: one per giving, withdrawal keeps the record, e-mail consent stops e-mails."""

from sqlalchemy import select

from katilim.auth.models import User
from katilim.extensions import db
from katilim.mail.models import OutboxMessage
from katilim.privacy import consents
from katilim.privacy.models import Consent, ConsentPurpose
from katilim.privacy.purposes import PURPOSES
from katilim.proposals.models import EventKind
from tests.factories import make_proposal, make_user
from tests.notifications.helpers import add_event


def html(response) -> str:
    return response.get_data(as_text=True)


def records(user_id: int) -> list[Consent]:
    return list(
        db.session.scalars(select(Consent).where(Consent.user_id == user_id).order_by(Consent.id))
    )


def test_every_purpose_has_its_title_and_consent_text():
    assert set(PURPOSES) == set(ConsentPurpose)
    for text in PURPOSES.values():
        assert str(text.title) and len(str(text.text)) > 40


def test_giving_withdrawing_and_giving_again_keeps_the_whole_history(ctx, app):
    user = make_user()
    first = consents.give(user, ConsentPurpose.EMAIL_UPDATES)
    assert consents.give(user, ConsentPurpose.EMAIL_UPDATES) is first  # already in force
    assert consents.withdraw(user, ConsentPurpose.EMAIL_UPDATES)
    assert not consents.withdraw(user, ConsentPurpose.EMAIL_UPDATES)  # nothing in force
    second = consents.give(user, ConsentPurpose.EMAIL_UPDATES)
    history = records(user.id)
    assert [c.id for c in history] == [first.id, second.id]
    assert history[0].withdrawn_at is not None and history[1].withdrawn_at is None
    assert history[1].text_version == app.config["PRIVACY_NOTICE_VERSION"]


def test_a_newer_text_ends_the_old_consent_and_starts_a_new_one(ctx, app):
    user = make_user()
    old = consents.give(user, ConsentPurpose.EMAIL_UPDATES)
    app.config["PRIVACY_NOTICE_VERSION"] = "2027-01"
    try:
        assert consents.overview(user)[0].is_outdated
        new = consents.give(user, ConsentPurpose.EMAIL_UPDATES)
    finally:
        app.config["PRIVACY_NOTICE_VERSION"] = "2026-11"
    assert old.withdrawn_at is not None
    assert (new.text_version, new.withdrawn_at) == ("2027-01", None)


def test_page_lists_each_purpose_with_its_state(login, app):
    with app.app_context():
        user_id = make_user().id
        db.session.commit()
    client = login(user_id)
    page = html(client.get("/me/consents"))
    assert "E-mails about what I follow" in page
    assert "No consent given" in page and "I give my consent" in page
    assert "Text version 2026-11" in page


def test_giving_and_withdrawing_on_the_page(login, app):
    with app.app_context():
        user_id = make_user().id
        db.session.commit()
    client = login(user_id)
    response = client.post("/me/consents", data={"purpose": "email_updates", "choice": "give"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, user_id).email_frequency == "daily"
        assert [c.withdrawn_at for c in records(user_id)] == [None]
    page = html(client.get("/me/consents"))
    assert "Consent given" in page and "Withdraw my consent" in page
    client.post("/me/consents", data={"purpose": "email_updates", "choice": "withdraw"})
    client.post("/me/consents", data={"purpose": "email_updates", "choice": "give"})
    with app.app_context():
        history = records(user_id)
        assert len(history) == 2
        assert history[0].withdrawn_at is not None and history[1].withdrawn_at is None


def test_withdrawing_email_consent_stops_immediate_emails(login, app):
    from katilim.notifications.services import follow_proposal, set_email_frequency
    from katilim.proposals.models import Proposal

    with app.app_context():
        reader = make_user("Okur")
        proposal = make_proposal(make_user("Yazar"))
        set_email_frequency(reader, "immediate")
        follow_proposal(reader, proposal)
        reader_id, proposal_id, email = reader.id, proposal.id, reader.email
        db.session.commit()

    def answer_and_count_mails() -> int:
        with app.app_context():
            add_event(db.session.get(Proposal, proposal_id), EventKind.ANSWERED, text="Yanıt")
            db.session.commit()
            return len(
                db.session.scalars(
                    select(OutboxMessage).where(OutboxMessage.recipient == email)
                ).all()
            )

    assert answer_and_count_mails() == 1  # with consent: an e-mail at once
    login(reader_id).post("/me/consents", data={"purpose": "email_updates", "choice": "withdraw"})
    with app.app_context():
        assert db.session.get(User, reader_id).email_frequency == "never"
    assert answer_and_count_mails() == 1  # no new e-mail


def test_unknown_purpose_or_choice_is_refused(login, app):
    with app.app_context():
        user_id = make_user().id
        db.session.commit()
    client = login(user_id)
    assert client.post("/me/consents", data={"purpose": "x", "choice": "give"}).status_code == 400
    bad_choice = {"purpose": "email_updates", "choice": "maybe"}
    assert client.post("/me/consents", data=bad_choice).status_code == 400
    with app.app_context():
        assert records(user_id) == []


def test_visitors_are_sent_to_sign_in(client):
    assert client.get("/me/consents").status_code == 302


def test_a_consent_to_an_older_text_can_be_renewed_or_withdrawn(login, app):
    with app.app_context():
        user = make_user()
        consents.give(user, ConsentPurpose.EMAIL_UPDATES)
        user_id = user.id
        db.session.commit()
    app.config["PRIVACY_NOTICE_VERSION"] = "2027-01"
    try:
        page = html(login(user_id).get("/me/consents"))
    finally:
        app.config["PRIVACY_NOTICE_VERSION"] = "2026-11"
    assert "to an earlier version of the text (2026-11)" in page
    assert "I give my consent" in page and "Withdraw my consent" in page
