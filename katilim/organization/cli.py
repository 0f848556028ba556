"""The ``--council`` option of the commands that act for one council of the installation."""

import functools
from collections.abc import Callable
from typing import Any

import click
from sqlalchemy import select

from katilim.extensions import db
from katilim.organization.models import Council
from katilim.organization.services import for_council


def council_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--council SLUG`` to a command: it then acts as that council (its accounts, bodies,
    links and audit log); without it, as the installation's default council (KATILIM_COUNCIL)."""

    @click.option(
        "--council",
        "council_slug",
        default=None,
        metavar="SLUG",
        help="The council to act for (default: the installation's, KATILIM_COUNCIL).",
    )
    @functools.wraps(command)
    def run(*args: Any, council_slug: str | None = None, **kwargs: Any) -> Any:
        if council_slug is None:
            return command(*args, **kwargs)
        council = db.session.scalar(select(Council).where(Council.slug == council_slug))
        if council is None:
            raise click.ClickException(
                f"No council has the slug {council_slug!r}: load its data file first "
                "(flask --app katilim load-council FILE)."
            )
        with for_council(council):
            return command(*args, **kwargs)

    return run
