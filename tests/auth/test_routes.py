"""Registration, verification, sign-in, sign-out and password reset."""

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from katilim.auth.models import User
from katilim.extensions import db
from katilim.privacy.models import Consent, ConsentPurpose
from tests.factories import PASSWORD, make_user

NEW_PASSWORD = "a brand new long password"


def registration(**changes) -> dict:
    data = {
        "email": "Sukru.Ozturk@Example.org",
        "display_name": "Şükrü Öztürk",
        "district": "izmit",
        "password": PASSWORD,
        "password_again": PASSWORD,
        "privacy_notice": "y",
        "consent_email_updates": "y",
    }
    data.update(changes)
    return data


def html(response) -> str:
    return response.get_data(as_text=True)


def link_in(message, path: str) -> str:
    """The path of the first link to `path` in an e-mail."""
    match = re.search(rf"https?://[^/\s]+({re.escape(path)}\S+)", message.get_content())
    assert match, f"no {path} link in:\n{message.get_content()}"
    return match[1]


def users(app) -> list[User]:
    with app.app_context():
        return list(db.session.scalars(select(User)))


def is_signed_in(client) -> bool:
    return client.get("/me").status_code == 200


@pytest.fixture
def account(app, council):
    """(id, e-mail) of a verified account with the test password."""
    with app.app_context():
        user = make_user(email="ayse@example.org", locale="en")
        db.session.commit()
        return user.id, user.email


# --- registering -------------------------------------------------------------------------


def test_visitor_can_register_and_gets_a_verification_link(client, council, outbox, app):
    response = client.post("/auth/register", data=registration())
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/auth/check-inbox"
    assert len(outbox) == 1
    assert outbox[0]["To"] == "sukru.ozturk@example.org"
    assert "/auth/verify/" in outbox[0].get_content()
    (user,) = users(app)
    assert user.display_name == "Şükrü Öztürk"
    assert user.email == "sukru.ozturk@example.org"
    assert user.email_verified_at is None
    assert user.locale == "en"
    assert user.privacy_notice_version == app.config["PRIVACY_NOTICE_VERSION"]


def test_visitor_following_the_link_is_verified_and_signed_in(client, council, outbox, app):
    client.post("/auth/register", data=registration())
    response = client.get(link_in(outbox[0], "/auth/verify/"))
    assert response.status_code == 302
    assert users(app)[0].email_verified_at is not None
    assert is_signed_in(client)


def test_verify_link_signs_in_only_on_its_first_use(client, council, outbox, app):
    client.post("/auth/register", data=registration())
    link = link_in(outbox[0], "/auth/verify/")
    client.get(link)
    stranger = app.test_client()  # someone the e-mail was forwarded to, later
    assert stranger.get(link).status_code == 302
    assert not is_signed_in(stranger)


def test_visitor_without_the_privacy_tick_gets_the_error_and_keeps_the_typed_text(
    client, council, outbox, app
):
    data = registration()
    del data["privacy_notice"]
    response = client.post("/auth/register", data=data)
    assert response.status_code == 200
    page = html(response)
    error_at = page.index('id="privacy_notice-error"')
    assert "Please read the privacy notice and tick this box." in page[error_at : error_at + 200]
    assert 'value="Sukru.Ozturk@Example.org"' in page
    assert 'value="Şükrü Öztürk"' in page
    assert users(app) == [] and outbox == []


def test_visitor_with_different_passwords_gets_an_error(client, council, app):
    response = client.post("/auth/register", data=registration(password_again="something else!"))
    assert response.status_code == 200
    page = html(response)
    error_at = page.index('id="password_again-error"')
    assert "The two passwords are not the same." in page[error_at : error_at + 200]
    assert users(app) == []


def test_visitor_passwords_are_never_sent_back(client, council):
    page = html(client.post("/auth/register", data=registration(privacy_notice="")))
    assert PASSWORD not in page
    # ...and the page says so instead of claiming that everything typed was kept
    assert "Everything you typed is kept" not in page
    assert "except the passwords: please type them again." in page


def test_a_refused_form_without_passwords_says_everything_is_kept(login, council, app):
    with app.app_context():
        user_id = make_user().id
        db.session.commit()
    page = html(login(user_id).post("/proposals/new", data={"publish": "1"}))
    assert "Everything you typed is kept." in page and "passwords" not in page


def test_visitor_ticking_the_optional_consent_records_it(client, council, app):
    client.post("/auth/register", data=registration())
    with app.app_context():
        consent = db.session.scalar(select(Consent))
        assert consent.purpose == ConsentPurpose.EMAIL_UPDATES
        assert consent.text_version == app.config["PRIVACY_NOTICE_VERSION"]


def test_visitor_not_ticking_the_optional_consent_records_nothing(client, council, app):
    data = registration()
    del data["consent_email_updates"]
    assert client.post("/auth/register", data=data).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Consent)) == 0


def test_visitor_registering_a_known_address_sees_the_same_page(client, account, outbox, app):
    for email in ["ayse@example.org", "AYSE@EXAMPLE.ORG", " Ayse@Example.org "]:
        response = client.post("/auth/register", data=registration(email=email))
        assert response.status_code == 302, email
        assert urlsplit(response.headers["Location"]).path == "/auth/check-inbox"
    assert len(users(app)) == 1
    assert [m["To"] for m in outbox] == ["ayse@example.org"] * 3
    assert {m["Subject"] for m in outbox} == {"Someone tried to register with your address"}
    assert not any("/auth/verify/" in m.get_content() for m in outbox)


def test_visitor_with_garbage_verify_token_gets_the_400_page(client, council):
    response = client.get("/auth/verify/not-a-real-token")
    assert response.status_code == 400
    assert "The link does not work" in html(response)


def test_verify_link_stops_working_when_the_address_changes(client, council, outbox, app):
    client.post("/auth/register", data=registration())
    link = link_in(outbox[0], "/auth/verify/")
    with app.app_context():
        db.session.scalar(select(User)).email = "changed@example.org"
        db.session.commit()
    assert client.get(link).status_code == 400


# --- signing in and out ------------------------------------------------------------------


def test_user_can_sign_in(client, account):
    _, email = account
    response = client.post("/auth/login", data={"email": email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert is_signed_in(client)


def test_user_cannot_sign_in_with_bad_credentials_and_learns_nothing_more(client, account):
    wrong_password = client.post(
        "/auth/login", data={"email": "ayse@example.org", "password": "wrong password!"}
    )
    unknown_email = client.post(
        "/auth/login", data={"email": "nobody@example.org", "password": PASSWORD}
    )
    for response in (wrong_password, unknown_email):
        assert response.status_code == 200
        assert "The e-mail address or the password is wrong." in html(response)
    assert html(wrong_password).replace("ayse@", "X@") == html(unknown_email).replace(
        "nobody@", "X@"
    )
    assert not is_signed_in(client)


def test_user_next_parameter_on_this_site_is_followed(client, account):
    _, email = account
    response = client.post(
        "/auth/login?next=/proposals?page=2", data={"email": email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/proposals?page=2"


def test_user_next_parameter_cannot_leave_the_site(app, account):
    _, email = account
    targets = ["//evil.example", "https://evil.example/", "/\\evil.example", "javascript:x"]
    locations = {}
    for target in targets:
        response = app.test_client().post(
            "/auth/login",
            query_string={"next": target},
            data={"email": email, "password": PASSWORD},
        )
        locations[target] = response.headers["Location"]
    assert locations == dict.fromkeys(targets, "/")


def test_user_can_sign_out_with_post(login, account):
    user_id, _ = account
    client = login(user_id)
    assert is_signed_in(client)
    assert client.post("/auth/logout").status_code == 302
    assert not is_signed_in(client)


def test_user_cannot_sign_out_with_get(login, account):
    user_id, _ = account
    client = login(user_id)
    response = client.get("/auth/logout")
    assert response.status_code == 405
    assert "This address does not accept this kind of request." in html(response)
    assert is_signed_in(client)


def test_inactive_user_cannot_sign_in(client, account, app):
    user_id, email = account
    with app.app_context():
        db.session.get(User, user_id).is_active_account = False
        db.session.commit()
    response = client.post("/auth/login", data={"email": email, "password": PASSWORD})
    assert "The e-mail address or the password is wrong." in html(response)


# --- password reset ----------------------------------------------------------------------


def test_visitor_asking_reset_for_unknown_address_sees_the_same_page_and_no_mail(
    client, account, outbox
):
    known = html(client.post("/auth/reset", data={"email": "ayse@example.org"}))
    assert len(outbox) == 1
    unknown = html(client.post("/auth/reset", data={"email": "nobody@example.org"}))
    assert len(outbox) == 1
    assert known.replace("ayse@example.org", "X") == unknown.replace("nobody@example.org", "X")


def test_user_reset_link_works_once(client, account, outbox, app):
    user_id, email = account
    client.post("/auth/reset", data={"email": email})
    link = link_in(outbox[0], "/auth/reset/")
    assert client.get(link).status_code == 200
    data = {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    response = client.post(link, data=data)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, user_id).check_password(NEW_PASSWORD)
    second = app.test_client().post(link, data={"password": "x" * 12, "password_again": "x" * 12})
    assert second.status_code == 400
    assert "This password link is wrong, has expired, or was already used." in html(second)
    with app.app_context():
        assert db.session.get(User, user_id).check_password(NEW_PASSWORD)


def test_user_expired_reset_link_is_refused(client, account, outbox, app, monkeypatch):
    _, email = account
    client.post("/auth/reset", data={"email": email})
    link = link_in(outbox[0], "/auth/reset/")
    monkeypatch.setitem(app.config, "RESET_TOKEN_MAX_AGE", -1)
    assert client.get(link).status_code == 400


def test_reset_link_sent_to_the_old_address_stops_working_after_an_address_change(
    client, account, outbox, app
):
    user_id, email = account
    client.post("/auth/reset", data={"email": email})
    link = link_in(outbox[0], "/auth/reset/")
    with app.app_context():
        db.session.get(User, user_id).email = "ayse.yeni@example.org"
        db.session.commit()
    assert client.get(link).status_code == 400
    data = {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    assert client.post(link, data=data).status_code == 400
    with app.app_context():
        assert not db.session.get(User, user_id).check_password(NEW_PASSWORD)


def test_user_reset_link_with_garbage_token_is_refused(client, council):
    assert client.get("/auth/reset/garbage").status_code == 400


def test_visitor_can_register_when_the_district_is_left_out_of_the_form(client, council, app):
    # A form filled by a script, an old browser or an assistive tool may omit the select.
    data = registration()
    data.pop("district", None)
    response = client.post("/auth/register", data=data)
    assert response.status_code == 302
    assert users(app)[0].district_id is None


def test_visitor_unknown_district_gets_an_error_beside_the_field(client, council, app):
    data = registration() | {"district": "atlantis"}
    response = client.post("/auth/register", data=data)
    assert response.status_code == 200
    assert 'id="district-error"' in html(response)
    assert users(app) == []
