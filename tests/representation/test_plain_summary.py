"""Item 4: the plain-language summary ("kısaca") is required and shown in every list."""

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from katilim.extensions import db
from katilim.proposals.models import Proposal
from tests.factories import get_body, make_proposal, make_user

SUMMARY = "Kısaca: Kuruçeşme'ye tramvay gelsin, aktarma bitsin."
FORM = {
    "title": "Tramvay Kuruçeşme'ye uzatılsın",
    "summary": SUMMARY,
    "text": "Kuruçeşme'den merkeze gitmek için her sabah iki araç değiştiriyoruz, hat uzatılsın.",
    "district": "izmit",
    "body": "ulasim",
    "publish": "1",
}


@pytest.fixture
def published(app, council):
    """A proposal with its summary; returns (author id, moderator id)."""
    with app.app_context():
        author = make_user("Yazar")
        moderator = make_user("Moderatör", moderates=get_body("ulasim"))
        make_proposal(author, body=get_body("ulasim"), summary=SUMMARY)
        db.session.commit()
        return author.id, moderator.id


@pytest.mark.parametrize("summary", ["", "   \n  "])
def test_a_proposal_cannot_be_published_or_saved_without_a_summary(login, council, app, summary):
    with app.app_context():
        author = make_user().id
        db.session.commit()
    client = login(author)
    for button in ("publish", "save_draft"):
        data = {k: v for k, v in FORM.items() if k != "publish"} | {button: "1", "summary": summary}
        response = client.post("/proposals/new", data=data)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert 'id="summary-error"' in page and "This field is required." in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Proposal)) == 0


@pytest.mark.parametrize(
    "url", ["/", "/proposals", "/proposals?sort=equity", "/bodies/ulasim", "/moderation", "/me"]
)
def test_the_summary_is_shown_in_every_list(login, published, url):
    author, moderator = published
    client = login(moderator if url == "/moderation" else author)
    page = client.get(url).get_data(as_text=True)
    assert f'class="card-summary" lang="tr" dir="ltr">{escape(SUMMARY)}</p>' in page
