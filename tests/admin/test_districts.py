"""Districts: list, create, edit; Turkish spelling kept; the population needs its year."""

import pytest
from sqlalchemy import select

from katilim.audit.models import AuditLog
from katilim.extensions import db
from tests.admin.conftest import district_form
from tests.factories import get_district


def _entry(app, action):
    with app.app_context():
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == action))
        db.session.expunge_all()
        return entry


def test_the_list_shows_the_districts(world, login):
    page = login(world.admin_id).get("/admin/districts").get_data(as_text=True)
    assert "İzmit" in page and "<code>izmit</code>" in page and "367,990" in page


def test_an_admin_adds_a_district(app, world, login):
    response = login(world.admin_id).post(
        "/admin/districts/new", data=district_form(), follow_redirects=True
    )
    assert "Yeniköy is created." in response.get_data(as_text=True)
    with app.app_context():
        district = get_district("yeni-ilce")
        assert district.names == {"tr": "Yeniköy"}
        assert (district.population, district.population_year) == (12000, 2024)
        assert district.name == "Yeniköy"
    entry = _entry(app, "district.create")
    assert entry.actor_id == world.admin_id and entry.details["name_tr"] == "Yeniköy"


def test_a_district_slug_is_unique(app, world, login):
    page = (
        login(world.admin_id)
        .post("/admin/districts/new", data=district_form(slug="izmit"))
        .get_data(as_text=True)
    )
    assert 'id="slug-error"' in page and "already used" in page
    assert _entry(app, "district.create") is None


def test_a_population_needs_its_year(world, login):
    page = (
        login(world.admin_id)
        .post("/admin/districts/new", data=district_form(population_year="", name_tr="Kaldı"))
        .get_data(as_text=True)
    )
    assert 'id="population_year-error"' in page
    assert "Give the year of the population figure." in page
    assert 'value="Kaldı"' in page and 'value="12000"' in page


def test_an_admin_edits_a_district(app, world, login):
    data = district_form(slug=None, name_tr="İzmit", population="370000", population_year="2024")
    response = login(world.admin_id).post(
        "/admin/districts/izmit/edit", data=data, follow_redirects=True
    )
    assert "are saved" in response.get_data(as_text=True)
    with app.app_context():
        district = get_district("izmit")
        assert (district.population, district.population_year) == (370000, 2024)
        assert district.names == {"tr": "İzmit"}  # an empty English name falls back
    changes = _entry(app, "district.update").details["changes"]
    assert changes == {
        "population": [367990, 370000],
        "population_year": [None, 2024],
        "name_en": ["İzmit", None],
    }


def test_an_unknown_district_is_404(world, login):
    assert login(world.admin_id).get("/admin/districts/nope/edit").status_code == 404


@pytest.mark.parametrize("value", ["9" * 400, "²", "①", "١٢٠٠٠", "12_000", "-1", " 12 000"])
@pytest.mark.parametrize("field", ["population", "population_year"])
def test_a_number_field_refuses_odd_numbers_beside_the_field(app, world, login, field, value):
    response = login(world.admin_id).post(
        "/admin/districts/new", data=district_form(**{field: value})
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert "Enter a whole number from" in page
    assert _entry(app, "district.create") is None
