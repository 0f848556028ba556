"""The demo serves two councils from one installation: the provincial council at the site's
address and its district council (Gölcük) at http://golcuk.localhost:5000 (README)."""

from sqlalchemy import select

from katilim.auth.models import SiteRole, User
from katilim.extensions import db
from katilim.organization.models import Council
from katilim.seed import seed_demo, seed_district_demo

GOLCUK = "http://golcuk.localhost:5000"


def test_the_demo_has_a_district_council_at_its_own_address(app, council, client):
    with app.app_context():
        seed_demo()
        message = seed_district_demo()
        assert "Gölcük Kent Konseyi" in message
        assert "already there" in seed_district_demo()  # a second run changes nothing
        admins = db.session.execute(
            select(Council.slug, User.display_name)
            .join(Council, Council.id == User.council_id)
            .where(User.email == "admin@example.org", User.site_role == SiteRole.ADMIN)
            .order_by(Council.slug)
        ).all()
    # One address, an account on each council.
    assert [slug for slug, _ in admins] == ["golcuk", "kocaeli"]
    district = client.get("/proposals", base_url=GOLCUK).get_data(as_text=True)
    assert "Gölcük City Council" in district and "Değirmendere iskelesine" in district
    provincial = client.get("/proposals").get_data(as_text=True)
    assert "Değirmendere iskelesine" not in provincial and "Kocaeli City Council" in provincial
    # Any port: the council is known by its host name.
    assert "Gölcük" in client.get("/", base_url="http://golcuk.localhost:8000").get_data(
        as_text=True
    )


def test_commands_act_for_the_council_named_with_council(app, council):
    runner = app.test_cli_runner()
    admin = ["--email", "sekreter@golcuk.example", "--name", "Sekreter"]
    with app.app_context():
        seed_district_demo()
        result = runner.invoke(
            args=["create-admin", "--council", "golcuk", *admin, "--password", "a long password"]
        )
        assert result.exit_code == 0, result.output
        grant = ["grant-role", "--council", "golcuk", "vatandas@example.org", "facilitator"]
        result = runner.invoke(args=grant)
        assert result.exit_code == 0, result.output
        unknown = runner.invoke(args=["grant-role", "--council", "nowhere", "a@b.c", "admin"])
    assert unknown.exit_code != 0 and "No council has the slug 'nowhere'" in unknown.output
    with app.app_context():
        rows = db.session.execute(
            select(Council.slug, User.email, User.site_role)
            .join(Council, Council.id == User.council_id)
            .where(User.email.in_(["sekreter@golcuk.example", "vatandas@example.org"]))
        ).all()
    assert set(rows) == {
        ("golcuk", "sekreter@golcuk.example", SiteRole.ADMIN),
        ("golcuk", "vatandas@example.org", SiteRole.FACILITATOR),
    }


def test_a_wrong_data_file_is_refused_with_a_message_and_loads_nothing(app, council, tmp_path):
    cases = {
        "address.yaml": "council:\n  slug: x\n  name_tr: X\n  site_url: ftp://bad\n",
        "no-slug.yaml": "council:\n  name_tr: X\n",
        "broken.yaml": "council: [\n",
        "orphan.yaml": "council:\n  slug: y\n  name_tr: Y\n  parent: nowhere\n",
    }
    runner = app.test_cli_runner()
    for name, text in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        with app.app_context():
            result = runner.invoke(args=["load-council", str(tmp_path / name)])
        assert result.exit_code == 1, (name, result.output)
        assert result.output.startswith("Error: The data file was not loaded: "), result.output
        assert "Traceback" not in result.output
    with app.app_context():
        assert db.session.scalar(select(Council.slug).where(Council.slug.in_(["x", "y"]))) is None
