"""A facilitator writes down a proposal phoned in by someone without internet; the public page
shows an anonymous resident and the volunteer's-help mark, never the person's contact; the
facilitator finds it on their list and opens the printable letter."""

import re

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import Browser, Page, expect

from katilim.auth.models import SiteRole
from katilim.extensions import db
from tests.e2e.conftest import SCREENSHOTS
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}
CONTACT = "0533 111 22 33 (akşamları)"


@pytest.fixture
def facilitator(live_app):
    with live_app.app_context():
        user = make_user(
            "Hasan Gönüllü", email="gonullu-e2e@example.org", role=SiteRole.FACILITATOR
        )
        db.session.commit()
        return user.email


def turkish(live_app, msgid: str) -> str:
    """The Turkish text of a message, once the integrator has merged this branch's
    translations into the catalogue; until then the English message id shows."""
    with live_app.test_request_context(), force_locale("tr"):
        return gettext(msgid)


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, email: str) -> None:
    page.goto("/auth/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".flashes")).to_be_visible()


def test_facilitator_files_a_phoned_in_proposal(
    browser: Browser, live_server, live_app, facilitator
):
    context = browser.new_context(base_url=live_server, locale="tr-TR", viewport=PHONE)
    page = context.new_page()
    sign_in(page, facilitator)

    # The header's menu leads to the assisted-entry form
    page.locator(".menu > summary").click()
    page.locator(".menu-panel a[href='/assist/new']").click()
    expect(page).to_have_url(re.compile(r"/assist/new$"))
    page.locator("input[name=channel][value=phone]").check()
    page.locator("#consent").check()
    page.locator("#district").select_option("kandira")
    page.locator("#age_band").select_option("65_plus")
    page.locator("#contact").fill(CONTACT)
    page.locator("#letter_locale").select_option("tr")
    page.locator("#title").fill("Kandıra köy yoluna sabah ikinci otobüs seferi konulsun")
    page.locator("#summary").fill(
        "Sabah tek otobüs var ve hep dolu; saat yedide ikinci bir sefer istiyoruz."
    )
    page.locator("#text").fill(
        "Köyümüzden Kandıra merkezine sabah yalnızca bir otobüs kalkıyor. Öğrenciler ve "
        "işe gidenler sığmıyor; saat yedide ikinci bir sefer konulmasını istiyoruz."
    )
    page.locator("#body").select_option("ulasim")
    shot(page, "assist-form-tr-360")
    page.locator(".form-actions button[name=publish]").click()

    # The facilitator's list shows it with the contact and the letter link
    expect(page).to_have_url(re.compile(r"/assist$"))
    item = page.locator(".assisted-list li").first
    expect(item).to_contain_text("Kandıra köy yoluna sabah ikinci otobüs")
    expect(item).to_contain_text(CONTACT)

    # The printable letter, in Turkish
    item.locator("a[href$='/letter']").click()
    expect(page.locator("article.letter")).to_have_attribute("lang", "tr")
    expect(page.locator("article.letter")).to_contain_text("Ulaşım")
    shot(page, "assist-letter-tr-360")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator("article.letter")).to_be_visible()
    page.emulate_media(media="screen")

    # A visitor reads it: an anonymous resident, with the volunteer's-help mark, no contact
    proposal_link = page.locator("article.letter .letter-url").inner_text()
    visitor = browser.new_context(base_url=live_server, locale="tr-TR", viewport=PHONE).new_page()
    visitor.goto(proposal_link)
    head = visitor.locator(".proposal-head")
    expect(head).to_contain_text(
        turkish(live_app, "Anonymous resident (%(district)s)") % {"district": "Kandıra"}
    )
    expect(head.locator(".mark-assisted")).to_have_text(
        turkish(live_app, "Submitted with a volunteer's help")
    )
    assert CONTACT not in visitor.content()
    assert "Hasan Gönüllü" not in visitor.content()
    shot(visitor, "assisted-proposal-tr-360")
    context.close()


# --- Accessibility of the new pages ------------------------------------------------------------


@pytest.fixture(scope="module")
def anonymous_site(live_app):
    """A pseudonymous proposal with an anonymous comment, an assisted one, and the people who
    see the facilitator's and the admin's pages."""
    from katilim.assist.models import Channel
    from katilim.assist.services import AssistDetails, file_assisted_proposal
    from katilim.proposals.models import RoutingMethod
    from katilim.proposals.services import ProposalContent
    from tests.factories import get_body, get_council, get_district, make_comment, make_proposal

    with live_app.app_context(), live_app.test_request_context():
        body = get_body("kadin-meclisi")
        author = make_user("Gizli Yazar", email="a11y-anon@example.org")
        facilitator = make_user(
            "A11y Gönüllü", email="a11y-facilitator@example.org", role=SiteRole.FACILITATOR
        )
        make_user("A11y Yönetici", email="a11y-admin2@example.org", role=SiteRole.ADMIN)
        pseudonymous = make_proposal(
            author,
            body=body,
            district=get_district("izmit"),
            title="Parkın aydınlatması akşamları açık kalsın",
            pseudonymous=True,
        )
        make_comment(pseudonymous, author, text="Adsız bir yorum.", pseudonymous=True)
        assisted = file_assisted_proposal(
            facilitator,
            get_council(),
            ProposalContent(
                title="Mahalle muhtarlığına kadın danışma masası kurulsun",
                summary="Haftada bir gün muhtarlıkta kadınlara danışma masası olsun.",
                text="Telefonla aktarılan öneri: mahallemizde kadınların danışabileceği bir yer "
                "yok; muhtarlıkta haftada bir gün danışma masası kurulsun.",
                district=get_district("gebze"),
                pseudonymous=True,
            ),
            AssistDetails(
                channel=Channel.PHONE,
                consent_given=True,
                letter_locale="tr",
                contact="0262 000 00 00",
            ),
            body=body,
            routing_method=RoutingMethod.CITIZEN,
        )
        db.session.commit()
        return {"pseudonymous": pseudonymous.id, "assisted": assisted.id}


def assist_errors(page: Page) -> None:
    page.goto("/assist/new")
    page.locator(".form-actions button[name=publish]").click()
    expect(page.locator(".field-error").first).to_be_visible()


def reveal_errors(page: Page, proposal_id: int) -> None:
    page.goto(f"/admin/proposals/{proposal_id}/reveal")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".field-error").first).to_be_visible()


@pytest.mark.parametrize(("locale", "width"), [("tr-TR", 360), ("en-GB", 1280)])
def test_axe_finds_no_violation_on_the_new_pages(
    browser: Browser, live_server, anonymous_site, locale, width
):
    from tests.e2e.test_accessibility import AXE, AXE_OPTIONS, overflow, summarize

    context = browser.new_context(
        base_url=live_server, locale=locale, viewport={"width": width, "height": 800}
    )
    page = context.new_page()
    ids = anonymous_site
    visits = {
        None: [f"/proposals/{ids['pseudonymous']}", f"/proposals/{ids['assisted']}"],
        "a11y-facilitator@example.org": [
            "/assist/new",
            assist_errors,
            "/assist",
            f"/assist/{ids['assisted']}/letter",
        ],
        "a11y-admin2@example.org": [
            f"/moderation/proposals/{ids['pseudonymous']}",
            f"/admin/proposals/{ids['pseudonymous']}/reveal",
            lambda page: reveal_errors(page, ids["pseudonymous"]),
        ],
        "a11y-anon@example.org": [f"/proposals/{ids['pseudonymous']}"],
    }
    report = []
    for email, steps in visits.items():
        page.context.clear_cookies()
        if email:
            sign_in(page, email)
        for step in steps:
            if callable(step):
                step(page)
            else:
                assert page.goto(step).status == 200, step
            found = [summarize(AXE.run(page, options=AXE_OPTIONS).response["violations"])]
            found.append(overflow(page))
            if found := [f for f in found if f]:
                report.append(f"{page.url} | {locale} | {width} → {', '.join(found)}")
    context.close()
    assert not report, "axe violations:\n" + "\n".join(report)
