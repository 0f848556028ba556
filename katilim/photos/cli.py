"""flask --app katilim photos-prune: remove stored photo files that no photo refers to."""

import click
from flask import Flask

from katilim.extensions import db


@click.command("photos-prune")
def prune_command() -> None:
    """Files of uploads whose transaction failed are written but never referred to."""
    from katilim.photos.services import prune_files

    removed = prune_files()
    db.session.commit()
    click.echo(f"{removed} photo file(s) without a photo removed.")


def register(app: Flask) -> None:
    app.cli.add_command(prune_command)
