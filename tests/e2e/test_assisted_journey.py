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

    # The header leads to the assisted-entry form
    page.locator("nav.main-nav a[href='/assist/new']").click()
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
