"""A resident's whole path in a real browser, at phone width, in Turkish and in English."""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "locale": "tr-TR"}


def _verification_link(app, email: str) -> str:
    from katilim.notifications.outbox import deliver_due

    with app.app_context():  # the send-mail worker's job: requests only queue e-mails
        deliver_due()
    messages = [m for m in app.extensions.get("mail_outbox", []) if m["To"] == email]
    assert messages, f"no e-mail sent to {email}"
    body = messages[-1].get_content()
    return re.search(r"https?://\S+/auth/verify/\S+", body)[0]


def test_resident_registers_submits_routed_proposal_votes_comments_and_finds_it(
    page: Page, live_app, screenshot
):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "tr")
    screenshot("home-tr-360")

    # Register
    page.goto("/auth/register")
    page.locator("#email").fill("zeynep@example.org")
    page.locator("#display_name").fill("Zeynep Arslan")
    page.locator("#district").select_option("izmit")
    page.locator("#password").fill("bisiklet yolu istiyorum")
    page.locator("#password_again").fill("bisiklet yolu istiyorum")
    page.locator("#privacy_notice").check()
    page.locator("form button[type=submit]").last.click()
    expect(page).to_have_url(re.compile(r"/auth/check-inbox$"))

    # Follow the verification link from the e-mail: verified and signed in
    page.goto(_verification_link(live_app, "zeynep@example.org"))
    expect(page.locator(".notice-success")).to_be_visible()

    # Submit a proposal and let the platform suggest where it goes
    page.goto("/proposals/new")
    page.locator("#title").fill("Yahya Kaptan otobüs durağına sundurma ve oturak yapılsın")
    page.locator("#summary").fill(
        "Otobüs beklerken yağmurda ıslanıyoruz; durağa bir sundurma ve oturak istiyoruz."
    )
    page.locator("#text").fill(
        "Yahya Kaptan'daki otobüs durağında hiçbir korunak yok. Yaşlılar ve çocuklar "
        "otobüs beklerken yağmurda ıslanıyor, kaldırım da çok dar.\n\n"
        "- Durağa sundurma yapılsın\n- Oturak konulsun"
    )
    page.locator("#district").select_option("izmit")
    page.locator("#tags").fill("durak, otobüs")
    page.locator("#body").select_option("")
    page.locator("button[name=publish]").first.click()
    if page.locator("section.similar").count():  # another test's proposal looks like it
        page.locator("#proposal-form .form-actions button[name=publish]").click()

    suggestions = page.locator("section.suggestions")
    expect(suggestions).to_be_visible()
    expect(suggestions.locator("input[name=suggested_body][value=ulasim]")).to_be_checked()
    screenshot("suggestions-tr-360")
    suggestions.locator("button[name=publish]").click()

    expect(page.locator("h1")).to_have_text(re.compile("Yahya Kaptan otobüs durağına"))
    expect(page.locator(".routing")).to_contain_text("Ulaşım")
    proposal_url = page.url

    # Vote for it: the count updates at once
    page.locator(".vote-form button[value='1']").click()
    expect(page.locator(".count-for strong")).to_have_text("1")
    # Change the vote, then take it back
    page.locator(".vote-form button[value='-1']").click()
    expect(page.locator(".count-for strong")).to_have_text("0")
    expect(page.locator(".count-against strong")).to_have_text("1")
    page.locator(".vote-form button[value='1']").click()
    expect(page.locator(".count-for strong")).to_have_text("1")
    expect(page.locator(".count-against strong")).to_have_text("0")

    # Comment with a stance, then reply to it
    page.locator("#stance-3").check()  # question (the first choice is "no position")
    page.locator("#text").fill("Durağın yeri tam olarak hangi sokakta?")
    page.locator(".comment-form button[type=submit]").click()
    comment = page.locator(".comment").first
    expect(comment).to_contain_text("Durağın yeri tam olarak hangi sokakta?")
    comment.locator(".reply-link").click()
    page.locator("#text").fill("Kuruçeşme yönüne giden durak, eczanenin önünde.")
    page.locator(".comment-form button[type=submit]").click()
    expect(page.locator(".replies .comment")).to_contain_text("eczanenin önünde")
    screenshot("proposal-tr-360")

    # Find it by search, typed without Turkish letters and with another suffix
    page.goto("/proposals")
    page.locator("#q").fill("otobus duragi sundurma")
    page.locator("#q").press("Enter")
    result = page.locator(".proposal-card a", has_text="Yahya Kaptan otobüs durağına")
    expect(result).to_be_visible()
    result.click()
    assert page.url == proposal_url
    screenshot("search-tr-360")


def test_english_browser_gets_english_pages(browser, live_server, screenshot):
    context = browser.new_context(base_url=live_server, locale="en-GB", viewport=PHONE)
    page = context.new_page()
    page.goto("/proposals")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Proposals")
    page.screenshot(
        path=str(__import__("pathlib").Path("test-results/screenshots/proposals-en-360.png")),
        full_page=True,
    )
    # The switcher works without JavaScript and sticks for the session
    page.locator(".menu > summary").click()
    page.locator(".menu-panel a[hreflang=tr]").click()
    expect(page).to_have_url(re.compile(r"/proposals$"))  # the same page
    expect(page.locator("html")).to_have_attribute("lang", "tr")
    context.close()
