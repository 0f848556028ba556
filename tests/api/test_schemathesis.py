"""Property-based checks of every API operation against the app's own OpenAPI document.

Schemathesis (4.x) reads /api/v1/openapi.json from the WSGI app (no server), generates
valid and invalid parameters for each operation, calls the app, and checks that no answer is a
server error and that every answer matches the schema documented for its status code.

The document is read at collection time from an app of its own (the document needs no
database), because schemathesis' lazy fixture loader does not work with pytest 9.2; each
case then calls the session's app, whose database (SQLite or PostgreSQL) holds the data.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from katilim import create_app
from katilim.extensions import db
from katilim.moderation.services import answer, hide_proposal
from tests.factories import get_body, get_district, make_proposal, make_user

schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json",
    create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "SECRET_KEY": "x",
            "RATELIMIT_ENABLED": False,  # the limiter is shared with the suite's app
        }
    ),
)


@pytest.fixture
def examples(app, council):
    """A few proposals (one answered, one hidden) for the answers to carry."""
    with app.app_context():
        author = make_user("Gizli Yazar", email="gizli@example.org")
        transport = get_body("ulasim")
        moderator = make_user("Moderatör", moderates=transport)
        first = make_proposal(author, body=transport, district=get_district("izmit"), tags=("a",))
        answer(moderator, first, "Yanıt.")
        hide_proposal(moderator, make_proposal(author, body=transport), "Kurallara aykırı.")
        make_proposal(author, body=get_body("saglik"))
        db.session.commit()


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),  # the database fixture is function-scoped
)
def test_api_conforms_to_its_document(case, app, examples):
    case.call_and_validate(app=app, checks=[not_a_server_error, response_schema_conformance])
