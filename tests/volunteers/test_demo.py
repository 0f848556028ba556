"""The demo has volunteers: named and unnamed members of ulasim, one open application, and
the general assembly closed to applications."""

from sqlalchemy import select

from katilim.extensions import db
from katilim.privacy.models import Consent, ConsentPurpose
from katilim.seed import seed_demo
from katilim.volunteers import queries
from katilim.volunteers.models import BodyVolunteer, VolunteerStatus
from tests.factories import get_body


def test_demo_volunteers(app, council, client):
    with app.app_context():
        seed_demo()
        ulasim = get_body("ulasim")
        assert queries.member_count(ulasim) == 4
        assert len(queries.listed_names(ulasim)) == 2
        assert queries.open_application_count(ulasim) == 1
        listed = set(
            db.session.scalars(select(BodyVolunteer.user_id).where(BodyVolunteer.is_listed))
        )
        consenting = set(
            db.session.scalars(
                select(Consent.user_id).where(
                    Consent.purpose == ConsentPurpose.VOLUNTEER_LISTING,
                    Consent.withdrawn_at.is_(None),
                )
            )
        )
        assert listed == consenting  # nobody named without consent
        assert all(
            row.decided_by is not None
            for row in db.session.scalars(
                select(BodyVolunteer).where(BodyVolunteer.status == VolunteerStatus.ACCEPTED)
            )
        )
        assert not get_body("genel-kurul").accepts_volunteers
    assert "closed to applications" in client.get("/bodies/genel-kurul").get_data(as_text=True)
    assert "4 members" in client.get("/bodies/ulasim").get_data(as_text=True)
