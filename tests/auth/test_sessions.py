"""Sessions that the server can end: signing out kills a copied cookie, a password reset or
"sign out on every device" ends every other session and remember-me cookie, and so do
deactivating and deleting the account."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from katilim.auth.models import SiteRole, User
from katilim.extensions import db
from tests.factories import PASSWORD, make_user

NEW_PASSWORD = "a brand new long password"
EMAIL = "ayse@example.org"


@pytest.fixture
def account(app, council) -> int:
    with app.app_context():
        user = make_user(email=EMAIL, locale="en")
        db.session.commit()
        return user.id


def sign_in(app, *, remember: bool = False, email: str = EMAIL, password: str = PASSWORD):
    client = app.test_client()
    data = {"email": email, "password": password}
    if remember:
        data["remember"] = "y"
    response = client.post("/auth/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def signed_in(client) -> bool:
    return client.get("/me").status_code == 200


def copy_of(app, client, *names: str):
    """Another browser holding copies of these cookies (a stolen or synced cookie)."""
    thief = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        assert cookie is not None, name
        thief.set_cookie(name, cookie.value)
    return thief


def sessions_of(app, user_id: int) -> int:
    from katilim.auth.models import UserSession

    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(UserSession).where(UserSession.user_id == user_id)
        )


def reset_password(app, client, outbox, email: str = EMAIL):
    from tests.auth.test_routes import link_in

    client.post("/auth/reset", data={"email": email})
    link = link_in(outbox[-1], "/auth/reset/")
    data = {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    assert client.post(link, data=data).status_code == 302


# --- signing out ---------------------------------------------------------------------------


def test_a_copied_session_cookie_is_dead_after_sign_out(app, account):
    client = sign_in(app)
    thief = copy_of(app, client, "session")
    assert signed_in(thief)
    assert client.post("/auth/logout").status_code == 302
    assert not signed_in(client)
    assert not signed_in(thief)


def test_a_copied_remember_me_cookie_is_dead_after_sign_out(app, account):
    client = sign_in(app, remember=True)
    thief = copy_of(app, client, "remember_token")
    assert signed_in(thief)  # the cookie alone signs in, as remember-me should
    client.post("/auth/logout")
    assert not signed_in(client)
    assert not signed_in(thief)


def test_signing_out_on_one_device_keeps_the_others(app, account):
    phone, laptop = sign_in(app), sign_in(app, remember=True)
    phone.post("/auth/logout")
    assert not signed_in(phone)
    assert signed_in(laptop)


def test_sign_in_session_rows_are_removed_at_sign_out(app, account):
    client = sign_in(app)
    assert sessions_of(app, account) == 1
    client.post("/auth/logout")
    assert sessions_of(app, account) == 0


def test_the_token_is_kept_hashed_and_the_cookie_names_no_account_number(app, account):
    client = sign_in(app)
    with client.session_transaction() as session:
        token = session["_user_id"]
    assert token != str(account) and len(token) >= 40
    from katilim.auth.models import UserSession

    with app.app_context():
        stored = db.session.scalar(select(UserSession.token_digest))
    assert token not in stored


def test_a_cookie_of_the_old_kind_naming_an_account_number_opens_nothing(app, account):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(account)
        session["_fresh"] = True
    assert not signed_in(client)


# --- every device at once ------------------------------------------------------------------


def test_password_reset_ends_every_other_session_and_remember_me_cookie(app, account, outbox):
    laptop = sign_in(app, remember=True)
    remembered = copy_of(app, laptop, "remember_token")
    phone = sign_in(app)
    resetter = app.test_client()  # a new browser: the owner forgot the password there
    reset_password(app, resetter, outbox)
    assert signed_in(resetter)  # signed in fresh
    assert not signed_in(laptop)
    assert not signed_in(phone)
    assert not signed_in(remembered)
    assert sessions_of(app, account) == 1


def test_the_resetters_browser_stays_signed_in_after_the_reset(app, account, outbox):
    client = sign_in(app)
    reset_password(app, client, outbox)
    assert signed_in(client)
    assert signed_in(sign_in(app, password=NEW_PASSWORD))


def test_sign_out_on_every_device_from_the_account_page(app, account):
    laptop, phone = sign_in(app, remember=True), sign_in(app)
    remembered = copy_of(app, laptop, "remember_token")
    page = phone.get("/me").get_data(as_text=True)
    assert 'action="/me/sessions/end"' in page and "Sign out on every device" in page
    response = phone.post("/me/sessions/end")
    assert response.status_code == 302
    assert not signed_in(phone) and not signed_in(laptop) and not signed_in(remembered)
    assert sessions_of(app, account) == 0
    assert signed_in(sign_in(app))  # the password still works


def test_sign_out_on_every_device_needs_the_form_token(app, account):
    client = sign_in(app)
    app.config["WTF_CSRF_ENABLED"] = True  # switched off again by the database fixture
    assert client.post("/me/sessions/end").status_code == 400
    assert signed_in(client)


def test_sign_out_on_every_device_is_only_for_the_signed_in(app, account, client):
    response = client.post("/me/sessions/end")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


# --- deactivation and deletion ---------------------------------------------------------------


def test_a_deactivated_account_is_signed_out_at_once_and_stays_out_when_reactivated(
    app, account, login
):
    client = sign_in(app, remember=True)
    remembered = copy_of(app, client, "remember_token")
    with app.app_context():
        admin_id = make_user("Yönetici", role=SiteRole.ADMIN).id
        db.session.commit()
    admin = login(admin_id)
    response = admin.post(f"/admin/users/{account}/active", data={"active": "0"})
    assert response.status_code == 302
    assert not signed_in(client) and not signed_in(remembered)
    assert "deactivated and signed out on every device" in admin.get("/admin/users").get_data(
        as_text=True
    )
    admin.post(f"/admin/users/{account}/active", data={"active": "1"})
    assert not signed_in(client) and not signed_in(remembered)  # a sign-in is needed again
    assert signed_in(sign_in(app))


def test_an_account_switched_off_in_the_database_is_refused_by_the_loader(app, account):
    client = sign_in(app)
    with app.app_context():
        db.session.get(User, account).is_active_account = False
        db.session.commit()
    assert not signed_in(client)


def test_a_deleted_accounts_cookie_never_opens_a_later_account(app, council, outbox):
    from tests.auth.test_routes import registration

    with app.app_context():
        make_user(email="gone@example.org")
        db.session.commit()
    client = sign_in(app, email="gone@example.org")
    elsewhere = sign_in(app, email="gone@example.org")
    response = client.post("/me/delete", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    assert not signed_in(elsewhere)
    # SQLite gives the next account the number of the deleted one: the old cookie must not
    # open it.
    app.test_client().post("/auth/register", data=registration(email="next@example.org"))
    assert not signed_in(elsewhere)
    assert not signed_in(client)


# --- lifetimes --------------------------------------------------------------------------------


def test_sessions_end_on_the_server_when_their_cookie_would_have_expired(app, account, monkeypatch):
    import katilim.auth.sessions

    short, remembered = sign_in(app), sign_in(app, remember=True)
    later = katilim.auth.sessions.utcnow() + app.permanent_session_lifetime + timedelta(hours=1)
    monkeypatch.setattr(katilim.auth.sessions, "utcnow", lambda: later)
    assert not signed_in(short)
    assert signed_in(remembered)  # a year, like its cookie
    much_later = later + timedelta(days=366)
    monkeypatch.setattr(katilim.auth.sessions, "utcnow", lambda: much_later)
    assert not signed_in(remembered)


def test_retention_removes_ended_sessions(app, account, monkeypatch):
    import katilim.auth.sessions
    from katilim.privacy.retention import run_retention

    sign_in(app)
    sign_in(app, remember=True)
    with app.app_context():
        later = katilim.auth.sessions.utcnow() + timedelta(days=40)
        counts = run_retention(now=later)
        db.session.commit()
    assert counts.removed["ended_sessions"] == 1
    assert sessions_of(app, account) == 1


def test_an_admin_cannot_deactivate_their_own_account_nor_can_others_deactivate(
    app, account, login
):
    with app.app_context():
        admin_id = make_user("Yönetici", role=SiteRole.ADMIN).id
        db.session.commit()
    from flask_babel import force_locale

    from katilim.auth.roles import set_account_active
    from katilim.core.errors import DomainError, PermissionDenied

    with app.app_context(), force_locale("en"):
        admin = db.session.get(User, admin_id)
        with pytest.raises(DomainError, match="your own account"):
            set_account_active(admin, admin, False)
        with pytest.raises(PermissionDenied):
            set_account_active(db.session.get(User, account), admin, False)
    resident = login(account)
    assert resident.post(f"/admin/users/{admin_id}/active", data={"active": "0"}).status_code == 403
    with app.app_context():
        assert db.session.get(User, admin_id).is_active_account


def test_the_data_export_lists_the_sessions_without_their_keys(app, account):
    sign_in(app, remember=True)
    client = sign_in(app)
    data = client.get("/me/data").get_json()
    sessions = data["sign_in_sessions"]
    assert sorted(s["remembered"] for s in sessions) == [False, True]
    assert "user_sessions" not in data["other_records"]
    assert "token_digest" not in str(data)
