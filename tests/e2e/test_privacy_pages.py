"""The privacy pages pass axe (WCAG 2.2 AA) in Turkish and English, on phones and desktops,
and a resident withdraws a consent and deletes the account with the keyboard and mouse."""

import pytest
from playwright.sync_api import Browser, Page, expect

from katilim.auth.models import SiteRole, User
from katilim.extensions import db
from katilim.privacy.models import TrafficRecord
from tests.e2e.test_accessibility import AXE, AXE_OPTIONS, LOCALES, VIEWPORTS, overflow, summarize
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.e2e

EMAILS = {
    "resident": "privacy-resident@example.org",
    "admin": "privacy-admin@example.org",
    "leaver": "privacy-leaver@example.org",
}


@pytest.fixture(scope="module")
def people(live_app):
    with live_app.app_context():
        make_user("Pınar Gizli", email=EMAILS["resident"])
        make_user("Yönetici Yasemin", email=EMAILS["admin"], role=SiteRole.ADMIN)
        make_user("Giden Gökhan", email=EMAILS["leaver"])
        db.session.add(
            TrafficRecord(address="192.0.2.5", method="POST", path="/auth/login", status_code=302)
        )
        db.session.commit()


def sign_in(page: Page, who: str) -> None:
    page.context.clear_cookies()
    page.goto("/auth/login")
    page.locator("#email").fill(EMAILS[who])
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main .flashes")).to_be_visible()


def delete_errors(page: Page) -> None:
    page.goto("/me/delete")
    page.locator("main button.button-danger").click()
    expect(page.locator(".field-error").first).to_be_visible()


PAGES = {
    None: ["/kunye", "/privacy"],
    "resident": ["/me", "/me/consents", "/me/delete", delete_errors],
    "admin": ["/admin/traffic", "/admin/traffic?date_from=nope&user_id=x"],
}


@pytest.mark.parametrize("width", list(VIEWPORTS))
@pytest.mark.parametrize("locale", list(LOCALES))
def test_axe_finds_no_violation(browser: Browser, live_server, people, locale, width):
    context = browser.new_context(
        base_url=live_server, locale=LOCALES[locale], viewport=VIEWPORTS[width]
    )
    page = context.new_page()
    report = []
    try:
        for who, steps in PAGES.items():
            if who:
                sign_in(page, who)
            for step in steps:
                if callable(step):
                    step(page)
                else:
                    assert page.goto(step).status == 200, step
                found = [summarize(AXE.run(page, options=AXE_OPTIONS).response["violations"])]
                found.append(overflow(page))
                if found := [f for f in found if f]:
                    report.append(f"{step} | {locale} | {width} → {', '.join(found)}")
    finally:
        context.close()
    assert not report, "axe violations:\n" + "\n".join(report)


def test_resident_gives_and_withdraws_then_deletes_the_account(
    browser: Browser, live_server, live_app, people
):
    context = browser.new_context(base_url=live_server, locale="en-GB")
    page = context.new_page()
    try:
        sign_in(page, "leaver")
        page.goto("/me")
        page.get_by_role("link", name="My consents").click()
        page.get_by_role("button", name="I give my consent : E-mails").click()
        expect(page.locator("main .flashes")).to_contain_text("Your consent is recorded.")
        page.get_by_role("button", name="Withdraw my consent").click()
        expect(page.locator("main .flashes")).to_contain_text("Your consent is withdrawn.")
        expect(page.locator("main table tbody tr")).to_have_count(1)
        page.goto("/me/delete")
        page.locator("#password").fill(PASSWORD)
        page.locator("#confirm").check()
        page.locator("main button.button-danger").click()
        expect(page.locator("main .flashes")).to_contain_text("Your account is deleted.")
        expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    finally:
        context.close()
    with live_app.app_context():
        assert db.session.query(User).filter_by(email=EMAILS["leaver"]).first() is None
