"""The account's settings pages run a few queries each (no list on them grows with data)."""

import pytest

from katilim.extensions import db
from tests.factories import make_user


@pytest.mark.parametrize("path", ["/me/profile", "/me/email-address", "/me/password"])
def test_settings_pages_run_a_few_queries(app, council, login, count_queries, path):
    with app.app_context():
        user_id = make_user(email="ayse@example.org").id
        db.session.commit()
    client = login(user_id)
    client.get(path)
    with count_queries() as counter:
        response = client.get(path)
    assert response.status_code == 200
    assert counter.count <= 8, counter.statements
