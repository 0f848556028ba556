"""Every admin route, GET and POST, for every kind of actor: a permission matrix
(docs/architecture.md#tests).

Visitors are sent to sign in, residents, facilitators and moderators are refused with 403,
admins get the page (or are redirected to the page that shows the result). A refused POST
changes nothing and writes nothing to the audit log.
"""

from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from katilim.audit.models import AuditLog
from katilim.extensions import db
from tests.admin.conftest import body_form, district_form

ACTORS = ("visitor", "resident", "facilitator", "moderator", "admin")

GET_ROUTES = (
    "/admin",
    "/admin/bodies",
    "/admin/bodies/new",
    "/admin/bodies/{body_slug}/edit",
    "/admin/bodies/{body_slug}/members",
    "/admin/districts",
    "/admin/districts/new",
    "/admin/districts/{district_slug}/edit",
    "/admin/users",
    "/admin/users?q=example",
    "/admin/audit",
    "/admin/audit?action=body.update&date_from=2026-01-01",
)

POST_ROUTES = (
    ("/admin/bodies/new", body_form()),
    ("/admin/bodies/{body_slug}/edit", body_form(slug=None, support_threshold="99")),
    ("/admin/bodies/{body_slug}/members", {"email": "candidate@example.org", "role": "chair"}),
    ("/admin/bodies/{body_slug}/members/{membership_id}/role", {"role": "chair"}),
    ("/admin/bodies/{body_slug}/members/{membership_id}/remove", {}),
    ("/admin/districts/new", district_form()),
    ("/admin/districts/{district_slug}/edit", district_form(slug=None, population="1")),
    ("/admin/users/{candidate_id}/role", {"role": "facilitator"}),
)


def _client(actor, world, client, login):
    if actor == "visitor":
        return client
    return login(getattr(world, f"{actor}_id"))


def _check(response, actor):
    if actor == "visitor":
        assert response.status_code == 302
        assert urlsplit(response.headers["Location"]).path == "/auth/login"
    elif actor == "admin":
        assert response.status_code == 200
    else:
        assert response.status_code == 403


def _audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditLog))


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("route", GET_ROUTES)
def test_get(app, world, client, login, actor, route):
    url = route.format(**vars(world))
    response = _client(actor, world, client, login).get(url, follow_redirects=actor == "admin")
    _check(response, actor)


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(("route", "data"), POST_ROUTES, ids=[r for r, _ in POST_ROUTES])
def test_post(app, world, client, login, actor, route, data):
    url = route.format(**vars(world))
    response = _client(actor, world, client, login).post(
        url, data=data, follow_redirects=actor == "admin"
    )
    _check(response, actor)
    # The admin's action is written to the log; nobody else's action happened at all.
    assert _audit_count(app) == (1 if actor == "admin" else 0)


def test_a_visitor_comes_back_to_the_admin_page_after_signing_in(world, client):
    response = client.get("/admin/audit")
    assert "next=" in response.headers["Location"]
    assert "admin" in response.headers["Location"]


def test_the_navigation_shows_administration_to_admins_only(world, login):
    assert 'href="/admin"' in login(world.admin_id).get("/").get_data(as_text=True)
    for actor in ("resident", "facilitator", "moderator"):
        page = login(getattr(world, f"{actor}_id")).get("/").get_data(as_text=True)
        assert 'href="/admin"' not in page, actor


def test_a_deactivated_admin_is_refused(app, world, login):
    from katilim.auth.models import User

    with app.app_context():
        db.session.get(User, world.admin_id).is_active_account = False
        db.session.commit()
    response = login(world.admin_id).get("/admin")
    assert response.status_code in (302, 403)  # Flask-Login treats the account as signed out
