"""The body form edits the name and description in all four languages
(docs/architecture.md#languages)."""

import re

import pytest

from katilim.extensions import db
from katilim.organization.models import Body
from tests.admin.conftest import body_form

ARABIC = {"name_ar": "فريق عمل النقل", "description_ar": "النقل العام والطرق والدراجات."}
KURMANJI = {"name_ku": "Koma Xebatê ya Veguhastinê", "description_ku": "Veguhastina giştî û rê."}


def stored(app, slug: str) -> tuple[dict, dict]:
    with app.app_context():
        body = db.session.query(Body).filter_by(slug=slug).one()
        return body.names, body.descriptions


def test_an_admin_creates_a_body_in_four_languages(world, login, app):
    response = login(world.admin_id).post("/admin/bodies/new", data=body_form(**ARABIC, **KURMANJI))
    assert response.status_code == 302
    names, descriptions = stored(app, "ulasim-yeni")
    assert names == {
        "tr": "Ulaşım Çalışma Grubu",
        "en": "Transport Working Group",
        "ar": "فريق عمل النقل",
        "ku": "Koma Xebatê ya Veguhastinê",
    }
    assert descriptions["ar"] == "النقل العام والطرق والدراجات."
    assert descriptions["ku"] == "Veguhastina giştî û rê."


def test_the_edit_form_shows_each_language_marked_with_its_lang_and_dir(world, login, app):
    with app.app_context():
        body = db.session.get(Body, world.body_id)
        body.names = {**body.names, "ar": "فريق الاختبار", "ku": "Koma Ceribandinê"}
        db.session.commit()
    page = login(world.admin_id).get(f"/admin/bodies/{world.body_slug}/edit").get_data(as_text=True)
    arabic = re.search(r'<input[^>]*id="name_ar"[^>]*>', page)[0]
    kurmanji = re.search(r'<input[^>]*id="name_ku"[^>]*>', page)[0]
    assert 'dir="rtl"' in arabic and 'lang="ar"' in arabic and 'value="فريق الاختبار"' in arabic
    assert 'lang="ku"' in kurmanji and 'value="Koma Ceribandinê"' in kurmanji
    assert "Description in Kurmanji Kurdish" in page


def test_emptying_a_language_removes_it_and_a_form_without_it_keeps_it(world, login, app):
    client = login(world.admin_id)
    url = f"/admin/bodies/{world.body_slug}/edit"
    client.post(url, data=body_form(slug=None, **ARABIC, **KURMANJI))
    client.post(url, data=body_form(slug=None, name_ku="", description_ku=""))  # no ar fields
    names, descriptions = stored(app, world.body_slug)
    assert names["ar"] == "فريق عمل النقل" and "ku" not in names
    assert descriptions["ar"] == "النقل العام والطرق والدراجات." and "ku" not in descriptions


def test_a_too_long_arabic_name_is_an_error_beside_the_field(world, login):
    response = login(world.admin_id).post("/admin/bodies/new", data=body_form(name_ar="م" * 151))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="name_ar-error"' in page


@pytest.mark.parametrize("locale, arrow", [("ar", "←"), ("tr", "→")])
def test_the_audit_log_points_from_old_to_new_in_the_reading_direction(world, login, locale, arrow):
    client = login(world.admin_id)
    client.post(f"/admin/bodies/{world.body_slug}/edit", data=body_form(slug=None, **ARABIC))
    page = client.get("/admin/audit", headers={"Accept-Language": locale}).get_data(as_text=True)
    assert f"— {arrow} فريق عمل النقل" in page
