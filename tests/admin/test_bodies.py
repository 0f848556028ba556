"""Bodies: the list, creating and editing, validation beside the fields, slugs, keywords."""

import pytest
from sqlalchemy import select

from katilim.audit.models import AuditLog
from katilim.core.errors import PermissionDenied
from katilim.extensions import db
from katilim.organization import editing
from katilim.organization.models import Body, BodyKind, Council
from tests.admin.conftest import body_form
from tests.factories import get_body, get_council, make_body, make_user


def _entries(app, action: str | None = None) -> list[AuditLog]:
    with app.app_context():
        query = select(AuditLog).order_by(AuditLog.id)
        if action:
            query = query.where(AuditLog.action == action)
        entries = list(db.session.scalars(query))
        db.session.expunge_all()
        return entries


def test_the_list_shows_each_body_with_its_figures(world, login):
    page = login(world.admin_id).get("/admin/bodies").get_data(as_text=True)
    row = page[page.index("/admin/bodies/test-group/edit") :].split("</tr>")[0]
    assert "Working group" in row
    assert "<code>test-group</code>" in row
    assert ">50<" in row and ">30<" in row  # threshold, deadline
    assert ">2</a>" in row  # the moderator and the member
    assert 'scope="col"' in page and 'scope="row"' in page


def test_an_admin_creates_a_body(app, world, login):
    client = login(world.admin_id)
    response = client.post("/admin/bodies/new", data=body_form(), follow_redirects=True)
    assert "Transport Working Group is created." in response.get_data(as_text=True)
    with app.app_context():
        body = get_body("ulasim-yeni")
        assert body.names == {"tr": "Ulaşım Çalışma Grubu", "en": "Transport Working Group"}
        assert body.descriptions["en"] == "Public transport, roads and cycling."
        assert body.kind == BodyKind.WORKING_GROUP
        assert body.keywords == ["otobüs", "tramvay", "=iş"]
        assert (body.support_threshold, body.response_days, body.is_active) == (75, 45, True)
        last = db.session.scalar(select(Body.position).where(Body.slug == "test-group"))
        assert body.position > last  # added at the end of the list
        body_id = body.id
    [entry] = _entries(app, "body.create")
    assert (entry.actor_id, entry.target_type, entry.target_id) == (world.admin_id, "body", body_id)
    assert entry.details["slug"] == "ulasim-yeni"
    assert entry.details["keywords"] == ["otobüs", "tramvay", "=iş"]
    assert entry.ip_address == "127.0.0.1"


def test_errors_are_shown_beside_the_fields_and_typed_values_are_kept(app, world, login):
    data = body_form(
        name_tr="",
        slug="Kötü Slug!",
        support_threshold="0",
        response_days="400",
        description_en="Kept as typed",
    )
    response = login(world.admin_id).post("/admin/bodies/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Please correct the marked fields" in page
    for field in ("name_tr", "slug", "support_threshold", "response_days"):
        assert f'id="{field}-error"' in page, field
        assert f'aria-describedby="{field}-hint {field}-error"' in page or (
            f'aria-describedby="{field}-error"' in page
        ), field
    assert "This field is required." in page
    assert "Use lower-case letters a–z, digits and hyphens only" in page
    assert "Enter a whole number from 1 to 100000." in page
    assert "Enter a whole number from 1 to 365." in page
    assert 'value="Kötü Slug!"' in page
    assert 'value="0"' in page and 'value="400"' in page
    assert "Kept as typed</textarea>" in page
    assert "otobüs, tramvay\n=iş</textarea>" in page
    assert "novalidate" in page
    assert _entries(app) == []


def test_a_number_that_is_not_a_number_is_an_error_not_a_crash(world, login):
    response = login(world.admin_id).post(
        "/admin/bodies/new", data=body_form(support_threshold="çok", response_days="")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="support_threshold-error"' in page and 'value="çok"' in page
    assert 'id="response_days-error"' in page


def test_a_slug_is_unique_within_the_council(app, world, login):
    response = login(world.admin_id).post(
        "/admin/bodies/new", data=body_form(slug="test-group", name_tr="İkinci")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="slug-error"' in page
    assert "This short name is already used" in page
    with app.app_context():
        assert len(db.session.scalars(select(Body).where(Body.slug == "test-group")).all()) == 1
    assert _entries(app) == []


def test_another_council_may_use_the_same_slug(ctx):
    kocaeli = get_council()
    make_body("ortak")
    other = Council(slug="golcuk", names={"tr": "Gölcük Kent Konseyi"})
    db.session.add(other)
    db.session.flush()
    data = editing.BodyData(kind=BodyKind.ASSEMBLY, names={"tr": "Ortak"}, descriptions={})
    body = editing.create_body(None, other, "ortak", data, via="cli")
    assert body.council_id == other.id != kocaeli.id
    with pytest.raises(editing.SlugTaken):
        editing.create_body(None, kocaeli, "ortak", data)
    with pytest.raises(editing.InvalidSlug):
        editing.create_body(None, kocaeli, "Ortak", data)


def test_only_admins_may_use_the_services(ctx):
    data = editing.BodyData(kind=BodyKind.ASSEMBLY, names={"tr": "X"}, descriptions={})
    with pytest.raises(PermissionDenied):
        editing.create_body(make_user(), get_council(), "x-y", data)
    with pytest.raises(PermissionDenied):
        editing.update_body(make_user(), make_body(), data)


def test_the_edit_form_shows_the_body_and_explains_load_council(world, login):
    page = login(world.admin_id).get("/admin/bodies/test-group/edit").get_data(as_text=True)
    assert 'value="Grup' in page  # the Turkish name from the factory
    assert 'name="slug"' not in page  # fixed once created
    assert "flask load-council overwrites" in page
    assert 'href="/admin/audit?target_type=body&amp;target_id=' in page


def test_an_admin_edits_a_body_and_the_log_says_what_changed(app, world, login):
    with app.app_context():
        body = get_body("test-group")
        body.names = {**body.names, "ar": "مجموعة"}  # a language the form does not edit
        old_en = body.names["en"]
        db.session.commit()
    data = body_form(
        slug="ignored",
        name_tr=None,
        support_threshold="120",
        response_days="30",
        is_active=None,  # unticked
        keywords="rampa\n=iş\nasansör, rampa",
        description_en="",
    )
    with app.app_context():
        data["name_tr"] = get_body("test-group").names["tr"]
        data["description_tr"] = get_body("test-group").descriptions["tr"]
        data["kind"] = "working_group"
    response = login(world.admin_id).post(
        "/admin/bodies/test-group/edit", data=data, follow_redirects=True
    )
    assert "are saved" in response.get_data(as_text=True)
    with app.app_context():
        body = get_body("test-group")
        assert body.slug == "test-group"
        assert body.support_threshold == 120
        assert body.is_active is False
        assert body.keywords == ["rampa", "=iş", "asansör"]
        assert body.names["ar"] == "مجموعة"  # kept
        assert body.names["en"] == "Transport Working Group"
        assert "en" not in body.descriptions  # emptied: the page falls back to Turkish
    [entry] = _entries(app, "body.update")
    changes = entry.details["changes"]
    assert changes["support_threshold"] == [50, 120]
    assert changes["is_active"] == [True, False]
    assert changes["name_en"] == [old_en, "Transport Working Group"]
    assert changes["description_en"] == ["Description", None]
    assert changes["keywords"] == [[], ["rampa", "=iş", "asansör"]]
    assert not {"name_tr", "description_tr", "response_days", "kind"} & changes.keys()
    assert entry.details["slug"] == "test-group"


def test_saving_without_changes_writes_nothing(app, world, login):
    client = login(world.admin_id)
    page = client.get("/admin/bodies/test-group/edit").get_data(as_text=True)
    with app.app_context():
        body = get_body("test-group")
        data = {
            "name_tr": body.names["tr"],
            "name_en": body.names["en"],
            "description_tr": body.descriptions["tr"],
            "description_en": body.descriptions["en"],
            "kind": body.kind.value,
            "keywords": "",
            "support_threshold": "50",
            "response_days": "30",
            "is_active": "y",
        }
    assert 'name="is_active"' in page
    response = client.post("/admin/bodies/test-group/edit", data=data, follow_redirects=True)
    assert "Nothing was changed." in response.get_data(as_text=True)
    assert _entries(app) == []


def test_an_unknown_body_is_404(world, login):
    client = login(world.admin_id)
    assert client.get("/admin/bodies/nope/edit").status_code == 404
    assert client.get("/admin/bodies/a%00b/members").status_code == 404
    assert client.get("/admin/bodies/" + "x" * 300 + "/edit").status_code == 404


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("otobüs, tramvay", ["otobüs", "tramvay"]),
        ("otobüs\ntramvay\n", ["otobüs", "tramvay"]),
        ("=iş\nişaret", ["=iş", "işaret"]),
        ("= iş , =iş", ["=iş"]),
        ("iş, =iş", ["iş", "=iş"]),  # a prefix and a whole word are different keywords
        ("  toplu    taşıma  ", ["toplu taşıma"]),
        ("Çevre\ncevre, ÇEVRE", ["Çevre"]),  # the router folds them to one
        (",,\n\n ,=, -", []),
        ("", []),
        (None, []),
    ],
)
def test_keywords_are_parsed_from_lines_or_commas(text, expected):
    assert editing.parse_keywords(text) == expected


def test_whole_word_keywords_still_route_as_whole_words(ctx):
    from katilim.proposals.routing import suggest_bodies

    body = make_body(keywords=editing.parse_keywords("=iş"))
    assert suggest_bodies([body], "İş arıyorum", "")  # matches iş
    assert not suggest_bodies([body], "İşaret dili", "")  # but not işaret


def test_a_keyword_that_is_too_long_is_refused(world, login):
    response = login(world.admin_id).post(
        "/admin/bodies/new", data=body_form(keywords="kısa\n" + "uzun" * 20)
    )
    page = response.get_data(as_text=True)
    assert 'id="keywords-error"' in page
    assert "at most 60 characters" in page


def test_a_slug_taken_at_the_same_moment_meets_the_constraint(ctx, monkeypatch):
    """Two admins choosing one slug at once: the check passes for both, the unique
    constraint stops the second, and the session stays usable."""
    council = get_council()
    make_body("ayni")
    monkeypatch.setattr(editing, "_check_slug", lambda *args: None)
    data = editing.BodyData(kind=BodyKind.ASSEMBLY, names={"tr": "Aynı"}, descriptions={})
    with pytest.raises(editing.SlugTaken):
        editing.create_body(None, council, "ayni", data)
    assert get_body("ayni").names["tr"] != "Aynı"
    assert editing.create_body(None, council, "baska", data).id


@pytest.mark.parametrize(
    ("url", "data"),
    [
        (
            "/admin/bodies/new",
            body_form(slug="a\x00b", name_tr="x\x00y", support_threshold="9" * 30),
        ),
        ("/admin/bodies/new", body_form(kind="parliament", response_days="-5")),
        ("/admin/bodies/test-group/members", {"email": "a\x00@example.org", "role": "king"}),
        ("/admin/districts/new", {"slug": "x" * 500, "population": "1e9", "name_tr": "\x00"}),
        ("/admin/users/1/role", {"role": "\x00", "next": "//evil.example"}),
    ],
)
def test_no_input_makes_a_server_error(world, login, url, data):
    assert login(world.admin_id).post(url, data=data).status_code < 500


@pytest.mark.parametrize(
    "query",
    [
        "/admin/audit?actor=%00&action=%00&target_id=99999999999&date_from=2026-02-30",
        "/admin/audit?page=-1&date_to=9999-12-31",
        "/admin/users?q=%00%25&page=999999999999",
    ],
)
def test_no_query_string_makes_a_server_error(world, login, query):
    assert login(world.admin_id).get(query).status_code == 200


# Numbers that Python's int() reads or that overflow WTForms' NumberRange: each one is an error
# beside its field (katilim.core.forms.BoundedIntegerField), never a 500 or a value saved.
ODD_NUMBERS = ["9" * 400, "²", "①", "٣٠", "３０", "1_000", "+30", " ", "0x1f"]


@pytest.mark.parametrize("value", ODD_NUMBERS)
@pytest.mark.parametrize("field", ["support_threshold", "response_days"])
def test_a_number_field_refuses_odd_numbers_beside_the_field(app, world, login, field, value):
    response = login(world.admin_id).post("/admin/bodies/new", data=body_form(**{field: value}))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert "Enter a whole number from 1 to" in page
    with app.app_context():
        assert get_body("ulasim-yeni") is None
