"""flask --app katilim retention [--dry-run]: the periodic destruction, from a timer."""

import click
from flask import Flask

from katilim.extensions import db

LABELS = {
    "unverified_accounts": "unconfirmed accounts",
    "sent_emails": "sent e-mails",
    "read_notifications": "read notifications",
    "traffic_records": "traffic records",
    "withdrawn_consents": "withdrawn consent records",
    "ended_sessions": "ended sign-in sessions",
    "forgotten_sign_in_failures": "forgotten failed sign-in counts",
}


@click.command("retention")
@click.option("--dry-run", is_flag=True, help="Only count what would be removed.")
def retention_command(dry_run: bool) -> None:
    """Remove what has passed its retention period (see /privacy for the periods)."""
    from katilim.privacy.retention import periods, run_retention

    counts = run_retention(dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    days = periods()
    verb = "Would remove" if dry_run else "Removed"
    for name, count in counts.items():
        if name in days:
            click.echo(f"{verb} {count} {LABELS[name]} (older than {days[name]} days).")
        else:  # no period of their own: removed once they no longer count
            click.echo(f"{verb} {count} {LABELS[name]}.")


def register(app: Flask) -> None:
    app.cli.add_command(retention_command)
