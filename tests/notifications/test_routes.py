"""Follow buttons, the notifications page, the header count, unsubscribing and the e-mail choice."""

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from katilim.auth.models import User
from katilim.extensions import db
from katilim.mail.unsubscribe import make_unsubscribe_token
from katilim.notifications import services
from katilim.notifications.models import Notification
from katilim.privacy.models import Consent
from katilim.proposals.models import EventKind
from tests.conftest import csrf_token_from
from tests.factories import get_body, make_proposal, make_user
from tests.notifications.helpers import add_event, make_reader


def html(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def setup(app, council):
    """(reader id, proposal id) with the proposal in the transport group."""
    with app.app_context():
        proposal = make_proposal(body=get_body("ulasim"))
        reader = make_reader("Okur", locale="en")
        db.session.commit()
        return reader.id, proposal.id


def following(app, user_id, proposal_id=None, body_slug=None) -> bool:
    with app.app_context():
        user = db.session.get(User, user_id)
        if body_slug:
            return services.is_following(user, body=get_body(body_slug))
        return services.is_following(user, proposal=db.session.get(services.Proposal, proposal_id))


# --- follow buttons ----------------------------------------------------------------------------


def test_resident_follows_and_unfollows_a_proposal_with_the_button(login, app, setup):
    reader_id, proposal_id = setup
    client = login(reader_id)
    page = html(client.get(f"/proposals/{proposal_id}"))
    assert "Follow this proposal" in page
    response = client.post(f"/proposals/{proposal_id}/follow")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == f"/proposals/{proposal_id}"
    assert following(app, reader_id, proposal_id)
    assert "Stop following" in html(client.get(f"/proposals/{proposal_id}"))
    client.post(f"/proposals/{proposal_id}/follow")
    assert not following(app, reader_id, proposal_id)


def test_resident_follows_a_body_with_the_button(login, app, setup):
    reader_id, _ = setup
    client = login(reader_id)
    assert "Follow this group" in html(client.get("/bodies/ulasim"))
    assert client.post("/bodies/ulasim/follow").status_code == 302
    assert following(app, reader_id, body_slug="ulasim")
    assert "Stop following" in html(client.get("/bodies/ulasim"))
    client.post("/bodies/ulasim/follow")
    assert not following(app, reader_id, body_slug="ulasim")


def test_visitor_is_sent_to_sign_in_and_unknown_targets_are_404(client, login, setup):
    reader_id, proposal_id = setup
    assert "Sign in to follow this proposal" in html(client.get(f"/proposals/{proposal_id}"))
    response = client.post(f"/proposals/{proposal_id}/follow")
    assert urlsplit(response.headers["Location"]).path == "/auth/login"
    resident = login(reader_id)
    assert resident.post("/bodies/no-such-body/follow").status_code == 404
    assert resident.post("/proposals/999999/follow").status_code == 404


def test_follow_button_needs_the_csrf_token(login, app, setup):
    reader_id, proposal_id = setup
    app.config["WTF_CSRF_ENABLED"] = True
    client = login(reader_id)
    assert client.post(f"/proposals/{proposal_id}/follow").status_code == 400
    assert not following(app, reader_id, proposal_id)
    token = csrf_token_from(html(client.get(f"/proposals/{proposal_id}")))
    client.post(f"/proposals/{proposal_id}/follow", data={"csrf_token": token})
    assert following(app, reader_id, proposal_id)


# --- the notifications page and the header -------------------------------------------------------


def add_notifications(app, reader_id: int, proposal_id: int, count: int) -> None:
    with app.app_context():
        reader = db.session.get(User, reader_id)
        proposal = db.session.get(services.Proposal, proposal_id)
        services.follow_proposal(reader, proposal)
        for i in range(count):
            add_event(proposal, EventKind.ANSWERED, text=f"Yanıt {i}")
        db.session.commit()


def test_header_shows_the_unread_count(login, client, app, setup):
    reader_id, proposal_id = setup
    add_notifications(app, reader_id, proposal_id, 3)
    assert "Notifications (3)" in html(login(reader_id).get("/"))
    assert "Notifications (" not in html(client.get("/"))


def test_notifications_page_is_paginated_newest_first_and_marks_nothing_on_its_own(
    login, app, setup
):
    reader_id, proposal_id = setup
    add_notifications(app, reader_id, proposal_id, 25)
    client = login(reader_id)
    first = html(client.get("/me/notifications"))
    assert first.count("The group answered.") == 20
    assert first.count(">Unread</strong>") == 20
    assert 'rel="next"' in first
    second = html(client.get("/me/notifications?page=2"))
    assert second.count("The group answered.") == 5
    with app.app_context():
        assert services.unread_count(db.session.get(User, reader_id)) == 25
        ids = reader_notification_ids(reader_id)
    assert first.index(f"/me/notifications/{ids[-1]}") < first.index(f"/me/notifications/{ids[-2]}")
    assert f"/me/notifications/{ids[0]}" in second


def reader_notification_ids(user_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(Notification.id).where(Notification.user_id == user_id).order_by(Notification.id)
        )
    )


def test_opening_one_notification_marks_it_read_and_goes_to_the_proposal(login, app, setup):
    reader_id, proposal_id = setup
    add_notifications(app, reader_id, proposal_id, 2)
    with app.app_context():
        first_id = reader_notification_ids(reader_id)[0]
    client = login(reader_id)
    response = client.get(f"/me/notifications/{first_id}")
    assert urlsplit(response.headers["Location"]).path == f"/proposals/{proposal_id}"
    assert "Notifications (1)" in html(client.get("/"))
    other = login(make_other_user(app))
    assert other.get(f"/me/notifications/{first_id}").status_code == 404


def make_other_user(app) -> int:
    with app.app_context():
        user = make_user("Başkası")
        db.session.commit()
        return user.id


def test_mark_all_as_read(login, app, setup):
    reader_id, proposal_id = setup
    add_notifications(app, reader_id, proposal_id, 3)
    client = login(reader_id)
    assert "Mark all as read" in html(client.get("/me/notifications"))
    response = client.post("/me/notifications/read", follow_redirects=True)
    page = html(response)
    assert "Notifications (0)" in page
    assert ">Unread</strong>" not in page and "Mark all as read" not in page


def test_notifications_page_needs_sign_in(client, setup):
    assert urlsplit(client.get("/me/notifications").headers["Location"]).path == "/auth/login"


def test_notifications_page_runs_the_same_queries_for_few_and_many(
    login, app, setup, count_queries
):
    reader_id, proposal_id = setup
    add_notifications(app, reader_id, proposal_id, 2)
    client = login(reader_id)
    client.get("/me/notifications")
    with count_queries() as few:
        client.get("/me/notifications")
    add_notifications(app, reader_id, proposal_id, 18)
    with count_queries() as many:
        client.get("/me/notifications")
    assert few.count == many.count


# --- unsubscribe ------------------------------------------------------------------------------


def unsubscribe_link(app, user_id: int) -> str:
    with app.app_context():
        return f"/unsubscribe/{make_unsubscribe_token(db.session.get(User, user_id))}"


def test_unsubscribe_link_works_without_signing_in(client, app, setup):
    reader_id, _ = setup
    with app.app_context():
        services.set_email_frequency(db.session.get(User, reader_id), "immediate")
        db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True  # the anonymous session carries the token
    link = unsubscribe_link(app, reader_id)
    page = client.get(link)
    assert page.status_code == 200 and "Stop the e-mails" in html(page)
    with app.app_context():  # opening the link (as mail scanners do) changes nothing
        assert db.session.get(User, reader_id).email_frequency == "immediate"
    assert client.post(link).status_code == 400  # without the form's token
    response = client.post(link, data={"csrf_token": csrf_token_from(html(page))})
    assert response.status_code == 200
    assert "we will not send you e-mails about proposals any more" in html(response)
    with app.app_context():
        assert db.session.get(User, reader_id).email_frequency == "never"
        consent = db.session.scalar(select(Consent).where(Consent.user_id == reader_id))
        assert consent.withdrawn_at is not None


def test_wrong_unsubscribe_link_is_refused(client, setup):
    assert client.get("/unsubscribe/garbage").status_code == 400
    assert client.post("/unsubscribe/MQ.forged").status_code == 400


def test_every_email_to_an_account_holder_has_a_working_unsubscribe_link(
    client, app, setup, outbox
):
    reader_id, proposal_id = setup
    with app.app_context():
        reader = db.session.get(User, reader_id)
        reader.email_frequency = "immediate"
        email = reader.email
        db.session.commit()
    add_notifications(app, reader_id, proposal_id, 1)
    client.post("/auth/reset", data={"email": email})
    assert len(outbox) == 2
    for message in outbox:
        link = re.search(r"https?://[^/\s]+(/unsubscribe/\S+)", message.get_content())[1]
        assert client.get(link).status_code == 200
    notice = next(m for m in outbox if m["List-Unsubscribe"])
    assert notice["List-Unsubscribe"] == f"<http://localhost{link}>"


# --- the e-mail choice on /me ------------------------------------------------------------------


def test_email_choice_on_the_account_page_records_and_withdraws_consent(login, app, setup):
    reader_id, _ = setup
    client = login(reader_id)
    page = html(client.get("/me"))
    assert '<input checked id="email_frequency-2" name="email_frequency"' in page  # never
    response = client.post("/me/email", data={"email_frequency": "daily"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, reader_id).email_frequency == "daily"
        consent = db.session.scalar(select(Consent).where(Consent.user_id == reader_id))
        assert consent.withdrawn_at is None
        assert consent.text_version == app.config["PRIVACY_NOTICE_VERSION"]
    client.post("/me/email", data={"email_frequency": "never"})
    with app.app_context():
        consent = db.session.scalar(select(Consent).where(Consent.user_id == reader_id))
        assert consent.withdrawn_at is not None


def test_email_choice_with_an_unknown_value_shows_the_error_beside_the_field(login, setup):
    reader_id, _ = setup
    response = login(reader_id).post("/me/email", data={"email_frequency": "hourly"})
    assert response.status_code == 400
    assert 'id="email_frequency-error"' in html(response)


def test_registering_with_the_email_consent_chooses_immediate_emails(client, council, app):
    data = {
        "email": "yeni@example.org",
        "display_name": "Yeni Kişi",
        "district": "",
        "password": "a long enough password",
        "password_again": "a long enough password",
        "privacy_notice": "y",
        "consent_email_updates": "y",
    }
    client.post("/auth/register", data=data)
    client.post(
        "/auth/register", data={**data, "email": "baska@example.org", "consent_email_updates": ""}
    )
    with app.app_context():
        frequencies = dict(db.session.execute(select(User.email, User.email_frequency)).all())
    assert frequencies == {"yeni@example.org": "immediate", "baska@example.org": "never"}
