"""A volunteer's rows in the person's export, gone with the account; the consent to be named
in the export's consent history."""

import json

import pytest
from sqlalchemy import select

from katilim.auth.models import User
from katilim.extensions import db
from katilim.privacy import deletion, export
from katilim.volunteers import services
from katilim.volunteers.models import BodyVolunteer, VolunteerStatus
from tests.factories import get_body
from tests.volunteers.helpers import cast


@pytest.fixture
def people(app, council):
    with app.app_context():
        c = cast()
        accepted = services.apply(c["resident"], c["body"], "Ulaşımda yardım")
        services.decide(c["chair"], accepted, True)
        services.set_listed(c["resident"], c["body"], True)
        declined = services.apply(c["resident"], c["other"], "Çevre için")
        services.decide(c["admin"], declined, False, "Şimdilik dolu.")
        # Someone else's membership, which the resident's export and deletion leave alone.
        chairs = services.apply(c["chair"], get_body("saglik"), "")
        services.decide(c["admin"], chairs, True)
        db.session.commit()
        return {k: v.id for k, v in c.items() if hasattr(v, "email")}


def test_export_holds_the_persons_volunteering(app, people, login):
    response = login(people["resident"]).get("/me/data")
    data = json.loads(response.get_data(as_text=True))
    rows = {row["body"]: row for row in data["volunteering"]}
    assert rows["ulasim"]["status"] == "accepted"
    assert rows["ulasim"]["motivation"] == "Ulaşımda yardım"
    assert rows["ulasim"]["named_on_the_body_page"] is True
    assert rows["cevre-iklim"]["decline_reason"] == "Şimdilik dolu."
    assert "saglik" not in rows  # someone else's
    assert "body_volunteers" not in data["other_records"]  # not twice
    purposes = [c["purpose"] for c in data["consents"]]
    assert "volunteer_listing" in purposes
    assert "decided_by" not in json.dumps(data["volunteering"])


def test_deleting_the_account_removes_its_volunteering(app, people):
    with app.app_context():
        deletion.delete_account(db.session.get(User, people["resident"]))
        db.session.commit()
        left = db.session.execute(select(BodyVolunteer.user_id, BodyVolunteer.status)).all()
        assert left == [(people["chair"], VolunteerStatus.ACCEPTED)]


def test_deleting_a_chair_keeps_the_members_without_the_deciders_name(app, people):
    with app.app_context():
        deletion.delete_account(db.session.get(User, people["chair"]))
        db.session.commit()
        row = db.session.scalar(
            select(BodyVolunteer).where(
                BodyVolunteer.user_id == people["resident"],
                BodyVolunteer.status == VolunteerStatus.ACCEPTED,
            )
        )
        assert row is not None and row.decided_by_id is None
        assert export.personal_data(db.session.get(User, people["resident"]))["volunteering"]
