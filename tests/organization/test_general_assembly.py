"""The general assembly (genel kurul) is loaded from the council's data file as a body of its
own kind: shown first, closed to volunteers, and meeting and deciding like any body."""

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from katilim.core.models import utcnow
from katilim.extensions import db
from katilim.meetings.decisions import ItemDecision, record_meeting
from katilim.meetings.queries import agenda_candidates
from katilim.organization.models import Body, BodyKind, Membership, MembershipRole
from katilim.organization.services import load_council
from katilim.proposals.models import ProposalStatus
from tests.factories import get_body, make_proposal, make_user
from tests.meetings.helpers import scheduled

MINIMAL = """
council:
  slug: ornek
  name_tr: Örnek Kent Konseyi
general_assembly:
  slug: genel-kurul
  name_tr: Genel Kurul
  open_to_volunteers: false
assemblies:
  - slug: kadin-meclisi
    name_tr: Kadın Meclisi
working_groups:
  - slug: ulasim
    name_tr: Ulaşım
    open_to_volunteers: true
"""


def test_the_data_file_loads_the_general_assembly_first_and_closed_to_volunteers(
    ctx, tmp_path: Path
):
    path = tmp_path / "ornek.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    load_council(path)
    bodies = list(db.session.scalars(select(Body).join(Body.council).order_by(Body.position)))
    bodies = [b for b in bodies if b.council.slug == "ornek"]
    assert [(b.slug, b.kind) for b in bodies] == [
        ("genel-kurul", BodyKind.GENERAL_ASSEMBLY),
        ("kadin-meclisi", BodyKind.ASSEMBLY),
        ("ulasim", BodyKind.WORKING_GROUP),
    ]
    assert [b.accepts_volunteers for b in bodies] == [False, True, True]
    # Loading again updates in place.
    load_council(path)
    assert db.session.scalar(select(Body).where(Body.slug == "genel-kurul")).kind == (
        BodyKind.GENERAL_ASSEMBLY
    )


def test_kocaelis_general_assembly_heads_the_bodies_page(client, council):
    html = client.get("/bodies", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert html.index("General Assembly") < html.index('<h2 id="group-1">')
    assert 'href="/bodies/genel-kurul"' in html
    page = client.get("/bodies/genel-kurul", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "General Assembly" in page.get_data(as_text=True)


def test_residents_send_proposals_to_assemblies_and_groups_not_the_general_assembly(
    app, council, login
):
    with app.app_context():
        resident = make_user()
        db.session.commit()
        resident_id = resident.id
    html = login(resident_id).get("/proposals/new").get_data(as_text=True)
    assert 'value="ulasim"' in html and 'value="genel-kurul"' not in html


def test_the_general_assembly_takes_its_agenda_from_every_body(app, council, login):

    with app.app_context():
        general = get_body("genel-kurul")
        chair = make_user("Genel Kurul Başkanı")
        db.session.add(Membership(user_id=chair.id, body_id=general.id, role=MembershipRole.CHAIR))
        transport = make_proposal(body=get_body("ulasim"), title="Tramvay gece de çalışsın")
        transport.status = ProposalStatus.ACCEPTED  # the working group accepted it
        db.session.flush()
        assert transport.id in {p.id for p in agenda_candidates(general)}
        assert transport.id not in {p.id for p in agenda_candidates(get_body("cevre-iklim"))}
        meeting = scheduled(chair, general, proposal_ids=[transport.id])

        meeting.starts_at = utcnow() - timedelta(hours=1)
        item = meeting.agenda_items[0]
        record_meeting(
            chair,
            meeting,
            minutes="Genel kurul toplandı.",
            attendance=120,
            decisions=[
                ItemDecision(item.id, "Belediye meclisine iletilmesine karar verildi.", "forward")
            ],
        )
        # The general assembly's chair forwards another body's proposal with its decision.
        assert transport.status == ProposalStatus.FORWARDED
        assert transport.forwarded_on is not None
