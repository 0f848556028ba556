"""A proposal's way through the council's working life, in a real browser at phone width: a
resident submits it; the transport group's moderator is told, puts it on a meeting's agenda;
after the meeting the chair records the decision and accepts it; the resident reads the
decision on the proposal's public timeline and in the notifications."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from katilim.core.models import utcnow
from katilim.extensions import db
from katilim.meetings.models import Meeting
from katilim.organization.models import MembershipRole
from katilim.organization.services import add_membership, current_council, list_bodies
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}
TITLE = "Sekapark tramvay durağına sesli anons sistemi kurulsun"
DECISION = "Grup oy birliğiyle kabul etti; anons için belediyeye yazı yazılacak."


@pytest.fixture
def people(live_app):
    with live_app.app_context(), live_app.test_request_context():
        transport = {b.slug: b for b in list_bodies(current_council())}["ulasim"]
        make_user("Leyla Acar", email="journey-citizen@example.org")
        moderator = make_user("Kaan Yurt", email="journey-moderator@example.org")
        add_membership(moderator, transport, MembershipRole.MODERATOR)
        chair = make_user("Nermin Tok", email="journey-chair@example.org")
        add_membership(chair, transport, MembershipRole.CHAIR)
        db.session.commit()


def person(browser: Browser, live_server: str, email: str) -> Page:
    page = browser.new_context(base_url=live_server, locale="en-GB", viewport=PHONE).new_page()
    page.goto("/auth/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".flashes")).to_be_visible()
    return page


def test_a_proposal_goes_from_submission_to_a_recorded_decision(
    browser: Browser, live_server, live_app, people
):
    # The resident submits a proposal to the transport group.
    citizen = person(browser, live_server, "journey-citizen@example.org")
    citizen.goto("/proposals/new")
    citizen.locator("#title").fill(TITLE)
    citizen.locator("#summary").fill("Görme engelliler için durakta sesli anons olsun.")
    citizen.locator("#text").fill(
        "Sekapark durağında tramvayın geldiği yalnızca ekranda yazıyor; görme engelli "
        "yolcular hangi tramvayın geldiğini duyamıyor."
    )
    citizen.locator("#body").select_option("ulasim")
    citizen.locator("button[name=publish]").first.click()
    if citizen.locator("section.similar").count():  # another test's proposal looks like it
        citizen.locator("#proposal-form .form-actions button[name=publish]").click()
    expect(citizen.locator("h1")).to_have_text(TITLE)
    proposal_path = re.search(r"/proposals/\d+", citizen.url)[0]
    proposal_id = int(proposal_path.rsplit("/", 1)[1])

    # The moderator is told: the notification leads to the review page.
    moderator = person(browser, live_server, "journey-moderator@example.org")
    moderator.goto("/me/notifications")
    notice = moderator.locator(".notification-list li", has_text=TITLE)
    expect(notice).to_contain_text("It waits for review in")
    notice.locator("a").first.click()
    expect(moderator).to_have_url(re.compile(rf"/moderation/proposals/{proposal_id}$"))

    # ... and puts it on the agenda of the group's next meeting.
    moderator.goto("/bodies/ulasim/meetings/new")
    moderator.locator("#title").fill("Ulaşım Çalışma Grubu aralık toplantısı")
    moderator.locator("#day").fill((utcnow() + timedelta(days=3)).date().isoformat())
    moderator.locator("#starts").fill("18:30")
    moderator.locator("#place_name").fill("Kent Konseyi toplantı salonu")
    moderator.locator("main form label", has_text=TITLE).click()
    moderator.locator("main form button[type=submit]").click()
    expect(moderator.locator(".agenda")).to_contain_text(TITLE)
    meeting_id = int(re.search(r"/meetings/(\d+)$", moderator.url)[1])

    # The meeting takes place (three days pass).
    with live_app.app_context():
        meeting = db.session.scalar(select(Meeting).where(Meeting.id == meeting_id))
        meeting.starts_at = utcnow() - timedelta(hours=2)
        db.session.commit()

    # The chair records the decision and accepts the proposal with it.
    chair = person(browser, live_server, "journey-chair@example.org")
    chair.goto(f"/meetings/{meeting_id}")
    chair.locator("a", has_text="Record the minutes and decisions").click()
    item = chair.locator(".record-items li", has_text=TITLE)
    item.locator("textarea").fill(DECISION)
    item.locator("label", has_text="Accept").click()
    chair.locator("#attendance").fill("11")
    chair.locator("#minutes").fill("Toplantıya 11 kişi katıldı.")
    chair.locator("main form button[type=submit]").click()
    expect(chair.locator(".flashes")).to_contain_text("The minutes are saved")
    expect(chair.locator(".agenda")).to_contain_text(DECISION)

    # The resident reads the decision on the public timeline, and is told.
    citizen.goto(proposal_path)
    timeline = citizen.locator(".timeline")
    expect(timeline).to_contain_text("Discussed at the meeting of")
    expect(timeline).to_contain_text(DECISION)
    expect(citizen.locator(".status").first).to_have_text("Accepted")
    citizen.screenshot(path="test-results/screenshots/decision-en-360.png", full_page=True)
    citizen.goto("/me/notifications")
    expect(citizen.locator(".notification-list")).to_contain_text("discussed it at a meeting")
