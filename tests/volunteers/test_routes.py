"""The volunteer pages: the body page's section, applying with bad input, deciding with and
without a reason, my volunteering page, and the notifications and e-mails they send."""

from sqlalchemy import select

from katilim.auth.models import User
from katilim.extensions import db
from katilim.notifications.models import Notification
from katilim.volunteers import services
from katilim.volunteers.models import BodyVolunteer, VolunteerStatus
from tests.factories import get_body, get_council, make_user
from tests.volunteers.helpers import cast


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html(response) -> str:
    return response.get_data(as_text=True)


def setup_people(app) -> dict[str, int]:
    with app.app_context():
        c = cast()
        db.session.commit()
        return {k: v.id for k, v in c.items()}


def test_body_page_counts_members_and_names_only_those_who_agreed(app, council, client, login):
    ids = setup_people(app)
    with app.app_context():
        body = get_body("ulasim")
        for i, listed in enumerate((True, False, True)):
            user = make_user(f"Gönüllü {i}")
            row = services.apply(user, body, "")
            services.decide(db.session.get(User, ids["chair"]), row, True)
            if listed:
                services.set_listed(user, body, True)
        db.session.commit()
    page = html(client.get("/bodies/ulasim"))
    assert "3 members" in page
    assert "Gönüllü 0" in page and "Gönüllü 2" in page and "Gönüllü 1" not in page
    assert "Sign in to join as a volunteer" in page
    resident_page = html(login(ids["resident"]).get("/bodies/ulasim"))
    assert "Join as a volunteer" in resident_page
    assert "Applications and members" not in resident_page
    staff_page = html(login(ids["moderator"]).get("/bodies/ulasim"))
    assert "Applications and members (0 open applications)" in staff_page


def test_a_closed_body_says_so_and_refuses(app, council, login):
    ids = setup_people(app)
    with app.app_context():
        get_body("ulasim").accepts_volunteers = False
        db.session.commit()
    web = login(ids["resident"])
    assert "closed to applications" in html(web.get("/bodies/ulasim"))
    assert "closed to applications" in html(web.get("/bodies/ulasim/join"))
    assert web.post("/bodies/ulasim/join", data={"motivation": "x"}).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(BodyVolunteer)) is None


def test_a_too_long_motivation_gives_the_form_back(app, council, login):
    ids = setup_people(app)
    response = login(ids["resident"]).post("/bodies/ulasim/join", data={"motivation": "a" * 1001})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in html(response) and "a" * 1001 in html(response)


def test_apply_decide_and_the_notifications(app, council, login, outbox):
    ids = setup_people(app)
    with app.app_context():
        for key in ("chair", "resident"):
            db.session.get(User, ids[key]).email_frequency = "immediate"
        db.session.commit()
    applicant = login(ids["resident"])
    response = applicant.post("/bodies/ulasim/join", data={"motivation": "Bisiklet yolları"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/me/volunteering")
    assert "Applied" in html(applicant.get("/me/volunteering"))

    chair = login(ids["chair"])
    assert "Someone applied to join" in html(chair.get("/me/notifications"))
    with app.app_context():
        note = db.session.scalar(
            select(Notification).where(
                Notification.kind == "volunteer_applied", Notification.user_id == ids["chair"]
            )
        )
        row_id = db.session.scalar(select(BodyVolunteer.id))
    opened = chair.get(f"/me/notifications/{note.id}")
    assert opened.headers["Location"].endswith("/bodies/ulasim/volunteers")
    assert any("applied to join" in text_of(m) for m in outbox)

    decide = f"/volunteers/{row_id}/decide"
    refused = chair.post(decide, data={"decision": "decline", "reason": " "})
    assert refused.status_code == 400
    assert f'id="reason-{row_id}-error"' in html(refused)
    bad = chair.post(f"/volunteers/{row_id}/decide", data={"decision": "maybe"})
    assert bad.status_code == 400
    declined = chair.post(
        f"/volunteers/{row_id}/decide", data={"decision": "decline", "reason": "Yer yok."}
    )
    assert declined.status_code == 302
    mine = html(applicant.get("/me/volunteering"))
    assert "Yer yok." in mine and "Apply again" in mine
    assert "was declined" in html(applicant.get("/me/notifications"))
    assert any("was declined" in text_of(m) for m in outbox)
    again = chair.post(f"/volunteers/{row_id}/decide", data={"decision": "accept"})
    assert again.status_code == 409  # decided already

    applicant.post("/bodies/ulasim/join", data={"motivation": "Tekrar"})
    assert chair.post(decide, data={"decision": "accept"}).status_code == 302
    with app.app_context():
        assert db.session.get(BodyVolunteer, row_id).status == VolunteerStatus.ACCEPTED
    mine = html(applicant.get("/me/volunteering"))
    assert "Leave the group" in mine and "Show my name" in mine
    applicant.post("/bodies/ulasim/listing", data={"listed": "yes"})
    assert "Ayşe Yılmaz" in html(applicant.get("/bodies/ulasim"))
    applicant.post("/bodies/ulasim/leave")
    assert "Ayşe Yılmaz" not in html(applicant.get("/bodies/ulasim"))


def test_listing_with_an_odd_value_is_a_bad_request(app, council, login):
    ids = setup_people(app)
    response = login(ids["resident"]).post("/bodies/ulasim/listing", data={"listed": "x"})
    assert response.status_code == 400


def test_unknown_body_and_application_are_not_found(app, council, login):
    ids = setup_people(app)
    web = login(ids["admin"])
    assert web.get("/bodies/yok/join").status_code == 404
    assert web.get("/bodies/yok/volunteers").status_code == 404
    assert web.post("/volunteers/999999/decide", data={"decision": "accept"}).status_code == 404


def test_the_daily_digest_tells_of_applications(app, council, outbox):
    from katilim.notifications.services import send_digests

    with app.app_context():
        c = cast()
        c["moderator"].email_frequency = "daily"
        services.apply(c["resident"], c["body"], "")
        assert send_digests(get_council()) == 1
        db.session.commit()
    [message] = [m for m in outbox if m["To"] == c_email(app, "Moderatör Hanım")]
    text = text_of(message)
    assert "Someone applied to join" in text and "/bodies/ulasim/volunteers" in text


def c_email(app, name: str) -> str:
    with app.app_context():
        return db.session.scalar(select(User.email).where(User.display_name == name))
