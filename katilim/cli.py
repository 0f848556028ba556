"""Command-line tools: flask --app katilim <command>."""

import subprocess
import sys

import click
import flask_migrate
import yaml
from flask import Flask, current_app

from katilim.config import ROOT
from katilim.extensions import db
from katilim.organization.cli import council_option


@click.command("load-council")
@click.argument("path", required=False)
def load_council_command(path: str | None) -> None:
    """Create or update a council, its bodies and districts from a YAML file (idempotent).

    Without PATH, the installation's own council (KATILIM_COUNCIL_DATA_FILE). Another council's
    file adds that council to the installation, served at the site_url its file gives.
    """
    from katilim.organization.services import load_council

    try:
        loaded = load_council(path or current_app.config["COUNCIL_DATA_FILE"])
    except (OSError, ValueError, KeyError, TypeError, yaml.YAMLError) as error:
        db.session.rollback()
        what = f"missing key {error}" if isinstance(error, KeyError) else str(error)
        raise click.ClickException(f"The data file was not loaded: {what}") from error
    db.session.commit()
    address = loaded.council.site_url or "KATILIM_SITE_URL"
    click.echo(
        f"Council {loaded.council.slug!r} loaded, served at {address}: "
        f"{loaded.created} bodies and districts created, {loaded.updated} updated."
    )


@click.command("setup")
@click.option(
    "--demo", is_flag=True, help="Also add demo accounts and proposals (never in production)."
)
def setup_command(demo: bool) -> None:
    """Bring the database up to date, load the council, and optionally the demo content."""
    from katilim import seed
    from katilim.organization.services import load_council

    flask_migrate.upgrade()
    load_council(current_app.config["COUNCIL_DATA_FILE"])
    db.session.commit()
    click.echo("Database and council data are up to date.")
    if demo:
        click.echo(seed.seed_demo())
        # A second council on the same installation, at its own address (README).
        click.echo(seed.seed_district_demo())


@click.command("seed-demo")
@council_option
def seed_demo_command() -> None:
    """Add the demo accounts and proposals (refused in production)."""
    from katilim import seed

    click.echo(seed.seed_demo())


@click.command("create-admin")
@council_option
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.password_option()
def create_admin_command(email: str, name: str, password: str) -> None:
    """Create a council's first admin account (already verified); --council names the council
    when the installation serves several."""
    from katilim.auth.models import SiteRole
    from katilim.auth.services import register_user, verify_email

    user = register_user(email=email, display_name=name, password=password)
    user.site_role = SiteRole.ADMIN
    verify_email(user)
    db.session.commit()
    click.echo(f"Admin {user.email} created.")


@click.group("translate")
def translate_group() -> None:
    """Extract, update and compile the message catalogues."""


def _pybabel(*args: str) -> None:
    # The venv's own Babel, whether or not the venv is activated (its bin/ may not be on PATH).
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


@translate_group.command("update")
def translate_update() -> None:
    """Extract messages from the code and merge them into every catalogue."""
    _pybabel(
        "extract",
        "-F",
        "babel.cfg",
        "-k",
        "_l",
        "-k",
        "_plural:1,2",  # WTForms' plural messages, marked in katilim/core/forms.py
        "--no-location",
        "--sort-output",
        "--ignore-dirs=.* build",  # the default also skips "_*", which hides templates/_macros
        "-o",
        "translations/messages.pot",
        ".",
    )
    _pybabel(
        "update", "-i", "translations/messages.pot", "-d", "translations", "--no-fuzzy-matching"
    )
    fill_source_catalogue(ROOT / "translations/en/LC_MESSAGES/messages.po")


def fill_source_catalogue(path) -> int:
    """English is the source language: its catalogue repeats each message id as its text,
    so that it is complete by construction and plural forms follow English rules."""
    from babel.messages.pofile import read_po, write_po

    with open(path, "rb") as handle:
        catalog = read_po(handle)
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple | list):
            if not all(message.string or ()):
                message.string = tuple(message.id)
                filled += 1
        elif not message.string:
            message.string = message.id
            filled += 1
        message.flags.discard("fuzzy")
    with open(path, "wb") as handle:
        write_po(handle, catalog, width=76, sort_output=True)
    return filled


@translate_group.command("compile")
def translate_compile() -> None:
    """Compile the catalogues to .mo files."""
    _pybabel("compile", "-d", "translations")


@click.command("build-css")
def build_css_command() -> None:
    """Write static/css/site.min.css (what pages link) from static/css/site.css."""
    from katilim.core import stylesheet

    click.echo(f"{stylesheet.MINIFIED.name}: {stylesheet.build()} bytes")


def init_app(app: Flask) -> None:
    for command in (
        build_css_command,
        load_council_command,
        setup_command,
        seed_demo_command,
        create_admin_command,
        translate_group,
    ):
        app.cli.add_command(command)
    from katilim.admin import cli as admin_cli

    admin_cli.register(app)
    from katilim.notifications import cli as notifications_cli

    notifications_cli.register(app)
    from katilim.privacy import cli as privacy_cli

    privacy_cli.register(app)
    from katilim.proposals import cli as proposals_cli

    proposals_cli.register(app)
    from katilim.moderation import cli as moderation_cli

    moderation_cli.register(app)
    from katilim.photos import cli as photos_cli

    photos_cli.register(app)
    from katilim.meetings import cli as meetings_cli

    meetings_cli.register(app)
