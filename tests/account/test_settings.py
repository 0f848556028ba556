"""/me settings: name, district and language; e-mail address by link; password with the
current one, other sessions ended."""

from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from katilim.auth.models import User, UserSession
from katilim.extensions import db
from tests.auth.test_routes import link_in
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, get_district, make_user

NEW_PASSWORD = "a much longer new password"


@pytest.fixture
def ayse(app, council) -> int:
    with app.app_context():
        user = make_user(email="ayse@example.org", locale="en")
        db.session.commit()
        return user.id


def user_row(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def session_count(app, user_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(UserSession).where(UserSession.user_id == user_id)
        )


# --- name, district, language ---------------------------------------------------------


def test_person_changes_name_district_and_language(app, ayse, login):
    client = login(ayse)
    page = client.get("/me/profile").get_data(as_text=True)
    assert 'value="Ayşe Yılmaz"' in page
    response = client.post(
        "/me/profile", data={"display_name": "Ayşe Y.", "district": "gebze", "locale": "ar"}
    )
    assert response.status_code == 302
    user = user_row(app, ayse)
    assert user.display_name == "Ayşe Y."
    assert user.locale == "ar"
    with app.app_context():
        assert user.district_id == get_district("gebze").id
    # The site now speaks the chosen language to this person.
    assert 'lang="ar"' in client.get("/me").get_data(as_text=True)


def test_the_account_language_wins_over_one_picked_earlier_in_the_header(app, ayse, login):
    client = login(ayse)
    client.get("/language/en?next=/")
    assert 'lang="en"' in client.get("/me").get_data(as_text=True)
    client.post("/me/profile", data={"display_name": "Ayşe", "district": "", "locale": "ku"})
    assert 'lang="ku"' in client.get("/me").get_data(as_text=True)


def test_profile_refuses_an_unknown_district_and_a_blank_name(app, ayse, login):
    client = login(ayse)
    response = client.post(
        "/me/profile", data={"display_name": "   ", "district": "atlantis", "locale": "tr"}
    )
    assert response.status_code == 400
    assert user_row(app, ayse).display_name == "Ayşe Yılmaz"


def test_district_can_be_cleared(app, ayse, login):
    client = login(ayse)
    client.post("/me/profile", data={"display_name": "Ayşe", "district": "izmit", "locale": "tr"})
    client.post("/me/profile", data={"display_name": "Ayşe", "district": "", "locale": "tr"})
    assert user_row(app, ayse).district_id is None


def test_proposal_form_starts_with_the_persons_district(app, ayse, login):
    client = login(ayse)
    client.post("/me/profile", data={"display_name": "Ayşe", "district": "gebze", "locale": "en"})
    page = client.get("/proposals/new").get_data(as_text=True)
    assert '<option selected value="gebze">' in page or 'value="gebze" selected' in page


@pytest.mark.parametrize(
    "path", ["/me/profile", "/me/email-address", "/me/password"], ids=lambda p: p
)
def test_anonymous_visitor_is_sent_to_sign_in(client, council, path):
    for response in (client.get(path), client.post(path, data={})):
        assert response.status_code == 302
        assert urlsplit(response.headers["Location"]).path == "/auth/login"


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/me/profile", {"display_name": "Mallory", "district": "", "locale": "tr"}),
        ("/me/email-address", {"new_email": "m@example.org", "current_password": PASSWORD}),
        (
            "/me/password",
            {
                "current_password": PASSWORD,
                "password": NEW_PASSWORD,
                "password_again": NEW_PASSWORD,
            },
        ),
    ],
    ids=["profile", "email", "password"],
)
def test_settings_need_the_csrf_token(app, ayse, login, outbox, path, data):
    app.config["WTF_CSRF_ENABLED"] = True  # the cleanup fixture switches it off again
    client = login(ayse)
    assert client.post(path, data=data).status_code == 400
    user = user_row(app, ayse)
    assert user.display_name == "Ayşe Yılmaz" and user.check_password(PASSWORD)
    assert len(outbox) == 0
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    assert client.post(path, data={**data, "csrf_token": token}).status_code in (200, 302)


# --- e-mail address --------------------------------------------------------------------


def ask_for(client, new_email="ayse.new@example.org", password=PASSWORD):
    return client.post(
        "/me/email-address", data={"new_email": new_email, "current_password": password}
    )


def test_new_address_gets_a_link_and_the_old_one_is_told(app, ayse, login, outbox):
    client = login(ayse)
    response = ask_for(client, " Ayse.New@Example.org ")
    assert response.status_code == 200
    assert "Check the inbox of the new address" in response.get_data(as_text=True)
    by_recipient = {m["To"]: m for m in outbox}
    assert set(by_recipient) == {"ayse.new@example.org", "ayse@example.org"}
    link = link_in(by_recipient["ayse.new@example.org"], "/me/email-address/confirm/")
    assert link.startswith("/me/email-address/confirm/")
    notice = by_recipient["ayse@example.org"].get_content()
    assert "a***w@example.org" in notice and "/me/email-address/confirm/" not in notice
    # Nothing changes until the link is opened and its button pressed.
    assert user_row(app, ayse).email == "ayse@example.org"
    stranger = app.test_client()  # the link works in any browser, signed in or not
    assert "Use the new address" in stranger.get(link).get_data(as_text=True)
    assert user_row(app, ayse).email == "ayse@example.org"
    assert stranger.post(link).status_code == 302
    user = user_row(app, ayse)
    assert user.email == "ayse.new@example.org" and user.email_verified_at is not None
    # Spent: the address it was bound to is gone.
    assert stranger.get(link).status_code == 400
    assert stranger.post(link).status_code == 400
    # The person signs in with the new address from now on.
    signin = app.test_client().post(
        "/auth/login", data={"email": "ayse.new@example.org", "password": PASSWORD}
    )
    assert signin.status_code == 302


def test_a_taken_address_gets_the_same_answer_and_its_owner_is_told(app, ayse, login, outbox):
    with app.app_context():
        make_user("Mehmet", email="mehmet@example.org", locale="en")
        db.session.commit()
    client = login(ayse)
    taken = ask_for(client, "mehmet@example.org").get_data(as_text=True)
    free = ask_for(client, "free@example.org").get_data(as_text=True)
    assert taken.replace("mehmet@example.org", "X") == free.replace("free@example.org", "X")
    messages = list(outbox)
    to_mehmet = [m for m in messages if m["To"] == "mehmet@example.org"]
    assert len(to_mehmet) == 1
    assert "/confirm/" not in to_mehmet[0].get_content()
    assert "already has an account" in to_mehmet[0].get_content()
    # Ayşe's old address is told both times, in the same words.
    notices = [m for m in messages if m["To"] == "ayse@example.org"]
    assert len(notices) == 2
    assert user_row(app, ayse).email == "ayse@example.org"


def test_link_refused_when_the_address_was_taken_meanwhile(app, ayse, login, outbox):
    client = login(ayse)
    ask_for(client, "race@example.org")
    link = link_in(next(m for m in outbox if m["To"] == "race@example.org"), "/me/email-address/")
    with app.app_context():
        make_user("Racer", email="race@example.org")
        db.session.commit()
    assert client.post(link).status_code == 400
    assert user_row(app, ayse).email == "ayse@example.org"


def test_expired_or_forged_link_does_nothing(app, ayse, login, outbox, monkeypatch):
    client = login(ayse)
    ask_for(client)
    link = link_in(next(m for m in outbox if m["To"] == "ayse.new@example.org"), "/me/email-")
    assert client.get(link + "x").status_code == 400
    monkeypatch.setitem(app.config, "EMAIL_CHANGE_TOKEN_MAX_AGE", -1)
    assert client.post(link).status_code == 400
    assert user_row(app, ayse).email == "ayse@example.org"


def test_email_change_needs_the_current_password(app, ayse, login, outbox):
    client = login(ayse)
    response = ask_for(client, password="not my password")
    assert response.status_code == 400
    assert "The password is wrong." in response.get_data(as_text=True)
    assert len(outbox) == 0


def test_email_change_to_the_same_address_says_so(app, ayse, login, outbox):
    response = ask_for(login(ayse), "AYSE@example.org")
    assert response.status_code == 400
    assert "already the address of your account" in response.get_data(as_text=True)
    assert len(outbox) == 0


def test_email_change_is_rate_limited(app, ayse, login, outbox, rate_limits, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMITS", {**rate_limits, "email_change": "2 per hour"})
    client = login(ayse)
    for n in range(2):
        assert ask_for(client, f"n{n}@example.org").status_code == 200
    assert ask_for(client, "late@example.org").status_code == 429
    assert not [m for m in outbox if m["To"] == "late@example.org"]


# --- password --------------------------------------------------------------------------


def change(client, current=PASSWORD, new=NEW_PASSWORD, again=None):
    return client.post(
        "/me/password",
        data={"current_password": current, "password": new, "password_again": again or new},
    )


def test_password_change_keeps_this_session_and_ends_the_others(app, ayse, login):
    phone, laptop = login(ayse), login(ayse)
    assert session_count(app, ayse) == 2
    assert change(laptop).status_code == 302
    assert user_row(app, ayse).check_password(NEW_PASSWORD)
    assert session_count(app, ayse) == 1
    assert laptop.get("/me").status_code == 200
    assert phone.get("/me").status_code == 302


def test_password_change_needs_the_current_password(app, ayse, login):
    client, other = login(ayse), login(ayse)
    response = change(client, current="wrong password!")
    assert response.status_code == 400
    assert "The password is wrong." in response.get_data(as_text=True)
    assert user_row(app, ayse).check_password(PASSWORD)
    assert other.get("/me").status_code == 200


@pytest.mark.parametrize(
    ("new", "again", "message"),
    [
        ("short", "short", "Use at least 10 characters."),
        (NEW_PASSWORD, "something else entirely", "The two passwords are not the same."),
    ],
)
def test_password_change_uses_the_password_rules(app, ayse, login, new, again, message):
    response = change(login(ayse), new=new, again=again)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert user_row(app, ayse).check_password(PASSWORD)


def test_password_change_is_rate_limited(app, ayse, login, rate_limits, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMITS", {**rate_limits, "password_change": "3 per hour"})
    client = login(ayse)
    for _ in range(3):
        change(client, current="guessing wrong")
    assert change(client).status_code == 429
    assert user_row(app, ayse).check_password(PASSWORD)
