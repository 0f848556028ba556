"""One's own account in a real browser, at phone width, in Turkish: district and language,
a near-duplicate proposal that becomes a support, a comment fixed after posting, a new
password and a new e-mail address."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from katilim.extensions import db
from tests.factories import PASSWORD, get_body, make_proposal, make_user

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}
EMAIL = "e2e-account@example.org"
NEW_EMAIL = "e2e-account-new@example.org"
NEW_PASSWORD = "yepyeni uzun bir parola"
LAMPS = "Kuruçeşme'de sokak ışıkları yanmıyor, çevre karanlık"


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "locale": "tr-TR"}


@pytest.fixture(scope="module")
def lamps(live_app) -> int:
    with live_app.app_context(), live_app.test_request_context():
        make_user("Ece Şahin", email=EMAIL)
        proposal = make_proposal(
            make_user("Komşu"),
            body=get_body("imar-kentsel-donusum"),
            title=LAMPS,
            summary="Akşamları sokaklar karanlık, yürümek tehlikeli.",
        )
        db.session.commit()
        return proposal.id


def link_to(app, email: str, path: str) -> str:
    from katilim.notifications.outbox import deliver_due

    with app.app_context():  # the send-mail worker's job: requests only queue e-mails
        deliver_due()
    messages = [m for m in app.extensions.get("mail_outbox", []) if m["To"] == email]
    assert messages, f"no e-mail sent to {email}"
    return re.search(rf"https?://\S+{re.escape(path)}\S+", messages[-1].get_content())[0]


def sign_in(page: Page, email: str, password: str) -> None:
    page.goto("/auth/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main .flashes")).to_be_visible()


def test_resident_manages_the_account_supports_a_similar_proposal_and_fixes_a_comment(
    page: Page, browser: Browser, live_app, live_server, lamps, screenshot
):
    sign_in(page, EMAIL, PASSWORD)

    # Name, district and language
    page.goto("/me")
    page.locator("main a[href='/me/profile']").click()
    page.locator("#display_name").fill("Ece Ş.")
    page.locator("#district").select_option("gebze")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".notice-success")).to_be_visible()
    expect(page.locator("main .facts")).to_contain_text("Ece Ş.")
    expect(page.locator("main .facts")).to_contain_text("Gebze")

    # A new proposal starts in that district; a near-duplicate typed without Turkish letters
    page.goto("/proposals/new")
    assert page.locator("#district").input_value() == "gebze"
    page.locator("#title").fill("Kurucesme sokak isiklari yanmiyor")
    page.locator("#summary").fill("Aksam sokaklar karanlik, cevre tehlikeli.")
    page.locator("#text").fill(
        "Kurucesme mahallesinde sokak lambalari haftalardir yanmiyor; aksamlari yurumek zor."
    )
    page.locator("main .form-actions button[name=publish]").click()
    similar = page.locator("section.similar")
    expect(similar).to_be_visible()
    expect(similar).to_contain_text(LAMPS)
    expect(page.locator("#title")).to_have_value("Kurucesme sokak isiklari yanmiyor")
    screenshot("similar-tr-360")
    similar.locator(".similar-item", has_text=LAMPS).locator("button[value='1']").click()
    expect(page).to_have_url(re.compile(rf"/proposals/{lamps}#vote$"))
    expect(page.locator(".count-for strong")).to_have_text("1")

    # A plain comment, then fixed: it says it was edited
    page.locator(".comment-form #text").fill("Bizim sokakta da yanmıyr.")
    page.locator(".comment-form button[type=submit]").click()
    mine = page.locator(".comment", has_text="yanmıyr")
    expect(mine.locator(".stance")).to_have_count(0)
    mine.locator(".comment-action a").click()
    page.locator("#text").fill("Bizim sokakta da yanmıyor.")
    page.locator("main form button[type=submit]").click()
    fixed = page.locator(".comment", has_text="Bizim sokakta da yanmıyor.")
    expect(fixed.locator(".comment-edited")).to_be_visible()
    screenshot("comment-edited-tr-360")

    # A new password: this browser stays signed in, another one is signed out
    other = browser.new_context(base_url=live_server, locale="tr-TR")
    other_page = other.new_page()
    sign_in(other_page, EMAIL, PASSWORD)
    page.goto("/me/password")
    page.locator("#current_password").fill(PASSWORD)
    page.locator("#password").fill(NEW_PASSWORD)
    page.locator("#password_again").fill(NEW_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".notice-success")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/me$"))
    other_page.goto("/me")
    expect(other_page).to_have_url(re.compile(r"/auth/login"))
    other.close()

    # A new e-mail address, by the link sent there
    page.goto("/me/email-address")
    page.locator("#new_email").fill(NEW_EMAIL)
    page.locator("#current_password").fill(NEW_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Yeni adresin gelen kutusuna bakın")
    page.goto(link_to(live_app, NEW_EMAIL, "/me/email-address/confirm/"))
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".notice-success")).to_be_visible()
    expect(page.locator("main .facts")).to_contain_text(NEW_EMAIL)
