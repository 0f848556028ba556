"""The CSV exports: /proposals.csv (filters, streaming, Excel-friendly) and /stats.csv."""

import csv
import io

import pytest

from katilim.extensions import db
from katilim.proposals.models import Proposal
from tests.api.conftest import AUTHOR_EMAIL, AUTHOR_NAME, MODERATOR_EMAIL, MODERATOR_NAME


def rows(response) -> list[list[str]]:
    assert response.status_code == 200
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())  # the byte-order mark: Excel reads UTF-8
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_proposals_csv_lists_public_proposals_with_a_header(client, data):
    response = client.get("/proposals.csv")
    assert response.content_type == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    table = rows(response)
    header, body = table[0], table[1:]
    assert header[:3] == ["Proposal number", "Web address", "Title"]
    assert sorted(int(r[0]) for r in body) == sorted([data["ramp"], data["bench"], data["english"]])
    ramp = next(r for r in body if int(r[0]) == data["ramp"])
    assert ramp[2] == "Tramvay durağına rampa"  # Turkish letters intact
    assert ramp[1].endswith(f"/proposals/{data['ramp']}")
    assert ramp[header.index("Status code")] == "accepted"
    assert ramp[header.index("District")] == "İzmit"


def test_proposals_csv_takes_the_list_filters(client, data):
    body = rows(client.get("/proposals.csv?district=gebze"))[1:]
    assert [int(r[0]) for r in body] == [data["english"]]
    assert rows(client.get("/proposals.csv?status=withdrawn"))[1][0] == str(data["withdrawn"])
    # Like the web list, nonsense values are ignored rather than refused.
    assert len(rows(client.get("/proposals.csv?page=x&sort=zzz"))) == 4


def test_csv_header_in_the_readers_language(client, data):
    client.environ_base.pop("HTTP_ACCEPT_LANGUAGE")
    header = rows(client.get("/proposals.csv"))[0]
    assert "Başlık" in header  # "Title" in Turkish, the default
    assert "Title" in rows(client.get("/proposals.csv?lang=en"))[0]


def test_no_personal_data_and_no_hidden_or_draft(client, data):
    text = client.get("/proposals.csv").get_data(as_text=True)
    for secret in (AUTHOR_NAME, AUTHOR_EMAIL, MODERATOR_NAME, MODERATOR_EMAIL, "@example"):
        assert secret not in text
    assert "Gizli öneri" not in text and "Taslak öneri" not in text
    stats = client.get("/stats.csv").get_data(as_text=True)
    for secret in (AUTHOR_NAME, AUTHOR_EMAIL, MODERATOR_NAME, MODERATOR_EMAIL):
        assert secret not in stats


def test_formulas_are_not_run_by_spreadsheets(client, data, app):
    with app.app_context():
        db.session.get(Proposal, data["bench"]).title = '=HYPERLINK("http://evil.example")'
        db.session.commit()
    body = rows(client.get("/proposals.csv"))[1:]
    bench = next(r for r in body if int(r[0]) == data["bench"])
    assert bench[2] == '\'=HYPERLINK("http://evil.example")'


@pytest.mark.parametrize("path", ["/proposals.csv?district=izmit", "/stats.csv"])
def test_csv_etag_and_304(client, data, app, path):
    first = client.get(path)
    first.get_data()  # a stream is read to its end, as a browser would
    etag = first.headers["ETag"]
    assert "max-age=60" in first.headers["Cache-Control"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    with app.app_context():
        db.session.get(Proposal, data["ramp"]).first_answer_at = None
        db.session.get(Proposal, data["ramp"]).title = "Yeni başlık"
        db.session.commit()
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "Yeni başlık" in changed.get_data(as_text=True) or path == "/stats.csv"


def test_proposals_csv_etag_differs_by_filter_and_language(client, data):
    etags = set()
    for path in ("/proposals.csv", "/proposals.csv?district=izmit", "/proposals.csv?lang=tr"):
        response = client.get(path)
        response.get_data()
        etags.add(response.headers["ETag"])
    assert len(etags) == 3


def test_open_data_page_and_footer_link(client):
    page = client.get("/open-data")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/api/v1/openapi.json" in html and "/proposals.csv" in html and "/stats.csv" in html
    assert 'href="/open-data"' in client.get("/privacy").get_data(as_text=True)


def test_csv_query_count_does_not_grow_with_the_data(app, council, client, count_queries):
    from tests.proposals.test_query_counts import add_proposals

    def count() -> int:
        with count_queries() as counter:
            response = client.get("/proposals.csv")
            assert response.status_code == 200
            response.get_data()
        return counter.count

    with app.app_context():
        add_proposals(5)
    small = count()
    with app.app_context():
        add_proposals(45, start=5)
    assert count() == small


def test_csv_in_small_batches_keeps_each_proposals_tags_and_leaves_out_the_hidden(
    app, council, client, monkeypatch
):
    """Rows and their tags are read a batch at a time: with batches of two, every proposal
    still has its own tags (in name order, as on its page), and a hidden proposal or a draft
    between them is not exported, at any batch boundary."""
    from katilim.api import open_data
    from katilim.moderation.services import hide_proposal
    from tests.factories import get_body, make_proposal, make_user

    monkeypatch.setattr(open_data, "BATCH", 2)
    with app.app_context():
        body = get_body("ulasim")
        moderator = make_user("Moderatör", moderates=body)
        expected = {}
        for n in range(7):
            proposal = make_proposal(
                body=body, title=f"Toplu öneri {n}", tags=(f"z etiket {n}", f"a etiket {n}")
            )
            if n in (2, 5):
                hide_proposal(moderator, proposal, "Kurallara aykırı.")
            else:
                expected[proposal.id] = f"a etiket {n}, z etiket {n}"
        make_proposal(body=body, title="Toplu taslak", publish=False)
        db.session.commit()
    table = rows(client.get("/proposals.csv?lang=en"))
    header, body_rows = table[0], table[1:]
    tags = header.index("Tags")
    assert {int(r[0]): r[tags] for r in body_rows} == expected
    text = client.get("/proposals.csv?lang=en").get_data(as_text=True)
    assert "Toplu öneri 2" not in text and "Toplu öneri 5" not in text
    assert "Toplu taslak" not in text


def test_csv_header_leaves_before_any_proposal_is_read(app, council, client, count_queries):
    """Streaming: the first piece (the header row) is sent before the proposals' query runs,
    so a client sees the file start at once whatever its size."""
    from tests.proposals.test_query_counts import add_proposals

    with app.app_context():
        add_proposals(3)
    response = client.get("/proposals.csv?lang=en")
    pieces = response.response  # the streamed body, piece by piece
    with count_queries() as counter:
        first = next(iter(pieces))
    first = first.decode() if isinstance(first, bytes) else first
    assert first.startswith("\ufeffProposal number")
    assert not any("FROM proposals" in s for s in counter.statements)
    response.close()
