"""Site roles: search, grant and revoke facilitator and admin, and the last-admin rule."""

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from katilim.audit.models import AuditLog
from katilim.auth import roles
from katilim.auth.models import SiteRole, User
from katilim.extensions import db
from tests.factories import make_user


def _role(app, user_id) -> SiteRole:
    with app.app_context():
        role = db.session.get(User, user_id).site_role
        db.session.remove()
        return role


def _entries(app) -> list[AuditLog]:
    with app.app_context():
        entries = list(db.session.scalars(select(AuditLog).order_by(AuditLog.id)))
        db.session.expunge_all()
        return entries


def test_the_search_finds_by_address_or_name(world, login):
    client = login(world.admin_id)
    page = client.get("/admin/users?q=CANDIDATE@").get_data(as_text=True)
    assert "candidate@<wbr>example.org" in page and "resident@" not in page
    page = client.get("/admin/users?q=fatma").get_data(as_text=True)
    assert "facilitator@<wbr>" in page and "1 account found" in page
    page = client.get("/admin/users?q=100%25_").get_data(as_text=True)
    assert "0 accounts found" in page  # % and _ are literal, not wildcards
    page = client.get("/admin/users").get_data(as_text=True)
    assert page.index("admin@<wbr>") < page.index("resident@<wbr>")  # roles first
    assert '<option value="facilitator" selected>' in page


def test_the_search_is_paginated(app, world, login):
    with app.app_context():
        for n in range(30):
            make_user(f"Sayfa {n}", email=f"sayfa{n:02d}@example.org")
        db.session.commit()
    client = login(world.admin_id)
    first = client.get("/admin/users?q=sayfa").get_data(as_text=True)
    assert "30 accounts found" in first and first.count('class="account-email"') == 25
    assert 'href="/admin/users?q=sayfa&amp;page=2"' in first
    second = client.get("/admin/users?q=sayfa&page=2").get_data(as_text=True)
    assert second.count('class="account-email"') == 5
    assert client.get("/admin/users?page=abc").status_code == 200


def test_an_admin_grants_and_revokes_a_role(app, world, login):
    client = login(world.admin_id)
    url = f"/admin/users/{world.candidate_id}/role"
    response = client.post(
        url, data={"role": "facilitator", "next": "/admin/users?q=can"}, follow_redirects=True
    )
    assert "candidate@example.org is now a facilitator." in response.get_data(as_text=True)
    assert response.request.path == "/admin/users"
    assert _role(app, world.candidate_id) == SiteRole.FACILITATOR
    client.post(url, data={"role": "admin"})
    assert _role(app, world.candidate_id) == SiteRole.ADMIN
    client.post(url, data={"role": "resident"})
    assert _role(app, world.candidate_id) == SiteRole.RESIDENT
    grant1, grant2, revoke = _entries(app)
    assert (grant1.action, grant1.details["changes"]) == (
        "role.grant",
        {"site_role": ["resident", "facilitator"]},
    )
    assert grant2.details["changes"] == {"site_role": ["facilitator", "admin"]}
    assert (revoke.action, revoke.details["changes"]) == (
        "role.revoke",
        {"site_role": ["admin", "resident"]},
    )
    assert all(e.actor_id == world.admin_id and e.target_id == world.candidate_id for e in [revoke])
    assert revoke.details["email"] == "candidate@example.org"


def test_the_last_admin_cannot_give_up_the_role(app, world, login):
    client = login(world.admin_id)
    response = client.post(
        f"/admin/users/{world.admin_id}/role", data={"role": "facilitator"}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "You are the only admin, so you cannot give up the admin role." in page
    assert 'class="notice notice-error"' in page
    assert _role(app, world.admin_id) == SiteRole.ADMIN
    assert _entries(app) == []


def test_an_admin_may_give_up_the_role_when_another_admin_remains(app, world, login):
    client = login(world.admin_id)
    client.post(f"/admin/users/{world.candidate_id}/role", data={"role": "admin"})
    client.post(f"/admin/users/{world.admin_id}/role", data={"role": "resident"})
    assert _role(app, world.admin_id) == SiteRole.RESIDENT
    # The change takes effect at once: the admin area is closed to them now.
    assert client.get("/admin").status_code == 403


def test_a_deactivated_admin_does_not_count(ctx):
    only = make_user(role=SiteRole.ADMIN)
    make_user(role=SiteRole.ADMIN).is_active_account = False
    with pytest.raises(roles.LastAdmin):
        roles.revoke_role(only, only)
    with force_locale("en"), pytest.raises(roles.LastAdmin, match="is the only admin"):
        roles.revoke_role(None, only, via="cli")


def test_roles_go_only_to_confirmed_active_accounts(app, world, login):
    client = login(world.admin_id)
    response = client.post(
        f"/admin/users/{world.unverified_id}/role", data={"role": "admin"}, follow_redirects=True
    )
    assert "has not confirmed the e-mail address yet" in response.get_data(as_text=True)
    assert _role(app, world.unverified_id) == SiteRole.RESIDENT
    with app.app_context():
        db.session.get(User, world.candidate_id).is_active_account = False
        db.session.commit()
    client.post(f"/admin/users/{world.candidate_id}/role", data={"role": "facilitator"})
    assert _role(app, world.candidate_id) == SiteRole.RESIDENT
    assert _entries(app) == []


def test_bad_role_values_and_next_addresses_are_refused(app, world, login):
    client = login(world.admin_id)
    response = client.post(
        f"/admin/users/{world.candidate_id}/role",
        data={"role": "superuser", "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/users")
    assert client.post("/admin/users/999999/role", data={"role": "admin"}).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditLog)) == 0


def test_same_role_again_changes_nothing(app, world, login):
    response = login(world.admin_id).post(
        f"/admin/users/{world.facilitator_id}/role",
        data={"role": "facilitator"},
        follow_redirects=True,
    )
    assert "Nothing was changed." in response.get_data(as_text=True)
    assert _entries(app) == []


def test_grant_role_refuses_resident(ctx):
    with pytest.raises(ValueError):
        roles.grant_role(None, make_user(), SiteRole.RESIDENT)
