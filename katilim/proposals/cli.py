"""flask --app katilim check-counters [--fix]: the proposals' counters against their rows."""

import click
from flask import Flask

from katilim.extensions import db


@click.command("check-counters")
@click.option("--fix", is_flag=True, help="Set every differing counter to the count of its rows.")
def check_counters_command(fix: bool) -> None:
    """Compare every proposal's vote and comment counters with its rows.

    Prints each difference; the exit status is 1 when any was found (also with --fix, which
    repairs them and writes each repair to the audit log), 0 when all match.
    """
    from katilim.proposals.counters import COUNTED, find_drift, fix_drift

    drifts = find_drift()
    for drift in drifts:
        parts = [
            f"{name} {kept} but {counted} {COUNTED[name]}"
            for name, (kept, counted) in drift.differences.items()
        ]
        click.echo(f"Proposal {drift.proposal_id}: " + "; ".join(parts) + ".")
    if not drifts:
        click.echo("Every proposal's counters match its votes and comments.")
        return
    click.echo(f"{len(drifts)} proposal(s) with counters that differ from their rows.")
    if fix:
        fixed = fix_drift(drifts)
        db.session.commit()
        click.echo(
            f"Fixed the counters of {fixed} proposal(s); each fix is in the audit log "
            "(counters.fix)."
        )
    else:
        click.echo("Run again with --fix to set them to the counts of the rows.")
    click.get_current_context().exit(1)


def register(app: Flask) -> None:
    app.cli.add_command(check_counters_command)
