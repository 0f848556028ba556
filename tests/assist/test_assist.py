"""Assisted submission: facilitators file for people without internet, and follow it up."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from katilim.assist.models import AgeBand, AssistedSubmission, Channel
from katilim.assist.services import (
    AssistDetails,
    ConsentMissing,
    file_assisted_proposal,
)
from katilim.auth.models import SiteRole, User
from katilim.core.errors import PermissionDenied
from katilim.extensions import db
from katilim.moderation.services import answer, merge
from katilim.privacy.retention import run_retention
from katilim.proposals.models import EventKind, Proposal, ProposalStatus, RoutingMethod
from katilim.proposals.services import ProposalContent
from tests.factories import get_body, get_council, get_district, make_proposal, make_user
from tests.test_migrations import cli

CONTACT = "0532 000 11 22, Çınar Sokak No 7"
TITLE = "Köy yoluna bir otobüs seferi daha konulsun"


def html(response) -> str:
    return response.get_data(as_text=True)


def content(**changes) -> ProposalContent:
    values = {
        "title": TITLE,
        "summary": "Sabah okula ve işe gitmek için ikinci bir sefer gerekli.",
        "text": "Köyümüzden şehre sabah yalnızca bir otobüs var ve hep dolu. "
        "Saat yedide ikinci bir sefer konulmasını istiyoruz.",
        "district": get_district("kandira"),
        "language": "tr",
        "pseudonymous": True,
    }
    values.update(changes)
    return ProposalContent(**values)


def file_one(facilitator, *, locale="en", contact=CONTACT, **changes) -> Proposal:
    return file_assisted_proposal(
        facilitator,
        get_council(),
        content(**changes),
        AssistDetails(
            channel=Channel.PHONE,
            consent_given=True,
            letter_locale=locale,
            age_band=AgeBand.FROM_65,
            contact=contact,
        ),
        body=get_body("ulasim"),
        routing_method=RoutingMethod.CITIZEN,
    )


@pytest.fixture
def world(app, council):
    with app.app_context():
        facilitator = make_user("Gönüllü Gül", role=SiteRole.FACILITATOR)
        other = make_user("Başka Gönüllü", role=SiteRole.FACILITATOR)
        admin = make_user("Yönetici Yasin", role=SiteRole.ADMIN)
        resident = make_user("Sakin Selin")
        moderator = make_user("Moderatör Mine", moderates=get_body("ulasim"))
        proposal = file_one(facilitator)
        db.session.commit()
        return SimpleNamespace(
            facilitator_id=facilitator.id,
            other_id=other.id,
            admin_id=admin.id,
            resident_id=resident.id,
            moderator_id=moderator.id,
            proposal_id=proposal.id,
        )


def form_data(**changes) -> dict:
    data = {
        "channel": "paper",
        "consent": "y",
        "district": "gebze",
        "age_band": "30_44",
        "contact": CONTACT,
        "letter_locale": "tr",
        "title": "Mahalleye bir çeşme yapılsın lütfen",
        "summary": "Parkta içme suyu olsun, çocuklar ve yaşlılar su içebilsin.",
        "text": "Mahallemizdeki parkta hiç çeşme yok. Yazın çok sıcak oluyor; "
        "bir içme suyu çeşmesi yapılmasını istiyoruz.",
        "language": "tr",
        "body": "cevre-iklim",
        "publish": "1",
    }
    data.update(changes)
    return data


# --- services ----------------------------------------------------------------------------------


def test_filing_publishes_at_once_without_an_author(app, world):
    with app.app_context():
        proposal = db.session.get(Proposal, world.proposal_id)
        assert proposal.status == ProposalStatus.NEW and proposal.published_at is not None
        assert proposal.author_id is None
        assert proposal.assisted_by_id == world.facilitator_id
        assert proposal.is_pseudonymous
        assert [e.kind for e in proposal.events] == [EventKind.PUBLISHED, EventKind.ROUTED]
        assert proposal.events[0].actor_id == world.facilitator_id
        record = db.session.scalar(select(AssistedSubmission))
        assert record.proposal_id == proposal.id
        assert record.consent_taken_by_id == world.facilitator_id
        assert record.consent_given_at is not None and record.consent_text_version
        assert record.channel == Channel.PHONE and record.age_band == AgeBand.FROM_65
        assert record.contact == CONTACT and record.letter_locale == "en"


def test_residents_cannot_file_and_consent_is_required(app, world):
    with app.app_context():
        with pytest.raises(PermissionDenied):
            file_one(db.session.get(User, world.resident_id))
        with pytest.raises(ConsentMissing):
            file_assisted_proposal(
                db.session.get(User, world.facilitator_id),
                get_council(),
                content(),
                AssistDetails(channel=Channel.PAPER, consent_given=False, letter_locale="tr"),
                body=None,
                routing_method=None,
            )
        assert db.session.scalar(select(db.func.count(Proposal.id))) == 1


# --- permissions -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/assist", "/assist/new", "/assist/{id}/letter"])
def test_visitors_are_sent_to_sign_in(client, world, path):
    response = client.get(path.format(id=world.proposal_id))
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("path", ["/assist", "/assist/new", "/assist/{id}/letter"])
def test_residents_and_moderators_are_refused(login, world, path):
    for user_id in (world.resident_id, world.moderator_id):
        assert login(user_id).get(path.format(id=world.proposal_id)).status_code == 403
    assert login(world.resident_id).post("/assist/new", data=form_data()).status_code == 403


def test_unverified_facilitator_is_refused(app, login, world):
    with app.app_context():
        user = make_user("Doğrulanmamış", role=SiteRole.FACILITATOR, verified=False)
        db.session.commit()
        user_id = user.id
    assert login(user_id).get("/assist/new").status_code == 403


def test_only_the_filing_facilitator_and_admins_see_the_letter(login, world):
    url = f"/assist/{world.proposal_id}/letter"
    assert login(world.other_id).get(url).status_code == 403
    assert login(world.facilitator_id).get(url).status_code == 200
    assert login(world.admin_id).get(url).status_code == 200


def test_letter_of_something_else_is_not_found(app, login, world):
    with app.app_context():
        normal = make_proposal(body=get_body("ulasim"))
        db.session.commit()
        normal_id = normal.id
    client = login(world.facilitator_id)
    assert client.get(f"/assist/{normal_id}/letter").status_code == 404
    assert client.get("/assist/999999/letter").status_code == 404


def test_another_facilitators_list_does_not_show_the_person(login, world):
    page = html(login(world.other_id).get("/assist"))
    assert TITLE not in page and CONTACT not in page


def test_header_link_for_facilitators_only(login, world):
    assert "Assisted submission" in html(login(world.facilitator_id).get("/"))
    assert "Assisted submission" in html(login(world.admin_id).get("/"))
    assert "Assisted submission" not in html(login(world.resident_id).get("/"))


# --- the form ----------------------------------------------------------------------------------


def test_form_shows_the_consent_text(login, world):
    page = html(login(world.facilitator_id).get("/assist/new"))
    assert "Read this to the person" in page
    assert "Do you agree?" in page
    assert 'name="consent"' in page and 'name="contact"' in page


def test_filing_through_the_form(app, login, world):
    client = login(world.facilitator_id)
    response = client.post("/assist/new", data=form_data())
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/assist")
    with app.app_context():
        proposal = db.session.scalar(select(Proposal).order_by(Proposal.id.desc()))
        record = db.session.scalar(
            select(AssistedSubmission).where(AssistedSubmission.proposal_id == proposal.id)
        )
        assert proposal.assisted_by_id == world.facilitator_id and proposal.author_id is None
        assert proposal.body.slug == "cevre-iklim" and proposal.district.slug == "gebze"
        assert record.channel == Channel.PAPER and record.age_band == AgeBand.FROM_30
        assert record.letter_locale == "tr"
    page = html(client.get("/assist"))
    assert "Mahalleye bir çeşme yapılsın" in page and CONTACT in page


def test_validation_keeps_what_was_typed(app, login, world):
    client = login(world.facilitator_id)
    response = client.post(
        "/assist/new", data=form_data(consent="", title="Kısa", channel="", contact="Ara beni")
    )
    assert response.status_code == 200
    page = html(response)
    assert "The person&#39;s consent is required." in page or "The person's consent" in page
    assert "Use between 10 and 150 characters." in page
    assert "Choose one." in page
    assert 'value="Kısa"' in page
    assert "Ara beni</textarea>" in page
    assert "Parkta içme suyu olsun" in page
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Proposal.id))) == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("age_band", " "),
        ("age_band", "65+"),
        ("district", " "),
        ("language", " "),
        ("letter_locale", " "),
        ("channel", " "),
    ],
)
def test_a_blank_or_odd_choice_is_an_error_beside_the_field(app, login, world, field, value):
    """A value no option has is refused like any other invalid choice (" " was a 500)."""
    response = login(world.facilitator_id).post("/assist/new", data=form_data(**{field: value}))
    assert response.status_code == 200
    page = html(response)
    assert f'id="{field}-error"' in page
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Proposal.id))) == 1


def test_leaving_out_the_optional_choices_is_fine(app, login, world):
    data = form_data()
    del data["age_band"], data["district"]
    assert login(world.facilitator_id).post("/assist/new", data=data).status_code == 302


def test_i_dont_know_shows_suggestions_before_publishing(app, login, world):
    client = login(world.facilitator_id)
    response = client.post("/assist/new", data=form_data(body=""))
    assert response.status_code == 200
    assert "Where should the proposal go?" in html(response)
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Proposal.id))) == 1


# --- public pages ------------------------------------------------------------------------------


def test_public_pages_show_the_mark_and_never_the_contact(client, world):
    pages = [
        client.get("/"),
        client.get("/proposals"),
        client.get(f"/proposals/{world.proposal_id}"),
        client.get("/bodies/ulasim"),
        client.get("/stats"),
        client.get("/stats.csv"),
    ]
    for response in pages:
        assert response.status_code == 200
        assert CONTACT not in html(response)
        assert "0532" not in html(response)
    page = html(pages[2])
    assert "Submitted with a volunteer's help" in page
    assert "Anonymous resident (Kandıra)" in page
    assert "Submitted with a volunteer's help" in html(pages[1])


def test_moderators_see_the_mark_but_not_the_contact(login, world):
    page = html(login(world.moderator_id).get(f"/moderation/proposals/{world.proposal_id}"))
    assert "Submitted with a volunteer's help" in page
    assert CONTACT not in page


# --- follow-up ---------------------------------------------------------------------------------


def test_list_and_letter_show_the_answer(app, login, world):
    with app.app_context():
        proposal = db.session.get(Proposal, world.proposal_id)
        answer(db.session.get(User, world.moderator_id), proposal, "Sefer eylülde başlayacak.")
        db.session.commit()
    client = login(world.facilitator_id)
    assert "Sefer eylülde başlayacak." in html(client.get("/assist"))
    letter = html(client.get(f"/assist/{world.proposal_id}/letter"))
    assert "Sefer eylülde başlayacak." in letter
    assert "News about your proposal #" in letter
    assert f"/proposals/{world.proposal_id}" in letter
    assert "@media print" not in letter  # print rules live in the stylesheet (strict CSP)
    assert CONTACT not in letter  # the letter goes to the person: no need to print it


def test_list_and_letter_say_which_proposal_a_merged_one_goes_on_as(app, login, world):
    with app.app_context():
        proposal = db.session.get(Proposal, world.proposal_id)
        moderator = db.session.get(User, world.moderator_id)
        target = make_proposal(moderator, body=proposal.body, title="Ana öneri: gece seferleri")
        merge(moderator, proposal, target, "Aynı konu.")
        db.session.commit()
        target_id = target.id
    client = login(world.facilitator_id)
    listing = html(client.get("/assist"))
    assert f"Merged: it goes on as proposal #{target_id}." in listing
    letter = html(client.get(f"/assist/{world.proposal_id}/letter"))
    assert "goes on as proposal #" in letter and "Ana öneri: gece seferleri" in letter
    assert f"/proposals/{target_id}" in letter


def test_letter_in_english(login, world):
    letter = html(login(world.facilitator_id).get(f"/assist/{world.proposal_id}/letter"))
    assert 'class="letter" lang="en" dir="ltr"' in letter
    assert "Dear resident," in letter
    assert "Status: <strong>New</strong>" in letter


def test_letter_in_turkish_for_an_english_speaking_facilitator(app, login, world):
    with app.app_context():
        record = db.session.scalar(select(AssistedSubmission))
        record.letter_locale = "tr"
        db.session.commit()
    letter = html(login(world.facilitator_id).get(f"/assist/{world.proposal_id}/letter"))
    assert 'class="letter" lang="tr" dir="ltr"' in letter
    assert "Durum: <strong>Yeni</strong>" in letter or "<strong>Yeni</strong>" in letter
    assert "Ulaşım" in letter  # the body's Turkish name
    # The page around the letter stays in the facilitator's language.
    assert "Print this page" in letter


def test_letter_in_arabic_is_right_to_left(app, login, world):
    if "ar" not in app.config["LANGUAGES"]:
        pytest.skip("the Arabic catalogue is not in this branch yet")
    with app.app_context():
        record = db.session.scalar(select(AssistedSubmission))
        record.letter_locale = "ar"
        db.session.commit()
    letter = html(login(world.facilitator_id).get(f"/assist/{world.proposal_id}/letter"))
    assert 'class="letter" lang="ar" dir="rtl"' in letter


def test_list_runs_the_same_queries_for_2_and_12_submissions(app, login, count_queries, world):
    client = login(world.facilitator_id)

    def add(n):
        with app.app_context():
            facilitator = db.session.get(User, world.facilitator_id)
            moderator = db.session.get(User, world.moderator_id)
            for i in range(n):
                proposal = file_one(facilitator, title=f"{TITLE} {i}")
                answer(moderator, proposal, f"Yanıt {i}")
            db.session.commit()

    def measure() -> int:
        client.get("/assist")
        with count_queries() as counter:
            assert client.get("/assist").status_code == 200
        return counter.count

    add(1)
    small = measure()
    add(10)
    large = measure()
    page = html(client.get("/assist"))
    assert page.count("Yanıt ") == 11
    assert small == large


# --- at the person's request -------------------------------------------------------------------


def test_filing_facilitator_withdraws_at_the_persons_request(app, login, world):
    url = f"/assist/{world.proposal_id}/withdraw"
    data = {"reason": "Kişi telefonla geri çekmek istedi."}
    assert login(world.other_id).post(url, data=data).status_code == 403
    assert login(world.resident_id).post(url, data=data).status_code == 403
    client = login(world.facilitator_id)
    assert "Withdraw at the person's request" in html(client.get("/assist"))
    assert client.post(url, data=data).status_code == 302
    with app.app_context():
        proposal = db.session.get(Proposal, world.proposal_id)
        assert proposal.status == ProposalStatus.WITHDRAWN
        assert proposal.events[-1].kind == EventKind.WITHDRAWN
        assert proposal.events[-1].text == data["reason"]
    assert client.post(url, data=data).status_code == 409  # already withdrawn


def test_contact_can_be_erased(app, login, world):
    url = f"/assist/{world.proposal_id}/forget-contact"
    assert login(world.other_id).post(url).status_code == 403
    client = login(world.facilitator_id)
    assert client.post(url).status_code == 302
    assert CONTACT not in html(client.get("/assist"))
    with app.app_context():
        assert db.session.scalar(select(AssistedSubmission)).contact is None
        from katilim.audit.models import AuditLog

        [entry] = db.session.scalars(
            select(AuditLog).where(AuditLog.action == "assisted.forget_contact")
        )
        assert CONTACT not in str(entry.details)


def test_contact_is_erased_by_the_retention_run_30_days_after_the_answer(app, login, world):
    client = login(world.facilitator_id)
    assert "erased by itself 30 days after the first answer or decision" in html(
        client.get("/assist")
    )
    with app.app_context():
        proposal = db.session.get(Proposal, world.proposal_id)
        answer(db.session.get(User, world.moderator_id), proposal, "Sefer eylülde başlayacak.")
        db.session.commit()
        answered = proposal.first_answer_at
        assert run_retention(now=answered + timedelta(days=29)).removed["assisted_contacts"] == 0
        db.session.commit()
        assert db.session.scalar(select(AssistedSubmission)).contact == CONTACT
        proposal.first_answer_at = answered - timedelta(days=31)  # answered 31 days ago
        db.session.commit()
    line = "1 contacts written down by volunteers (answered more than 30 days ago)."
    assert f"Would erase {line}" in cli(app, "retention", "--dry-run").output
    assert CONTACT in html(client.get("/assist"))
    assert f"Erased {line}" in cli(app, "retention").output
    assert CONTACT not in html(client.get("/assist"))
    with app.app_context():
        assert db.session.scalar(select(AssistedSubmission)).contact is None


def test_admin_reveal_of_an_assisted_proposal_names_the_facilitator(login, world):
    url = f"/admin/proposals/{world.proposal_id}/reveal"
    data = {"reason": "The person called the council to ask about it"}
    assert login(world.facilitator_id).post(url, data=data).status_code == 403
    page = html(login(world.admin_id).post(url, data=data))
    assert "Gönüllü Gül" in page and CONTACT in page and "By phone" in page


def test_arabic_letter_isolates_the_turkish_body_name_and_numbers(app, login, world):
    with app.app_context():
        record = db.session.scalar(select(AssistedSubmission))
        record.letter_locale = "ar"
        db.session.commit()
    letter = html(login(world.facilitator_id).get(f"/assist/{world.proposal_id}/letter"))
    letter = letter.split('class="letter"', 1)[1]
    assert re.search(r"هو الآن لدى: <bdi>[^<]+</bdi></p>", letter)  # the body's name
    assert f"<bdi>{world.proposal_id}</bdi>.</p>" in letter  # the full stop after the number
    assert 'lang="tr" dir="ltr">' in letter  # the Turkish title in the Arabic letter
