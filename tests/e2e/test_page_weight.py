"""Light pages: the proposal list and a proposal page with 20 comments each weigh at most
60 KB of HTML + CSS + JS (uncompressed, as Chromium receives them, without images) and load
nothing from another host (docs/architecture.md#pages)."""

import pytest
from playwright.sync_api import Browser, expect

from katilim.comments.models import Stance
from katilim.extensions import db
from tests.factories import PASSWORD, get_body, get_district, make_comment, make_proposal, make_user

pytestmark = pytest.mark.e2e

BUDGET = 60 * 1024
COUNTED = {"document", "stylesheet", "script"}
PHONE = {"width": 360, "height": 740}
READER = "weight-reader@example.org"

COMMENT = (
    "Bu hastaneye her hafta annemle gidiyorum. Kapıda beklemek çok zor, özellikle yaşlılar ve "
    "bebek arabasıyla gelenler için. Bir bekleme salonu ve oturak yapılırsa çok iyi olur; "
    "rampa da unutulmasın."
)


@pytest.fixture(scope="module")
def heavy(live_app):
    """A full page of proposals, and a proposal with 20 comments (14 threads, 6 replies)."""
    with live_app.app_context(), live_app.test_request_context():
        health = get_body("saglik")  # no other e2e test uses it
        gebze = get_district("gebze")
        make_user("Okur Yurttaş", email=READER)
        authors = [make_user(f"Yazar {n}") for n in range(5)]
        for n in range(21):
            make_proposal(
                authors[n % 5],
                body=health,
                district=gebze,
                title=f"Gebze {n + 1}: aile sağlığı merkezine akşam nöbeti konsun",
                tags=("sağlık", "gece"),
            )
        proposal = make_proposal(
            authors[0],
            body=health,
            district=gebze,
            title="Gebze Devlet Hastanesi önüne bekleme salonu yapılsın",
            text=(COMMENT + "\n\n") * 6 + "- Sundurma\n- Oturak\n- Rampa",
            tags=("hastane", "sağlık", "erişilebilirlik"),
        )
        stances = [Stance.FOR, Stance.AGAINST, Stance.QUESTION]
        threads = [
            make_comment(proposal, authors[n % 5], text=COMMENT, stance=stances[n % 3])
            for n in range(14)
        ]
        for n in range(6):
            make_comment(proposal, authors[(n + 1) % 5], text=COMMENT, parent=threads[n])
        db.session.commit()
        assert proposal.comments_count == 20
        return {"proposal": proposal.id}


def signed_in_state(browser: Browser, live_server: str) -> dict:
    context = browser.new_context(base_url=live_server, locale="tr-TR", viewport=PHONE)
    page = context.new_page()
    page.goto("/auth/login")
    page.locator("#email").fill(READER)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main .flashes")).to_be_visible()
    state = context.storage_state()
    context.close()
    return state


def weigh(
    browser: Browser, live_server: str, path: str, items: str
) -> tuple[dict[str, int], list[str]]:
    """Bytes per resource type of one visit by a signed-in resident with an empty cache
    (a new context), and every URL the page asked for."""
    context = browser.new_context(
        base_url=live_server,
        locale="tr-TR",
        viewport=PHONE,
        storage_state=signed_in_state(browser, live_server),
    )
    page = context.new_page()
    requests, responses = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("response", lambda response: responses.append(response))
    response = page.goto(path)
    assert response.status == 200
    expect(page.locator("nav a[href='/me']")).to_be_visible()  # signed in: the heavier page
    expect(page.locator(items)).to_have_count(20)
    weights: dict[str, int] = {}
    for r in responses:
        kind = r.request.resource_type
        if kind in COUNTED:
            weights[kind] = weights.get(kind, 0) + len(r.body())
    context.close()
    return weights, requests


@pytest.mark.parametrize(
    ("name", "path", "items"),
    [
        ("proposals", "/proposals", ".proposal-card"),
        ("proposal with 20 comments", "/proposals/{proposal}", "li.comment"),
    ],
)
def test_page_weighs_at_most_60_kb_and_loads_nothing_from_elsewhere(
    browser: Browser, live_server, heavy, name, path, items, capsys
):
    path = path.format(**heavy)
    weights, requests = weigh(browser, live_server, path, items)
    total = sum(weights.values())
    figures = ", ".join(f"{kind} {size / 1024:.1f} KB" for kind, size in sorted(weights.items()))
    with capsys.disabled():  # the figures are wanted on every run, not only on failure
        print(f"\n{name} ({path}): {total / 1024:.1f} KB = {figures}; {len(requests)} requests")
    assert weights.get("document") and weights.get("stylesheet"), weights
    assert total <= BUDGET, f"{name}: {total / 1024:.1f} KB > 60 KB ({figures})"
    foreign = [url for url in requests if not url.startswith(live_server + "/")]
    assert not foreign, f"requests to other hosts: {foreign}"
