"""Commands that keep every proposal read (flask --app katilim <command>; docs/deploy.md)."""

import click
from flask import Flask
from flask.cli import with_appcontext

from katilim.extensions import db


@click.command("send-moderator-reminders")
@with_appcontext
def send_moderator_reminders_command() -> None:
    """Tell reviewers of answers due within three days, once per proposal (run daily)."""
    from katilim.core.models import utcnow
    from katilim.moderation.staffing import send_deadline_warnings
    from katilim.organization.services import for_each_council

    now = utcnow()
    count = for_each_council(lambda council: send_deadline_warnings(council, now))
    db.session.commit()
    click.echo(f"Reviewers told of {count} proposal(s) due soon.")


@click.command("send-weekly-reports")
@with_appcontext
def send_weekly_reports_command() -> None:
    """Queue the weekly reports: late proposals to their reviewers, coverage to admins."""
    from katilim.core.models import utcnow
    from katilim.moderation.staffing import send_weekly_reports
    from katilim.organization.services import for_each_council

    now = utcnow()
    count = for_each_council(lambda council: send_weekly_reports(council, now))
    db.session.commit()
    click.echo(f"{count} weekly report(s) queued; the send-mail worker delivers them.")


def register(app: Flask) -> None:
    app.cli.add_command(send_moderator_reminders_command)
    app.cli.add_command(send_weekly_reports_command)
