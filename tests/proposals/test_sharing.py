"""Sharing a proposal: a link to copy, plain share links built from the site's address, and
the Open Graph / Twitter card tags."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

from katilim.extensions import db
from katilim.proposals.models import ProposalStatus
from tests.factories import make_proposal


def _page(app, client, **kw):
    with app.app_context():
        proposal = make_proposal(title="Otobüs durağına gölgelik & bank konsun", **kw)
        db.session.commit()
        proposal_id = proposal.id
    return proposal_id, client.get(f"/proposals/{proposal_id}").get_data(as_text=True)


def _links(html: str) -> list[tuple[str, str, str]]:
    return [
        (m.group(1), unescape(m.group(2)), m.group(3))
        for m in re.finditer(r'<a class="share-(\w+)" href="([^"]+)" rel="([^"]+)"', html)
    ]


def test_share_links_come_from_the_site_address_whatsapp_first(app, client):
    proposal_id, html = _page(app, client)
    url = f"http://localhost/proposals/{proposal_id}"
    assert f'id="share-url" class="share-url" type="text" readonly value="{url}"' in html
    links = _links(html)
    assert [key for key, _, _ in links] == ["whatsapp", "telegram", "x", "facebook", "email"]
    assert all(rel == "noopener noreferrer" for _, _, rel in links)
    hrefs = {key: href for key, href, _ in links}
    whatsapp = urlsplit(hrefs["whatsapp"])
    assert (whatsapp.scheme, whatsapp.netloc) == ("https", "wa.me")
    # url-encoded: the "&" of the title does not cut the message short
    assert parse_qs(whatsapp.query)["text"] == [f"Otobüs durağına gölgelik & bank konsun {url}"]
    assert parse_qs(urlsplit(hrefs["telegram"]).query)["url"] == [url]
    assert parse_qs(urlsplit(hrefs["x"]).query)["url"] == [url]
    assert parse_qs(urlsplit(hrefs["facebook"]).query)["u"] == [url]
    assert hrefs["email"].startswith("mailto:?subject=")
    assert "<script" not in html  # no outside (or inside) script


def test_share_links_ignore_the_host_the_client_sent(app, client):
    with app.app_context():
        proposal = make_proposal()
        db.session.commit()
        proposal_id = proposal.id
    html = client.get(f"/proposals/{proposal_id}", headers={"Host": "evil.example"}).get_data(
        as_text=True
    )
    assert "evil.example" not in html


def test_open_graph_and_twitter_tags_carry_title_and_plain_summary(app, client):
    proposal_id, html = _page(app, client)
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:title" content="Otobüs durağına gölgelik &amp; bank konsun">' in html
    assert (
        '<meta property="og:description" content="Kısaca: durağa rampa yapılsın ki herkes binebilsin.">'
        in html
    )
    assert f'<meta property="og:url" content="http://localhost/proposals/{proposal_id}">' in html
    assert '<meta property="og:locale" content="tr_TR">' in html
    assert '<meta name="twitter:card" content="summary">' in html  # no photo


def test_drafts_and_hidden_proposals_offer_nothing_to_share(app, client, login):
    with app.app_context():
        draft = make_proposal(status=ProposalStatus.DRAFT)
        hidden = make_proposal()
        hidden.is_hidden = True
        db.session.commit()
        draft_id, author_id, hidden_id = draft.id, draft.author_id, hidden.id
    html = login(author_id).get(f"/proposals/{draft_id}").get_data(as_text=True)
    assert "share-box" not in html and "og:title" not in html
    html = client.get(f"/proposals/{hidden_id}").get_data(as_text=True)
    assert "share-box" not in html and "og:title" not in html
