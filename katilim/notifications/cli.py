"""Commands: the send-mail worker and the daily digest (flask --app katilim <command>)."""

import signal
import threading

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from katilim.extensions import db


@click.command("send-mail")
@with_appcontext
@click.option("--loop", is_flag=True, help="Keep running, sending new messages as they come.")
@click.option(
    "--interval", default=5.0, show_default=True, help="Seconds to wait when nothing is due."
)
@click.option("--batch", default=50, show_default=True, help="Messages to claim per round.")
def send_mail_command(loop: bool, interval: float, batch: int) -> None:
    """Send the e-mails waiting in the outbox (safe to run in several processes at once)."""
    from katilim.notifications.outbox import deliver_due

    if not loop:
        click.echo(f"{deliver_due(batch=batch)} e-mail(s) sent.")
        return
    # SIGTERM (systemd, docker, the trap in scripts/run) ends the loop between rounds, so a
    # message being sent is finished and recorded rather than cut off mid-way.
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    current_app.logger.warning(
        "Mail worker started (backend: %s).", current_app.config["MAIL_BACKEND"]
    )
    try:
        while not stop.is_set():
            try:
                sent = deliver_due(batch=batch)
            except SQLAlchemyError:
                # The database may be restarting; the messages wait for us in it.
                current_app.logger.exception("Mail worker: database error, retrying")
                sent = 0
            finally:
                db.session.remove()
            if sent < batch:  # a full batch means more may be waiting: go on at once
                stop.wait(interval)
    except KeyboardInterrupt:
        pass
    click.echo("Mail worker stopped.")


@click.command("send-digests")
@with_appcontext
def send_digests_command() -> None:
    """Queue the daily summary e-mail for everyone who chose one (run it from cron)."""
    from katilim.notifications.services import send_digests
    from katilim.organization.services import for_each_council

    count = for_each_council(send_digests)
    db.session.commit()
    click.echo(f"{count} digest(s) queued; the send-mail worker delivers them.")


def register(app: Flask) -> None:
    app.cli.add_command(send_mail_command)
    app.cli.add_command(send_digests_command)
