"""Which council a request or a command is for, for the code below the organization package.

One installation may serve several councils, each at its own address (docs/rules.md#many-
councils). The organization package finds the council of a request from its Host header and
registers how here at start-up (``install``); accounts, links and the host check read it
through these functions, so that they need not import the layer above them.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app

EXTENSION = "katilim.tenancy"


@dataclass(frozen=True)
class Tenancy:
    council_id: Callable[[], int]  # raises when no council is loaded
    address: Callable[[], str | None]  # None: the installation's SITE_URL
    serves_host: Callable[[str], bool]
    name: Callable[[], str | None]  # its registered (Turkish) name; None before it is loaded


def install(app: Flask, tenancy: Tenancy) -> None:
    app.extensions[EXTENSION] = tenancy


def _tenancy() -> Tenancy | None:
    return current_app.extensions.get(EXTENSION)


def current_council_id() -> int:
    """The id of the council this request or command is for."""
    tenancy = _tenancy()
    if tenancy is None:
        raise RuntimeError("katilim.core.tenancy is not installed (create_app does it)")
    return tenancy.council_id()


def council_address() -> str | None:
    """The public address of the council this request is for, when it has its own."""
    tenancy = _tenancy()
    return tenancy.address() if tenancy is not None else None


def council_name() -> str | None:
    """The registered name of the council this request or command is for, if loaded."""
    tenancy = _tenancy()
    return tenancy.name() if tenancy is not None else None


def serves_host(host: str) -> bool:
    """Whether a loaded council has ``host`` as its address."""
    tenancy = _tenancy()
    return tenancy is not None and tenancy.serves_host(host)
