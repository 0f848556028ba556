"""The audit log: every admin action is there with actor, address and details; the filters
work; the page runs a fixed number of queries; rows cannot be changed or deleted."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from katilim.audit.models import AuditLog, AuditLogIsAppendOnly
from katilim.audit.services import record
from katilim.auth.models import User
from katilim.extensions import db
from katilim.organization.models import Body
from tests.admin.conftest import body_form
from tests.factories import get_council


def _add(app, *entries: dict) -> None:
    """Entries written directly, with chosen times and actors."""
    with app.app_context():
        for values in entries:
            council_id = get_council().id
            db.session.add(
                AuditLog(
                    **{"target_type": "body", "details": {}, "council_id": council_id, **values}
                )
            )
        db.session.commit()


def test_each_admin_action_is_recorded_with_actor_address_and_details(app, world, login):
    client = login(world.admin_id)
    client.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    client.post("/admin/bodies/new", data=body_form())
    client.post("/admin/bodies/test-group/members", data={"email": "candidate@example.org"})
    client.post(f"/admin/users/{world.candidate_id}/role", data={"role": "facilitator"})
    with app.app_context():
        entries = list(db.session.scalars(select(AuditLog).order_by(AuditLog.id)))
        assert [e.action for e in entries] == ["body.create", "membership.add", "role.grant"]
        assert {e.actor_id for e in entries} == {world.admin_id}
        assert {e.ip_address for e in entries} == {"203.0.113.7"}
        assert all(e.created_at.tzinfo is not None for e in entries)
        assert entries[1].details["role"] == "moderator"  # the form's default


def test_the_page_shows_entries_newest_first_with_links(app, world, login):
    client = login(world.admin_id)
    client.post(
        "/admin/bodies/test-group/edit",
        data=body_form(slug=None, name_en="Test Group", support_threshold="80"),
    )
    client.post(f"/admin/users/{world.candidate_id}/role", data={"role": "facilitator"})
    page = client.get("/admin/audit").get_data(as_text=True)
    assert page.index("<code>role.grant</code>") < page.index("<code>body.update</code>")
    assert "support_threshold</span>: 50 → 80" in page
    assert "site_role</span>: resident → facilitator" in page
    assert f'<a href="/admin/bodies/test-group/edit">body #{world.body_id}</a>' in page
    assert f'<a href="/admin/users?q=candidate@example.org">user #{world.candidate_id}</a>' in page
    assert "admin@example.org" in page and "127.0.0.1" in page
    assert "<time datetime=" in page


def test_command_line_entries_say_so(app, world, login):
    with app.app_context():
        record(None, "role.grant", db.session.get(User, world.candidate_id), via="cli")
        db.session.commit()
    page = login(world.admin_id).get("/admin/audit").get_data(as_text=True)
    assert "command line" in page


def test_filters(app, world, login):
    march = datetime(2026, 3, 1, 21, 30, tzinfo=UTC)  # 2 March, 00:30 in Istanbul
    _add(
        app,
        {"action": "body.update", "actor_id": world.admin_id, "target_id": 1, "created_at": march},
        {
            "action": "body.update",
            "actor_id": world.moderator_id,
            "target_id": 2,
            "created_at": march - timedelta(hours=1),  # 1 March, 23:30 in Istanbul
        },
        {
            "action": "proposal.reject",
            "actor_id": world.moderator_id,
            "target_type": "proposal",
            "target_id": 7,
            "created_at": march + timedelta(days=5),
        },
    )
    client = login(world.admin_id)

    def count(query: str) -> int:
        page = client.get("/admin/audit" + query).get_data(as_text=True)
        assert "field-error" not in page, query
        return page.count("<time datetime=")

    assert count("") == 3
    assert count("?actor=MODERATOR@example.org") == 2
    assert count("?actor=nobody@example.org") == 0
    assert count("?action=body.update") == 2
    assert count("?target_type=proposal") == 1
    assert count("?target_type=body&target_id=2") == 1
    assert count("?date_from=2026-03-02") == 2
    assert count("?date_to=2026-03-01") == 1
    assert count("?date_from=2026-03-02&date_to=2026-03-02") == 1
    assert count("?actor=moderator@example.org&action=body.update&date_to=2026-03-01") == 1
    page = client.get("/admin/audit").get_data(as_text=True)
    assert '<option value="proposal.reject">proposal.reject</option>' in page
    assert '<option value="proposal">proposal</option>' in page


def test_bad_filter_values_are_errors_beside_the_fields(app, world, login):
    _add(app, {"action": "body.update", "actor_id": world.admin_id})
    page = (
        login(world.admin_id)
        .get("/admin/audit?date_from=yesterday&target_id=x&action=nope&actor=%00")
        .get_data(as_text=True)
    )
    for field in ("date_from", "target_id", "action"):
        assert f'id="{field}-error"' in page, field
    assert 'value="yesterday"' in page
    assert page.count("<time datetime=") == 1  # the invalid filters are not applied
    page = login(world.admin_id).get("/admin/audit?date_from=2026-03-05&date_to=2026-03-01")
    assert "The end date is before the start date." in page.get_data(as_text=True)


@pytest.mark.parametrize("value", ["9" * 400, "²", "٣", "0", "-1", "2147483648"])
def test_an_odd_target_number_is_an_error_beside_the_field(app, world, login, value):
    _add(app, {"action": "body.update", "actor_id": world.admin_id})
    response = login(world.admin_id).get("/admin/audit", query_string={"target_id": value})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="target_id-error"' in page
    assert page.count("<time datetime=") == 1  # the invalid filter is left out


def test_the_log_is_paginated_by_fifty(app, world, login):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    _add(
        app,
        *(
            {"action": "body.update", "target_id": n, "created_at": start + timedelta(minutes=n)}
            for n in range(60)
        ),
    )
    client = login(world.admin_id)
    first = client.get("/admin/audit?action=body.update").get_data(as_text=True)
    assert first.count("<time datetime=") == 50 and "60 entries" in first
    assert "body #59" in first and "body #9<" not in first
    assert 'href="/admin/audit?action=body.update&amp;page=2"' in first
    second = client.get("/admin/audit?action=body.update&page=2").get_data(as_text=True)
    assert second.count("<time datetime=") == 10 and "body #0<" in second


def test_the_audit_page_runs_a_fixed_number_of_queries(app, world, login, count_queries):
    client = login(world.admin_id)
    client.post(f"/admin/users/{world.candidate_id}/role", data={"role": "facilitator"})
    client.post("/admin/bodies/test-group/members", data={"email": "resident@example.org"})
    with count_queries() as few:
        client.get("/admin/audit")
    client.post("/admin/bodies/new", data=body_form())
    client.post("/admin/districts/izmit/edit", data={"name_tr": "İzmit", "population": "5"})
    client.post("/admin/districts/izmit/edit", data={"name_tr": "İzmit"})
    _add(app, *({"action": "x.y", "actor_id": world.moderator_id} for _ in range(20)))
    with count_queries() as many:
        client.get("/admin/audit")
    assert many.count == few.count


@pytest.mark.parametrize("path", ["/admin/bodies", "/admin/users", "/admin/districts", "/admin"])
def test_list_pages_run_a_fixed_number_of_queries(app, world, login, count_queries, path):
    from tests.factories import make_body, make_user

    client = login(world.admin_id)
    with count_queries() as few:
        client.get(path)
    with app.app_context():
        for _ in range(5):
            make_user(moderates=make_body())
        db.session.commit()
    with count_queries() as many:
        client.get(path)
    assert many.count == few.count


def test_entries_cannot_be_changed_or_deleted(app, world):
    with app.app_context():
        entry = record(None, "body.update", db.session.get(Body, world.body_id), note="original")
        db.session.commit()
        entry.action = "body.nothing"
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.get(AuditLog, entry.id))
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.flush()
        db.session.rollback()
        kept = db.session.get(AuditLog, entry.id)
        assert (kept.action, kept.details) == ("body.update", {"note": "original"})
