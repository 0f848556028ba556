"""The installation's operator adds councils from their data files and gives each its first
admin, at /operator (issue 13, item 2): for the operator only, at the installation's own
address only."""

import io

import pytest
from sqlalchemy import select

from katilim.audit.models import AuditLog
from katilim.auth.models import SiteRole, User
from katilim.extensions import db
from katilim.organization.models import Council
from katilim.seed import DISTRICT_FILE
from tests.factories import make_user

GOLCUK = "http://golcuk.localhost:5000"


@pytest.fixture
def people(app, council):
    with app.app_context():
        operator = make_user("İşletmeci Işıl", email="operator@example.org")
        operator.is_operator = True
        ids = {
            "operator": operator.id,
            "admin": make_user("Yönetici", role=SiteRole.ADMIN).id,
            "resident": make_user("Sakin").id,
        }
        db.session.commit()
    return ids


def _upload(client, data: bytes, name: str = "golcuk.yaml"):
    return client.post(
        "/operator/councils",
        data={"data_file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    "who, expected", [("anonymous", 302), ("resident", 403), ("admin", 403), ("operator", 200)]
)
def test_only_the_operator_sees_the_councils(app, client, login, people, who, expected):
    browser = client if who == "anonymous" else login(people[who])
    assert browser.get("/operator").status_code == expected
    posted = _upload(browser, DISTRICT_FILE.read_bytes())
    assert posted.status_code == (302 if who in ("anonymous", "operator") else 403)
    with app.app_context():
        loaded = db.session.scalar(select(Council).where(Council.slug == "golcuk")) is not None
    assert loaded == (who == "operator")


def test_the_operator_adds_a_council_from_its_data_file(app, login, people):
    operator = login(people["operator"])
    response = _upload(operator, DISTRICT_FILE.read_bytes())
    assert response.status_code == 302
    page = operator.get("/operator").get_data(as_text=True)
    assert "Gölcük Kent Konseyi is loaded." in page
    assert "http://golcuk.localhost:5000" in page and "(none yet)" in page
    with app.app_context():
        golcuk = db.session.scalar(select(Council).where(Council.slug == "golcuk"))
        assert golcuk.parent.slug == "kocaeli"
        assert db.session.scalar(select(AuditLog.action).where(AuditLog.action == "council.load"))
    # The council answers at its address at once.
    assert "Gölcük" in operator.get("/", base_url=GOLCUK).get_data(as_text=True)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"\xff\xfe not text", "The file is not UTF-8 text."),
        (b"council: [\n", "The file is not valid YAML"),
        (b"council:\n  name_tr: X\n", "slug must be 1-60 lower-case letters"),
        (b"council:\n  slug: Bad Slug\n", "lower-case letters, digits or dashes"),
        (b"just text", "the file has no `council:` section"),
        (b"council:\n  slug: x\n  site_url: ftp://x\n", "site_url must be a full address"),
        (b"council:\n  slug: x\n  parent: nowhere\n", "its parent &#39;nowhere&#39; is not loaded"),
        (b"council:\n  slug: x\nassemblies: [{name_tr: A}]\n", "A required key is missing"),
    ],
)
def test_a_wrong_file_is_refused_with_its_reason_and_loads_nothing(
    app, login, people, data, message
):
    response = _upload(login(people["operator"]), data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page, page[page.find("field-error") - 200 :][:1200]
    with app.app_context():
        assert db.session.scalar(select(Council.slug).where(Council.slug == "x")) is None


def test_a_file_too_large_for_any_form_gets_the_413_page(app, login, people):
    response = _upload(login(people["operator"]), b"# " + b"x" * (300 * 1024))
    assert response.status_code == 413 and "<html" in response.get_data(as_text=True)


def test_a_form_without_a_file_says_so(login, people):
    response = login(people["operator"]).post("/operator/councils", data={})
    assert response.status_code == 400 and "Choose a file." in response.get_data(as_text=True)


def test_the_operator_gives_a_council_its_first_admin(app, login, people, outbox):
    operator = login(people["operator"])
    _upload(operator, DISTRICT_FILE.read_bytes())
    response = operator.post(
        "/operator/admins",
        data={"council": "golcuk", "email": "Sekreter@Golcuk.example ", "name": "Sekreter"},
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "sekreter@golcuk.example"))
        assert user.site_role == SiteRole.ADMIN
        assert db.session.get(Council, user.council_id).slug == "golcuk"
        logged = set(
            db.session.scalars(
                select(AuditLog.council_id).where(AuditLog.action == "council.first_admin")
            )
        )
        assert len(logged) == 2  # in the operator's council's log and in the new council's
    [mail] = [m for m in outbox if m["To"] == "sekreter@golcuk.example"]
    assert "Gölcük Kent Konseyi" in mail["From"]
    link = next(line for line in mail.get_content().splitlines() if "/auth/reset/" in line)
    assert link.startswith(f"{GOLCUK}/auth/reset/")
    # The link opens the form to choose a password, at the council's address.
    path = link.removeprefix(GOLCUK)
    assert operator.get(path, base_url=GOLCUK).status_code == 200
    # At the installation's own address it opens nothing: the account is Gölcük's.
    assert operator.get(path).status_code != 200


def test_an_existing_account_of_the_council_becomes_its_admin(app, login, people, outbox):
    operator = login(people["operator"])
    _upload(operator, DISTRICT_FILE.read_bytes())
    with app.app_context():
        golcuk = db.session.scalar(select(Council).where(Council.slug == "golcuk"))
        existing = make_user("Var Olan", email="var@golcuk.example", council=golcuk).id
        db.session.commit()
    operator.post(
        "/operator/admins",
        data={"council": "golcuk", "email": "var@golcuk.example", "name": "Başka Ad"},
    )
    with app.app_context():
        user = db.session.get(User, existing)
        assert (user.site_role, user.display_name) == (SiteRole.ADMIN, "Var Olan")


@pytest.mark.parametrize(
    "form",
    [
        {"council": "nowhere", "email": "a@b.example", "name": "A"},
        {"council": "kocaeli", "email": "not an address", "name": "A"},
        {"council": "kocaeli", "email": "a@b.example", "name": ""},
    ],
)
def test_a_wrong_admin_form_keeps_what_was_typed(login, people, form):
    response = login(people["operator"]).post("/operator/admins", data=form)
    assert response.status_code == 400
    assert "field-error" in response.get_data(as_text=True)


def test_the_pages_are_not_at_another_council_s_address(app, client, people):
    with app.app_context():
        from katilim.organization.services import load_council

        load_council(DISTRICT_FILE)
        db.session.commit()
    assert client.get("/operator", base_url=GOLCUK).status_code == 404


def test_the_command_line_makes_and_unmakes_the_operator(app, people):
    runner = app.test_cli_runner()
    with app.app_context():
        result = runner.invoke(args=["set-operator", "operator@example.org", "--off"])
        assert result.exit_code == 0, result.output
        assert not db.session.get(User, people["operator"]).is_operator
        result = runner.invoke(args=["set-operator", "operator@example.org"])
        assert "now an operator" in result.output


def test_the_councils_page_has_a_fixed_number_of_queries(app, login, people, count_queries):
    operator = login(people["operator"])
    operator.get("/operator")
    with count_queries() as one:
        operator.get("/operator")
    _upload(operator, DISTRICT_FILE.read_bytes())
    operator.get("/operator")
    with count_queries() as two:
        operator.get("/operator")
    assert two.count == one.count  # one more council, no more queries


@pytest.mark.parametrize(
    ("language", "label", "own_name_label"),
    [
        ("en", "Name of the new administrator", "Name shown with what you write"),
        ("tr", "Yeni yöneticinin adı", "Yazdıklarınızın yanında görünecek ad"),
        ("ar", "اسم المسؤول الجديد", "الاسم الذي يظهر مع ما تكتبه"),
        ("ku", "Navê rêveberê nû", "Navê ku li gel nivîsên te xuya dibe"),
    ],
)
def test_the_first_admin_form_asks_for_the_new_administrator_s_name(
    login, people, language, label, own_name_label
):
    """The name asked for is another person's, not the operator's own as it shows with what
    they write (the sign-up form's label)."""
    html = (
        login(people["operator"])
        .get("/operator", headers={"Accept-Language": language})
        .get_data(as_text=True)
    )
    assert f'<label for="name">{label}' in html or f">{label}</label>" in html, html
    assert own_name_label not in html
