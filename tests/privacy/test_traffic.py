"""Law 5651 traffic records: every state-changing request, never a page view; admins only."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from katilim.auth.models import SiteRole
from katilim.extensions import db
from katilim.privacy import traffic
from katilim.privacy.models import TrafficRecord
from tests.factories import PASSWORD, make_body, make_user


def records(app) -> list[TrafficRecord]:
    with app.app_context():
        rows = list(db.session.scalars(select(TrafficRecord).order_by(TrafficRecord.id)))
        db.session.expunge_all()
        return rows


def test_sign_in_is_recorded_with_address_method_path_result_and_user(client, app):
    with app.app_context():
        user_id = make_user(email="kayit@example.org").id
        db.session.commit()
    response = client.post(
        "/auth/login?next=/me",
        data={"email": "kayit@example.org", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "198.51.100.23"},
    )
    assert response.status_code == 302
    (row,) = records(app)
    assert (row.address, row.method, row.path, row.status_code) == (
        "198.51.100.23",
        "POST",
        "/auth/login",  # no query string
        302,
    )
    assert row.user_id == user_id
    assert abs(row.created_at - datetime.now(UTC)) < timedelta(minutes=1)


def test_failed_and_anonymous_requests_are_recorded_too(client, app, council):
    client.post("/auth/login", data={"email": "nobody@example.org", "password": "x" * 12})
    (row,) = records(app)
    assert row.user_id is None and row.status_code == 200


def test_page_views_add_no_record_and_no_query(client, app, count_queries):
    client.get("/privacy")  # warm caches (council, catalogues)
    with count_queries() as on:
        client.get("/privacy")
    app.config["TRAFFIC_RECORDS_ENABLED"] = False
    try:
        with count_queries() as off:
            client.get("/privacy")
    finally:
        app.config["TRAFFIC_RECORDS_ENABLED"] = True
    assert on.count == off.count
    assert records(app) == []


def test_secret_tokens_in_the_path_are_masked(client, app):
    client.post("/auth/reset/very-secret-token-value", data={})
    (row,) = records(app)
    assert row.path == "/auth/reset/[token]"
    assert "very-secret" not in row.path


def test_a_failing_record_never_breaks_the_page(client, app, council, monkeypatch, caplog):
    class Broken:
        """A statement whose execution fails, as a database that went away would."""

        def _execute_on_connection(self, *args, **kwargs):
            raise RuntimeError("database gone")

    monkeypatch.setattr(traffic, "_INSERT_RECORD", Broken())
    response = client.post("/auth/login", data={"email": "a@example.org", "password": "x" * 12})
    assert response.status_code == 200
    assert "Could not write the traffic record" in caplog.text


# --- the admin page ----------------------------------------------------------------------------


@pytest.fixture
def people(app):
    with app.app_context():
        admin = make_user(role=SiteRole.ADMIN)
        moderator = make_user(moderates=make_body())
        resident = make_user()
        now = datetime.now(UTC)
        for n in range(60):
            db.session.add(
                TrafficRecord(
                    created_at=now - timedelta(minutes=n),
                    address="203.0.113.9" if n % 2 else "203.0.113.10",
                    method="POST",
                    path=f"/proposals/{n}/vote",
                    status_code=302,
                    user_id=resident.id if n < 5 else None,
                )
            )
        db.session.add(
            TrafficRecord(
                created_at=datetime(2025, 1, 15, 12, tzinfo=UTC),
                address="203.0.113.99",
                method="POST",
                path="/old",
                status_code=200,
            )
        )
        db.session.commit()
        return admin.id, moderator.id, resident.id


def test_only_admins_read_traffic_records(login, client, people):
    admin_id, moderator_id, resident_id = people
    assert client.get("/admin/traffic").status_code == 302  # visitors: sign in
    assert login(moderator_id).get("/admin/traffic").status_code == 403
    assert login(resident_id).get("/admin/traffic").status_code == 403
    page = login(admin_id).get("/admin/traffic")
    assert page.status_code == 200
    assert "Records found: 61" in page.get_data(as_text=True)


def test_filters_and_pages(login, people):
    admin_id, _, resident_id = people
    admin = login(admin_id)
    page = admin.get("/admin/traffic?address=203.0.113.9").get_data(as_text=True)
    assert "Records found: 30" in page and "203.0.113.10" not in page
    page = admin.get(f"/admin/traffic?user_id={resident_id}").get_data(as_text=True)
    assert "Records found: 5" in page
    page = admin.get("/admin/traffic?date_from=2025-01-15&date_to=2025-01-15").get_data(
        as_text=True
    )
    assert "Records found: 1" in page and "/old" in page
    first = admin.get("/admin/traffic").get_data(as_text=True)
    second = admin.get("/admin/traffic?page=2").get_data(as_text=True)
    assert "/proposals/0/vote" in first and "/proposals/0/vote" not in second
    assert "/proposals/55/vote" in second
    assert 'rel="next"' in first


@pytest.mark.parametrize("value", ["9" * 400, "²", "٣", "0", "-1", "2147483648"])
def test_an_odd_user_number_is_an_error_beside_the_field(login, people, value):
    admin_id, _, _ = people
    response = login(admin_id).get("/admin/traffic", query_string={"user_id": value})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="user_id-error"' in page
    assert "Records found: 61" in page  # the invalid filter is left out


def test_bad_filters_show_errors_not_500(login, people):
    admin_id, _, _ = people
    response = login(admin_id).get("/admin/traffic?user_id=abc&date_from=nope&address=" + "x" * 50)
    assert response.status_code == 200
    assert "Records found: 61" in response.get_data(as_text=True)
