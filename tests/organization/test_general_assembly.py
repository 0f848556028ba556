"""The general assembly (genel kurul) is loaded from the council's data file as a body of its
own kind: shown first, closed to volunteers, and meeting and deciding like any body."""

from pathlib import Path

from sqlalchemy import select

from katilim.extensions import db
from katilim.organization.models import Body, BodyKind
from katilim.organization.services import load_council
from tests.factories import make_user

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
