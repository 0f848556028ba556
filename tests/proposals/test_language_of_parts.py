"""A Turkish proposal on an English page is marked lang="tr" (WCAG 3.1.2, language of parts),
so that a screen reader reads it with Turkish pronunciation."""

from katilim.extensions import db
from tests.factories import get_body, make_proposal


def test_proposal_texts_carry_their_own_language(client, council, app):
    with app.app_context():
        proposal = make_proposal(title="Tramvay durağına rampa yapılsın", body=get_body("ulasim"))
        db.session.commit()
        proposal_id = proposal.id
    listing = client.get("/proposals").get_data(as_text=True)
    page = client.get(f"/proposals/{proposal_id}").get_data(as_text=True)
    assert '<html lang="en"' in page
    assert '<h3 class="card-title" lang="tr" dir="ltr"><a href=' in listing
    assert '<p class="card-summary" lang="tr" dir="ltr">Kısaca:' in listing
    assert (
        '<h1 id="proposal-title" lang="tr" dir="ltr">Tramvay durağına rampa yapılsın</h1>' in page
    )
    assert '<p lang="tr" dir="ltr">Kısaca:' in page
    assert '<div class="prose proposal-text" lang="tr" dir="ltr">' in page
