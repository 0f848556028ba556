"""The volunteer rules: apply, accept or decline (with a reason), leave, apply again, the
closed body, notifications, the audit log, and the consent to be named."""

import pytest
from sqlalchemy import select

from katilim.audit.models import AuditLog
from katilim.core.errors import InvalidTransition, PermissionDenied
from katilim.extensions import db
from katilim.notifications.models import Notification
from katilim.privacy import consent_changes, consents
from katilim.privacy.models import Consent, ConsentPurpose
from katilim.volunteers import queries, services
from katilim.volunteers.models import VolunteerStatus
from katilim.volunteers.services import VolunteerRefused
from tests.factories import get_body
from tests.volunteers.helpers import cast

pytestmark = pytest.mark.usefixtures("council", "ctx")
LISTING = ConsentPurpose.VOLUNTEER_LISTING


def notifications(kind: str) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.kind == kind)))


def test_apply_accept_listed_shown():
    c = cast()
    row = services.apply(c["resident"], c["body"], "  Bisiklet yollarında yardım ederim.  ")
    assert row.status == VolunteerStatus.APPLIED
    assert row.motivation == "Bisiklet yollarında yardım ederim."
    told = {n.user_id for n in notifications("volunteer_applied")}
    assert told == {c["chair"].id, c["moderator"].id}
    assert all(n.body_id == c["body"].id for n in notifications("volunteer_applied"))
    assert queries.member_count(c["body"]) == 0

    services.decide(c["moderator"], row, True)
    assert row.status == VolunteerStatus.ACCEPTED
    assert row.decided_by_id == c["moderator"].id and row.decided_at is not None
    assert [n.user_id for n in notifications("volunteer_accepted")] == [c["resident"].id]
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "volunteer.accept"))
    assert entry.actor_id == c["moderator"].id and entry.details["body"] == "ulasim"
    assert queries.member_count(c["body"]) == 1
    assert queries.listed_names(c["body"]) == []  # counted, not named

    services.set_listed(c["resident"], c["body"], True)
    assert queries.listed_names(c["body"]) == ["Ayşe Yılmaz"]
    assert consents.active_consent(c["resident"], LISTING) is not None

    services.set_listed(c["resident"], c["body"], False)
    assert queries.listed_names(c["body"]) == []
    assert consents.active_consent(c["resident"], LISTING) is None
    history = db.session.scalars(select(Consent).where(Consent.user_id == c["resident"].id))
    assert [h.withdrawn_at is not None for h in history] == [True]  # the record stays


def test_decline_needs_a_reason_and_the_applicant_is_told():
    c = cast()
    row = services.apply(c["resident"], c["body"], "")
    with pytest.raises(VolunteerRefused):
        services.decide(c["chair"], row, False, "   ")
    assert row.status == VolunteerStatus.APPLIED
    services.decide(c["chair"], row, False, "Grup şu an dolu.")
    assert row.status == VolunteerStatus.DECLINED and row.decline_reason == "Grup şu an dolu."
    assert [n.user_id for n in notifications("volunteer_declined")] == [c["resident"].id]
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "volunteer.decline"))
    with pytest.raises(InvalidTransition):  # decided once
        services.decide(c["chair"], row, True)


def test_only_the_bodys_staff_and_admins_decide():
    c = cast()
    row = services.apply(c["resident"], c["body"], "")
    for who in ("other_moderator", "unverified"):
        with pytest.raises(PermissionDenied):
            services.decide(c[who], row, True)
    services.decide(c["admin"], row, True)
    assert row.status == VolunteerStatus.ACCEPTED


def test_a_moderator_does_not_accept_their_own_application():
    c = cast()
    row = services.apply(c["other_moderator"], c["body"], "")
    services.decide(c["chair"], row, True)  # someone else may
    other = services.apply(c["moderator"], c["other"], "")
    with pytest.raises(PermissionDenied):
        services.decide(c["moderator"], other, True)


def test_apply_refusals():
    c = cast()
    with pytest.raises(PermissionDenied):
        services.apply(c["unverified"], c["body"], "")
    services.apply(c["resident"], c["body"], "")
    with pytest.raises(InvalidTransition):  # once is enough
        services.apply(c["resident"], c["body"], "")
    with pytest.raises(VolunteerRefused):
        services.apply(c["admin"], c["body"], "x" * 1001)
    c["other"].accepts_volunteers = False
    with pytest.raises(PermissionDenied):
        services.apply(c["resident"], c["other"], "")


def test_leave_and_apply_again_reopens_the_same_row():
    c = cast()
    row = services.apply(c["resident"], c["body"], "ilk")
    services.decide(c["chair"], row, True)
    services.set_listed(c["resident"], c["body"], True)
    services.leave(c["resident"], c["body"])
    assert row.status == VolunteerStatus.LEFT and row.left_at is not None
    assert not row.is_listed
    assert consents.active_consent(c["resident"], LISTING) is None
    assert queries.member_count(c["body"]) == 0
    with pytest.raises(InvalidTransition):
        services.leave(c["resident"], c["body"])

    again = services.apply(c["resident"], c["body"], "ikinci")
    assert again.id == row.id
    assert again.status == VolunteerStatus.APPLIED and again.motivation == "ikinci"
    assert again.left_at is None and again.decided_by_id is None

    services.decide(c["chair"], again, False, "Sonra")
    third = services.apply(c["resident"], c["body"], "üçüncü")
    assert third.id == row.id and third.decline_reason is None


def test_listing_only_for_members_and_consent_kept_while_named_elsewhere():
    c = cast()
    row = services.apply(c["resident"], c["body"], "")
    with pytest.raises(InvalidTransition):  # not a member yet
        services.set_listed(c["resident"], c["body"], True)
    services.decide(c["chair"], row, True)
    other = services.apply(c["resident"], c["other"], "")
    services.decide(c["admin"], other, True)
    services.set_listed(c["resident"], c["body"], True)
    services.set_listed(c["resident"], c["other"], True)
    services.set_listed(c["resident"], c["body"], False)
    assert consents.active_consent(c["resident"], LISTING) is not None  # still named there
    assert queries.listed_names(c["other"]) == ["Ayşe Yılmaz"]


def test_withdrawing_the_consent_on_the_consent_page_unlists_everywhere():
    c = cast()
    row = services.apply(c["resident"], c["body"], "")
    services.decide(c["chair"], row, True)
    services.set_listed(c["resident"], c["body"], True)
    consent_changes.change(c["resident"], LISTING, False)
    assert not row.is_listed
    assert queries.listed_names(c["body"]) == []
    assert consents.active_consent(c["resident"], LISTING) is None


def test_a_deactivated_members_name_is_not_shown():
    c = cast()
    row = services.apply(c["resident"], c["body"], "")
    services.decide(c["chair"], row, True)
    services.set_listed(c["resident"], c["body"], True)
    c["resident"].is_active_account = False
    db.session.flush()
    assert queries.listed_names(c["body"]) == []


def test_a_body_without_staff_tells_the_admins():
    c = cast()
    services.apply(c["resident"], get_body("saglik"), "")
    assert {n.user_id for n in notifications("volunteer_applied")} == {c["admin"].id}
