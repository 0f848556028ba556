"""Recording a meeting's minutes and decisions through the page: who may, what it writes on
the proposals, and what bad input gets."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from katilim.audit.models import AuditLog
from katilim.core.models import utcnow
from katilim.extensions import db
from katilim.meetings.models import Meeting, MeetingStatus
from katilim.proposals.models import EventKind, Proposal, ProposalEvent, ProposalStatus
from tests.factories import make_proposal
from tests.meetings import test_permissions as matrix
from tests.meetings.helpers import scheduled
from tests.meetings.test_permissions import ACTORS, STAFF, World, client_for, expect

S = ProposalStatus
world = matrix.world  # the permission matrix's people and body


@pytest.fixture
def held(app, world: World) -> dict:
    """The world's body with a meeting that started an hour ago, two proposals on its
    agenda and a free-text item."""
    with app.app_context():
        meeting = db.session.get(Meeting, world.meeting)
        body = meeting.body
        first = make_proposal(body=body, title="Durağa gölgelik yapılsın")
        second = make_proposal(body=body, title="Gece seferi eklensin")
        past = scheduled(
            meeting.created_by,
            body,
            days=1,
            proposal_ids=[first.id, second.id],
            free_items=["Bütçe"],
        )
        past.starts_at = utcnow() - timedelta(hours=1)  # scheduled ahead, now under way
        db.session.commit()
        items = {i.proposal_id: i.id for i in past.agenda_items}
        return {
            "meeting": past.id,
            "first": first.id,
            "second": second.id,
            "first_item": items[first.id],
            "second_item": items[second.id],
            "free_item": items[None],
        }


def events(proposal_id: int, kind: EventKind) -> list[ProposalEvent]:
    return list(
        db.session.scalars(
            select(ProposalEvent).where(
                ProposalEvent.proposal_id == proposal_id, ProposalEvent.kind == kind
            )
        )
    )


@pytest.mark.parametrize("actor", ACTORS)
def test_who_may_record(app, client, login, world, held, actor):
    browser = client_for(client, login, world, actor)
    url = f"/meetings/{held['meeting']}/record"
    allowed = actor in STAFF
    expect(browser.get(url), allowed, actor, ok=(200,))
    response = browser.post(
        url,
        data={
            "minutes": "Toplantı yapıldı.",
            "attendance": "9",
            f"decision_{held['first_item']}": "Belediyeye yazı yazılacak.",
        },
    )
    expect(response, allowed, actor, ok=(302,))
    with app.app_context():
        meeting = db.session.get(Meeting, held["meeting"])
        assert (meeting.status == MeetingStatus.HELD) == allowed
        assert bool(events(held["first"], EventKind.DISCUSSED)) == allowed


def test_the_chair_records_and_applies_and_the_public_sees_it(app, client, login, world, held):
    chair = login(world.users["chair"])
    page = chair.get(f"/meetings/{held['meeting']}/record").get_data(as_text=True)
    assert f'name="apply_{held["first_item"]}"' in page
    response = chair.post(
        f"/meetings/{held['meeting']}/record",
        data={
            "minutes": "## Görüşmeler\n\nİki öneri görüşüldü.",
            "attendance": "14",
            f"decision_{held['first_item']}": "Oy birliğiyle kabul edildi.",
            f"apply_{held['first_item']}": "accept",
            f"decision_{held['second_item']}": "Bir sonraki toplantıda yeniden ele alınacak.",
            f"decision_{held['free_item']}": "Bütçe onaylandı.",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Proposal, held["first"]).status == S.ACCEPTED
        assert db.session.get(Proposal, held["second"]).status == S.NEW
        assert len(events(held["second"], EventKind.DISCUSSED)) == 1
        assert db.session.scalar(select(AuditLog.action).where(AuditLog.action == "meeting.record"))
    public = client.get(f"/proposals/{held['first']}", headers={"Accept-Language": "en"})
    html = public.get_data(as_text=True)
    assert "Discussed at the meeting of" in html and "Oy birliğiyle kabul edildi." in html
    assert f'href="/meetings/{held["meeting"]}"' in html
    meeting_page = client.get(f"/meetings/{held['meeting']}").get_data(as_text=True)
    assert "<h3>Görüşmeler</h3>" in meeting_page and "Bütçe onaylandı." in meeting_page


def test_a_status_without_a_decision_comes_back_with_what_was_typed(app, login, world, held):
    response = login(world.users["chair"]).post(
        f"/meetings/{held['meeting']}/record",
        data={
            "minutes": "Tutanak metni burada.",
            f"apply_{held['first_item']}": "accept",
            f"decision_{held['second_item']}": "Ertelendi.",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Write the decision" in html
    assert "Tutanak metni burada." in html and "Ertelendi." in html
    with app.app_context():
        assert db.session.get(Proposal, held["first"]).status == S.NEW
        assert not events(held["second"], EventKind.DISCUSSED)  # nothing half-saved


@pytest.mark.parametrize(
    ("field", "value"),
    [("attendance", "-1"), ("attendance", "٣"), ("attendance", "9" * 40), ("apply_X", "close")],
)
def test_odd_values_get_the_form_back(app, login, world, held, field, value):
    field = field.replace("X", str(held["first_item"]))
    response = login(world.users["chair"]).post(
        f"/meetings/{held['meeting']}/record",
        data={field: value, f"decision_{held['first_item']}": "Karar."},
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Meeting, held["meeting"]).status == MeetingStatus.SCHEDULED


def test_a_meeting_to_come_or_cancelled_cannot_be_recorded(app, login, world):
    chair = login(world.users["chair"])
    assert chair.get(f"/meetings/{world.meeting}/record").status_code == 409  # in a week
    with app.app_context():
        meeting = db.session.get(Meeting, world.meeting)
        meeting.starts_at = utcnow() - timedelta(hours=2)
        meeting.status = MeetingStatus.CANCELLED
        db.session.commit()
    assert chair.get(f"/meetings/{world.meeting}/record").status_code == 409
