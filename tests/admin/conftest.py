"""A small world for the admin tests: one of each kind of actor, a body, a district."""

from types import SimpleNamespace

import pytest

from katilim.auth.models import SiteRole
from katilim.extensions import db
from katilim.organization.models import Membership, MembershipRole
from tests.factories import make_body, make_district, make_user


@pytest.fixture
def world(app):
    """Ids and slugs only: the rows are committed and the app context is closed again, so
    that the test client never runs inside a context the test pushed."""
    with app.app_context():
        body = make_body("test-group", support_threshold=50, response_days=30)
        other_body = make_body("other-group")
        district = make_district("izmit", "İzmit", 367990)
        admin = make_user("Admin Ayten", email="admin@example.org", role=SiteRole.ADMIN)
        resident = make_user("Resident Rıza", email="resident@example.org")
        facilitator = make_user(
            "Facilitator Fatma", email="facilitator@example.org", role=SiteRole.FACILITATOR
        )
        moderator = make_user("Moderator Murat", email="moderator@example.org", moderates=body)
        member = make_user("Member Melek", email="member@example.org")
        membership = Membership(user_id=member.id, body_id=body.id, role=MembershipRole.MODERATOR)
        db.session.add(membership)
        db.session.flush()
        candidate = make_user("Candidate Can", email="candidate@example.org")
        unverified = make_user("Unverified Ufuk", email="unverified@example.org", verified=False)
        db.session.commit()
        ns = SimpleNamespace(
            body_id=body.id,
            body_slug=body.slug,
            other_body_id=other_body.id,
            other_body_slug=other_body.slug,
            district_id=district.id,
            district_slug=district.slug,
            admin_id=admin.id,
            resident_id=resident.id,
            facilitator_id=facilitator.id,
            moderator_id=moderator.id,
            member_id=member.id,
            membership_id=membership.id,
            candidate_id=candidate.id,
            unverified_id=unverified.id,
        )
        db.session.remove()
    return ns


def body_form(**overrides) -> dict:
    """A valid body form; override fields to make it invalid."""
    data = {
        "name_tr": "Ulaşım Çalışma Grubu",
        "name_en": "Transport Working Group",
        "description_tr": "Toplu taşıma, yollar ve bisiklet.",
        "description_en": "Public transport, roads and cycling.",
        "kind": "working_group",
        "slug": "ulasim-yeni",
        "keywords": "otobüs, tramvay\n=iş",
        "support_threshold": "75",
        "response_days": "45",
        "is_active": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def district_form(**overrides) -> dict:
    data = {
        "slug": "yeni-ilce",
        "name_tr": "Yeniköy",
        "name_en": "",
        "population": "12000",
        "population_year": "2024",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
