"""The meeting pages: lists, one meeting, the scheduling form, registering, cancelling."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from katilim.auth.models import SiteRole
from katilim.core.models import utcnow
from katilim.extensions import db
from katilim.meetings.models import Meeting, MeetingRegistration, MeetingStatus
from katilim.organization.models import Membership, MembershipRole
from tests.factories import get_body, make_proposal, make_user
from tests.meetings.helpers import scheduled


@pytest.fixture
def world(app, council):
    """ulasim with a chair, a resident, and one meeting in a week with two places."""
    with app.app_context():
        body = get_body("ulasim")
        chair = make_user("Başkan Bilge")
        db.session.add(Membership(user_id=chair.id, body_id=body.id, role=MembershipRole.CHAIR))
        db.session.flush()
        resident = make_user("Sakin Çelik")
        unverified = make_user("Doğrulanmamış", verified=False)
        proposal = make_proposal(make_user("Yazar"), body=body, title="Tramvay hattı uzasın")
        meeting = scheduled(
            chair,
            body,
            capacity=2,
            sign_language_on_request=True,
            proposal_ids=[proposal.id],
            free_items=["Bütçe görüşmesi"],
        )
        db.session.commit()
        ids = {
            "chair": chair.id,
            "resident": resident.id,
            "unverified": unverified.id,
            "meeting": meeting.id,
            "proposal": proposal.id,
        }
    return ids


def post_form(client, page_url: str, action: str, data: dict):
    """Open the page, then send its form (CSRF is checked in tests/core/test_errors.py)."""
    assert client.get(page_url).status_code == 200
    return client.post(action, data=data)


def test_the_lists_and_the_meeting_page(client, world):
    for url in ("/meetings", "/meetings?body=ulasim", "/bodies/ulasim/meetings", "/bodies/ulasim"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert "Aylık toplantı" in page.get_data(as_text=True), url
    page = client.get(f"/meetings/{world['meeting']}").get_data(as_text=True)
    assert "Tramvay hattı uzasın" in page and "Bütçe görüşmesi" in page
    assert "2 places left" in page
    assert "Sign in to register" in page
    assert client.get("/meetings?body=nope").status_code == 200
    assert client.get("/meetings/999999").status_code == 404
    assert client.get("/bodies/nope/meetings").status_code == 404


def test_registering_until_full_then_409(app, client, login, world):
    url = f"/meetings/{world['meeting']}"
    resident = login(world["resident"])
    response = post_form(resident, url, f"{url}/register", {"needs_sign_language": "y"})
    assert response.status_code == 302
    page = resident.get(url).get_data(as_text=True)
    assert "You are registered" in page and "sign-language interpreter" in page
    with app.app_context():
        others = [make_user(f"Komşu {i}").id for i in range(2)]
        db.session.commit()
    first, second = login(others[0]), login(others[1])
    # both loaded the page while a place was left
    assert "Register to attend" in first.get(url).get_data(as_text=True)
    assert "Register to attend" in second.get(url).get_data(as_text=True)
    assert first.post(f"{url}/register").status_code == 302
    refused = second.post(f"{url}/register")
    assert refused.status_code == 409
    assert "every place at this meeting is taken" in refused.get_data(as_text=True)
    assert "Every place is taken" in second.get(url).get_data(as_text=True)
    # giving a place back frees it
    assert post_form(resident, url, f"{url}/unregister", {}).status_code == 302
    assert post_form(second, url, f"{url}/register", {}).status_code == 302
    with app.app_context():
        meeting = db.session.get(Meeting, world["meeting"])
        assert meeting.registrations_count == 2
        rows = db.session.scalars(select(MeetingRegistration.user_id)).all()
        assert sorted(rows) == sorted(others)


def form_data(**kw) -> dict:
    day = (utcnow() + timedelta(days=10)).date().isoformat()
    data = {
        "title": "Ulaşım toplantısı",
        "day": day,
        "starts": "18:30",
        "ends": "20:00",
        "place_name": "Kent Konseyi",
        "address": "",
        "step_free": "yes",
        "online_url": "",
        "capacity": "",
        "description": "",
        "free_items": "Açılış\n\nDilek ve temenniler",
    }
    data.update(kw)
    return data


def test_scheduling_through_the_form(app, login, world):
    chair = login(world["chair"])
    url = "/bodies/ulasim/meetings/new"
    page = chair.get(url).get_data(as_text=True)
    assert "Tramvay hattı uzasın" in page  # an agenda candidate
    response = post_form(chair, url, url, form_data(proposals=str(world["proposal"])))
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        meeting = db.session.scalars(select(Meeting).order_by(Meeting.id.desc())).first()
        assert meeting.title == "Ulaşım toplantısı"
        assert [i.text for i in meeting.agenda_items] == [None, "Açılış", "Dilek ve temenniler"]
        # 18:30 in Istanbul is 15:30 UTC
        assert (meeting.starts_at.hour, meeting.starts_at.minute) == (15, 30)
        assert meeting.is_step_free is True and meeting.capacity is None


@pytest.mark.parametrize(
    "changes",
    [
        {"title": ""},
        {"day": "yarın"},
        {"day": "1999-01-01"},
        {"day": (utcnow() - timedelta(days=3)).date().isoformat()},
        {"starts": "25:00"},
        {"ends": "17:00"},
        {"online_url": "javascript:alert(1)"},
        {"online_url": "ftp://example.org"},
        {"place_name": "", "online_url": ""},
        {"capacity": "0"},
        {"capacity": "99999999999999999999"},
        {"capacity": "٣"},
        {"step_free": "maybe"},
        {"proposals": "abc"},
        {"proposals": "999999"},
        {"free_items": "x" * 400},
    ],
)
def test_bad_input_gives_the_form_back(app, login, world, changes):
    chair = login(world["chair"])
    url = "/bodies/ulasim/meetings/new"
    response = post_form(chair, url, url, form_data(**changes))
    assert response.status_code == 200
    assert "Please correct the marked fields" in response.get_data(as_text=True) or (
        "notice-error" in response.get_data(as_text=True)
    )
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Meeting)) == 1


def test_editing_moves_and_cancelling(app, login, world):
    chair = login(world["chair"])
    url = f"/meetings/{world['meeting']}"
    edit = chair.get(f"{url}/edit").get_data(as_text=True)
    assert 'value="Aylık toplantı"' in edit
    moved = post_form(chair, f"{url}/edit", f"{url}/edit", form_data(title="Yeni başlık"))
    assert moved.status_code == 302
    page = chair.get(url).get_data(as_text=True)
    assert "Yeni başlık" in page and "was moved from" in page
    refused = post_form(chair, url, f"{url}/cancel", {"reason": ""})
    assert refused.status_code == 400
    done = post_form(chair, url, f"{url}/cancel", {"reason": "Salon su bastı."})
    assert done.status_code == 302
    page = chair.get(url).get_data(as_text=True)
    assert "This meeting is cancelled" in page and "Salon su bastı." in page
    assert chair.get(f"{url}/edit").status_code == 409
    with app.app_context():
        assert db.session.get(Meeting, world["meeting"]).status == MeetingStatus.CANCELLED


def test_unverified_people_are_told_to_confirm(login, world):
    page = login(world["unverified"]).get(f"/meetings/{world['meeting']}").get_data(as_text=True)
    assert "Confirm your e-mail address to register" in page


def test_the_nav_and_the_body_page_link_meetings(client, world):
    assert 'href="/meetings"' in client.get("/").get_data(as_text=True)
    body_page = client.get("/bodies/ulasim").get_data(as_text=True)
    assert 'href="/bodies/ulasim/meetings"' in body_page and "Next meeting" in body_page


def test_admin_sees_the_staff_box(app, login, world):
    with app.app_context():
        admin = make_user("Yönetici", role=SiteRole.ADMIN).id
        db.session.commit()
    page = login(admin).get(f"/meetings/{world['meeting']}").get_data(as_text=True)
    assert "Change the meeting" in page and "Cancel the meeting" in page
