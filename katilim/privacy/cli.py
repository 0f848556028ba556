"""flask --app katilim retention [--dry-run]: the periodic destruction, from a timer;
flask --app katilim verify-traffic: the traffic records' seals, recomputed."""

import click
from flask import Flask

from katilim.extensions import db

# What each rule removes, and when, said in full: the output is the record of destruction.
LABELS = {
    "unverified_accounts": "{verb} {count} unconfirmed accounts (older than {days} days).",
    "sent_emails": "{verb} {count} sent e-mails (older than {days} days).",
    "read_notifications": "{verb} {count} read notifications (older than {days} days).",
    "traffic_records": "{verb} {count} traffic records (whole days older than {days} days).",
    "traffic_seals": "{verb} {count} daily traffic seals (with their days of records).",
    "withdrawn_consents": "{verb} {count} withdrawn consent records (older than {days} days).",
    "ended_sessions": "{verb} {count} ended sign-in sessions.",
    "forgotten_sign_in_failures": "{verb} {count} forgotten failed sign-in counts.",
    "assisted_contacts": "{erase} {count} contacts written down by volunteers (answered more "
    "than {days} days ago).",
    "comment_revisions": "{verb} {count} earlier versions of edited comments (older than {days} "
    "days).",
    "ended_volunteering": "{verb} {count} declined applications and ended memberships of "
    "volunteers (older than {days} days).",
}


@click.command("retention")
@click.option("--dry-run", is_flag=True, help="Only count what would be removed.")
def retention_command(dry_run: bool) -> None:
    """Seal the finished days of traffic records, then remove what has passed its retention
    period (see /privacy for the periods)."""
    from katilim.privacy.retention import periods, run_retention

    run = run_retention(dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    days = periods()
    if run.sealed_days:
        span = run.sealed_days[0].isoformat()
        if len(run.sealed_days) > 1:
            span += f" to {run.sealed_days[-1].isoformat()}"
        verb = "Would seal" if dry_run else "Sealed"
        click.echo(f"{verb} {len(run.sealed_days)} day(s) of traffic records ({span}).")
    if run.chain_head:
        click.echo(f"Traffic seal chain head: {run.chain_head}")
    for name, count in run.removed.items():
        click.echo(
            LABELS[name].format(
                verb="Would remove" if dry_run else "Removed",
                erase="Would erase" if dry_run else "Erased",
                count=count,
                days=days.get(name, days["traffic_records"]),
            )
        )


@click.command("verify-traffic")
def verify_traffic_command() -> None:
    """Recompute every daily seal of the traffic records; name the first broken day.

    Exit status 1 when a day is broken (a record changed, added or deleted, a seal changed or
    deleted), 0 when the whole chain holds.
    """
    from katilim.privacy.retention import periods
    from katilim.privacy.seals import verify_chain

    check = verify_chain(periods()["traffic_records"])
    first, last = check.first_day, check.last_day
    if check.ok and (first is None or last is None):
        click.echo("No traffic records are sealed yet (the retention run seals each finished day).")
    elif check.ok and first is not None and last is not None:
        click.echo(
            f"Traffic records verified: {check.days} day(s), {first.isoformat()} to "
            f"{last.isoformat()}, {check.records} record(s)."
        )
        click.echo(f"Chain head: {check.head}")
    if check.unsealed_days:
        click.echo(
            f"{check.unsealed_days} finished day(s) not sealed yet; the next retention run "
            "seals them."
        )
    if check.broken_day is not None:
        if check.days and first is not None and last is not None:
            click.echo(
                f"{check.days} day(s) verified from {first.isoformat()} to {last.isoformat()}."
            )
        click.echo(f"Broken: {check.broken_day.isoformat()}: {check.problem}.")
        click.get_current_context().exit(1)


def register(app: Flask) -> None:
    app.cli.add_command(retention_command)
    app.cli.add_command(verify_traffic_command)
