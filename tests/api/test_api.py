"""The read-only JSON API: filters, pages, errors, languages, caching, and no personal data."""

from datetime import date

import pytest

from katilim.extensions import db
from katilim.proposals.models import Proposal
from tests.api.conftest import AUTHOR_EMAIL, AUTHOR_NAME, MODERATOR_EMAIL, MODERATOR_NAME
from tests.factories import get_body


def ids(response) -> list[int]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.get_json()["items"]]


def test_lists_public_proposals_only(client, data):
    listed = ids(client.get("/api/v1/proposals"))
    assert sorted(listed) == sorted([data["ramp"], data["bench"], data["english"]])
    assert data["hidden"] not in listed and data["draft"] not in listed
    assert data["withdrawn"] not in listed
    assert ids(client.get("/api/v1/proposals?status=withdrawn")) == [data["withdrawn"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("district=izmit", ["ramp", "bench"]),
        ("district=gebze", ["english"]),
        ("body=cevre-iklim", ["english"]),
        ("status=accepted", ["ramp"]),
        ("tag=erisilebilirlik", ["ramp"]),
        ("language=en", ["english"]),
        ("q=rampa", ["ramp"]),
        ("q=DURAK", ["ramp", "bench"]),  # folded search; "durağına" starts with "durağ"
        ("body=nowhere", []),
    ],
)
def test_filters(client, data, query, expected):
    assert sorted(ids(client.get(f"/api/v1/proposals?{query}"))) == sorted(
        data[name] for name in expected
    )


def test_pagination(client, data):
    first = client.get("/api/v1/proposals?per_page=2&page=1").get_json()
    second = client.get("/api/v1/proposals?per_page=2&page=2").get_json()
    assert first["pagination"] == {"page": 1, "per_page": 2, "total": 3, "pages": 2}
    assert len(first["items"]) == 2 and len(second["items"]) == 1
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    beyond = client.get("/api/v1/proposals?per_page=2&page=9").get_json()
    assert beyond["items"] == [] and beyond["pagination"]["total"] == 3


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=10001",
        "page=abc",
        "page=%D9%A3",  # an Arabic-Indic three, which int() reads
        "page=" + "9" * 400,
        "per_page=1_0",
        "per_page=%EF%BC%91",  # a full-width one
        "per_page=0",
        "per_page=101",
        "status=draft",
        "status=nonsense",
        "sort=oldest",
        "lang=xx",
        "language=english",
        "q=" + "a" * 201,
    ],
)
def test_bad_parameters_are_400_with_details(client, data, query):
    response = client.get(f"/api/v1/proposals?{query}")
    assert response.status_code == 400
    payload = response.get_json()
    assert payload["error"] and payload["message"]
    assert payload["errors"]["query"]


def test_unknown_things_are_json_404(client, data):
    for path in (
        f"/api/v1/proposals/{data['draft']}",
        "/api/v1/proposals/999999",
        "/api/v1/proposals/99999999999",
        "/api/v1/bodies/nowhere",
        "/api/v1/bodies/NOT-A-SLUG",
        "/api/v1/unknown",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.is_json and response.get_json()["error"], path


def test_detail_with_timeline_names_the_body_not_the_person(app, client, data):
    response = client.get(f"/api/v1/proposals/{data['ramp']}?lang=en")
    assert response.status_code == 200
    proposal = response.get_json()
    assert proposal["title"] == "Tramvay durağına rampa"
    assert proposal["status"] == "accepted" and proposal["status_label"] == "Accepted"
    assert proposal["text"] and proposal["hidden"] is False
    kinds = [e["kind"] for e in proposal["timeline"]]
    assert kinds[0] == "published" and "answered" in kinds and "status_changed" in kinds
    answered = next(e for e in proposal["timeline"] if e["kind"] == "answered")
    assert answered["text"] == "Teşekkürler, inceliyoruz."
    with app.app_context():
        english_name = get_body_name("ulasim", "en")
    assert answered["body"] == {"slug": "ulasim", "name": english_name}
    changed = next(e for e in proposal["timeline"] if e["kind"] == "status_changed")
    assert changed["to"] == "accepted"
    for event in proposal["timeline"]:
        assert set(event) == {"kind", "from", "to", "text", "body", "created_at"}


def get_body_name(slug: str, lang: str) -> str:
    return get_body(slug).names[lang]


def test_hidden_proposal_is_a_tombstone_as_on_its_page(client, data):
    proposal = client.get(f"/api/v1/proposals/{data['hidden']}").get_json()
    assert proposal["hidden"] is True and proposal["hidden_reason"] == "Hakaret içeriyor."
    assert proposal["text"] is None and proposal["summary"] is None
    assert proposal["text_html"] is None and proposal["tags"] == []


def test_language_from_parameter_then_header_then_turkish(client, data):
    client.environ_base.pop("HTTP_ACCEPT_LANGUAGE")
    turkish = client.get("/api/v1/bodies/ulasim").get_json()
    english = client.get("/api/v1/bodies/ulasim?lang=en").get_json()
    by_header = client.get("/api/v1/bodies/ulasim", headers={"Accept-Language": "en"}).get_json()
    assert turkish["name"] == turkish["names"]["tr"] != english["name"]
    assert english["name"] == english["names"]["en"] == by_header["name"]
    status = client.get(f"/api/v1/proposals/{data['ramp']}").get_json()["status_label"]
    assert status == "Kabul edildi"


def test_bodies_districts_and_stats(client, data):
    bodies = client.get("/api/v1/bodies").get_json()["items"]
    assert len(bodies) == 25 and {"slug", "kind", "names", "url"} <= set(bodies[0])
    transport = client.get("/api/v1/bodies/ulasim").get_json()
    assert transport["record"]["received"] == 4  # hidden ones were received too
    assert transport["record"]["answered"] == 1
    districts = client.get("/api/v1/districts").get_json()["items"]
    assert len(districts) == 12 and districts[0]["population"] > 0
    stats = client.get("/api/v1/stats").get_json()
    assert stats["total"]["accepted"] == 1 and len(stats["months"]) == 12
    assert any(r["body"]["slug"] == "ulasim" and r["received"] == 4 for r in stats["bodies"])


def test_etag_and_304(client, data, app):
    first = client.get("/api/v1/proposals?district=izmit")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] in ("public, max-age=60", "max-age=60, public")
    assert "Accept-Language" in first.headers["Vary"]
    again = client.get("/api/v1/proposals?district=izmit", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    with app.app_context():
        db.session.get(Proposal, data["bench"]).supports_count = 7
        db.session.commit()
    changed = client.get("/api/v1/proposals?district=izmit", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_answers_set_no_cookie_and_do_not_vary_on_it(app, data, login):
    signed_in = login(data["author"])
    for client in (app.test_client(), signed_in):
        for path in ("/api/v1/proposals", "/api/v1/openapi.json", "/api/v1/stats"):
            response = client.get(path)
            assert response.status_code == 200
            assert "Set-Cookie" not in response.headers, path
            assert "Cookie" not in response.headers.get("Vary", ""), path
            assert "public" in response.headers["Cache-Control"]


def all_api_answers(client, data) -> list[str]:
    paths = [
        "/api/v1/proposals",
        "/api/v1/proposals?status=withdrawn",
        "/api/v1/proposals?per_page=100",
        "/api/v1/bodies",
        "/api/v1/bodies/ulasim",
        "/api/v1/districts",
        "/api/v1/stats",
        "/api/v1/openapi.json",
        *(f"/api/v1/proposals/{data[name]}" for name in ("ramp", "bench", "hidden", "withdrawn")),
    ]
    answers = []
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        answers.append(response.get_data(as_text=True))
    return answers


def test_no_personal_data_anywhere(client, data):
    texts = all_api_answers(client, data)
    for text in texts:
        for secret in (AUTHOR_NAME, AUTHOR_EMAIL, MODERATOR_NAME, MODERATOR_EMAIL, "@example"):
            assert secret not in text
        for key in ('"author', '"user', '"email', '"actor', '"reviewer', '"display_name'):
            assert key not in text
    assert "Gizli öneri" not in texts[0] and "Taslak öneri" not in "".join(texts)


def test_query_count_does_not_grow_with_the_data(app, council, client, count_queries):
    from tests.proposals.test_query_counts import add_proposals

    def count(path: str) -> int:
        with count_queries() as counter:
            assert client.get(path).status_code == 200
        return counter.count

    with app.app_context():
        first = add_proposals(5)
    small_list = count("/api/v1/proposals?per_page=100")
    small_detail = count(f"/api/v1/proposals/{first[0]}")
    with app.app_context():
        add_proposals(45, start=5)
    assert count("/api/v1/proposals?per_page=100") == small_list
    assert count(f"/api/v1/proposals/{first[0]}") == small_detail
    assert count("/api/v1/stats") == count("/api/v1/stats")


def test_forwarded_dates_are_public(client, data, app):
    with app.app_context():
        proposal = db.session.get(Proposal, data["ramp"])
        proposal.forwarded_on = date(2026, 3, 2)
        db.session.commit()
    item = client.get(f"/api/v1/proposals/{data['ramp']}").get_json()
    assert item["forwarded_on"] == "2026-03-02"


def test_openapi_document_lists_every_operation(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) == {
        "/api/v1/proposals",
        "/api/v1/proposals/{proposal_id}",
        "/api/v1/bodies",
        "/api/v1/bodies/{slug}",
        "/api/v1/districts",
        "/api/v1/stats",
    }
    parameters = {p["name"] for p in spec["paths"]["/api/v1/proposals"]["get"]["parameters"]}
    assert {"body", "district", "status", "tag", "q", "language", "sort", "page"} <= parameters


def test_rate_limit_answers_json_429(app):
    """On an app of its own: the suite's app runs without limits."""
    from katilim import create_app
    from katilim.api.routes import RATE_LIMIT
    from katilim.extensions import limiter
    from katilim.organization.services import load_council

    limited = create_app(
        {"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x", "RATELIMIT_ENABLED": True}
    )
    try:
        with limited.app_context():
            db.create_all()
            load_council(limited.config["COUNCIL_DATA_FILE"])
            db.session.commit()
        client = limited.test_client()
        allowed = int(RATE_LIMIT.split()[0])
        statuses = {client.get("/api/v1/districts").status_code for _ in range(allowed)}
        last = client.get("/api/v1/districts")
    finally:
        limiter.enabled = False  # the limiter is shared: give the suite's app its state back
    assert statuses == {200}
    assert last.status_code == 429 and last.get_json()["error"]
    assert "no-store" in last.headers["Cache-Control"]


def test_only_reading_is_allowed(client, data, app):
    app.config["WTF_CSRF_ENABLED"] = True  # a POST without a token must still be a JSON 405
    response = client.post("/api/v1/proposals")
    assert response.status_code == 405 and response.is_json
    assert client.head("/api/v1/proposals").status_code == 200


def test_a_pseudonymous_proposal_is_flagged_and_names_nobody(client, app, council):
    from tests.factories import make_proposal, make_user

    with app.app_context():
        author = make_user("Gizli Yazar", email="gizli@example.org")
        make_proposal(author, title="Adsız öneri", pseudonymous=True)
        db.session.commit()
    answer = client.get("/api/v1/proposals")
    item = answer.get_json()["items"][0]
    assert item["pseudonymous"] is True and item["assisted"] is False
    assert "Gizli Yazar" not in answer.get_data(as_text=True)
    assert "gizli@example.org" not in answer.get_data(as_text=True)
