"""The main public pages answer."""

import pytest


@pytest.mark.parametrize(
    "url", ["/", "/bodies", "/proposals", "/privacy", "/accessibility", "/auth/login"]
)
def test_visitor_can_read_public_pages(client, council, url):
    assert client.get(url).status_code == 200
