"""Commands for meetings (flask --app katilim <command>)."""

import click
from flask import Flask
from flask.cli import with_appcontext

from katilim.extensions import db


@click.command("send-meeting-reminders")
@with_appcontext
def send_meeting_reminders_command() -> None:
    """Remind the registered people of the meetings of the next day and a half, once per
    meeting (run it hourly or daily from a timer)."""
    from katilim.meetings.services import send_reminders
    from katilim.organization.services import for_each_council

    count = for_each_council(send_reminders)
    db.session.commit()
    click.echo(f"{count} meeting(s) reminded; the send-mail worker delivers the e-mails.")


def register(app: Flask) -> None:
    app.cli.add_command(send_meeting_reminders_command)
