"""The transport group's moderator answers a proposal; the citizen sees the answer on the
page and in the notifications; the environment group's moderator cannot act on it."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from katilim.extensions import db
from katilim.organization.models import MembershipRole
from katilim.organization.services import add_membership, current_council, list_bodies
from tests.factories import PASSWORD, make_proposal, make_user

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def cast(live_app):
    """A citizen's proposal to the transport group, and the two demo-style moderators."""
    with live_app.app_context(), live_app.test_request_context():
        bodies = {b.slug: b for b in list_bodies(current_council())}
        citizen = make_user("Zehra Doğan", email="zehra@example.org")
        transport = make_user("Murat Aksoy", email="ulasim-mod@example.org")
        environment = make_user("Elif Şahin", email="cevre-mod@example.org")
        add_membership(transport, bodies["ulasim"], MembershipRole.MODERATOR)
        add_membership(environment, bodies["cevre-iklim"], MembershipRole.MODERATOR)
        proposal = make_proposal(
            citizen,
            body=bodies["ulasim"],
            title="Kuruçeşme tramvay durağına gölgelik yapılsın",
        )
        db.session.commit()
        return {"proposal_id": proposal.id}


def sign_in(page: Page, email: str) -> None:
    page.goto("/auth/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".flashes")).to_be_visible()


def new_page(browser: Browser, live_server: str, locale: str) -> Page:
    context = browser.new_context(base_url=live_server, locale=locale, viewport=PHONE)
    return context.new_page()


def test_moderator_answers_and_citizen_sees_it_other_group_cannot_act(
    browser: Browser, live_server, cast, screenshot
):
    proposal_url = f"/proposals/{cast['proposal_id']}"
    answer = "Ulaşım Çalışma Grubu olarak öneriyi inceledik; durak için belediyeye yazı yazıyoruz."

    # The transport moderator finds it in the queue, starts the review and answers in public
    moderator = new_page(browser, live_server, "tr-TR")
    sign_in(moderator, "ulasim-mod@example.org")
    moderator.goto("/moderation")
    moderator.locator(".queue-item a", has_text="Kuruçeşme tramvay durağına").click()
    expect(moderator).to_have_url(re.compile(rf"/moderation/proposals/{cast['proposal_id']}$"))
    moderator.locator("#action").select_option("claim")
    moderator.locator("form[action$='/status'] button[type=submit]").click()
    expect(moderator.locator(".status")).to_have_text("İnceleniyor")
    moderator.locator("#answer-text, form[action$='/answer'] textarea").first.fill(answer)
    moderator.locator("form[action$='/answer'] button[type=submit]").click()
    expect(moderator.locator(".timeline")).to_contain_text(answer)
    moderator.screenshot(path="test-results/screenshots/review-tr-360.png", full_page=True)

    # The citizen sees the answer on the public page
    citizen = new_page(browser, live_server, "tr-TR")
    sign_in(citizen, "zehra@example.org")
    citizen.goto(proposal_url)
    expect(citizen.locator(".timeline")).to_contain_text(answer)
    expect(citizen.locator(".status").first).to_have_text("İnceleniyor")

    # ... and in the notifications, with the unread count in the header's menu
    citizen.locator(".menu > summary").click()
    nav_link = citizen.locator(".menu-panel a[href='/me/notifications']")
    expect(nav_link).to_contain_text("(2)")  # review started, answer published
    nav_link.click()
    items = citizen.locator(".notification-list li")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("Kuruçeşme tramvay durağına gölgelik yapılsın")
    citizen.screenshot(path="test-results/screenshots/notifications-tr-360.png", full_page=True)
    items.first.locator("a").click()
    expect(citizen).to_have_url(re.compile(rf"{proposal_url}"))

    # The environment moderator cannot open or act on it
    other = new_page(browser, live_server, "en-GB")
    sign_in(other, "cevre-mod@example.org")
    response = other.goto(f"/moderation/proposals/{cast['proposal_id']}")
    assert response.status == 403
    other.goto("/moderation")
    expect(other.locator(".queue-item", has_text="Kuruçeşme")).to_have_count(0)
