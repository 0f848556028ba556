"""Which council a request or a command is for, for the code below the organization package.

One installation may serve several councils, each at its own address (docs/rules.md#many-
councils). The organization package finds the council of a request from its Host header and
registers how here at start-up (``install``); accounts, links and the host check read it
through these functions, so that they need not import the layer above them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Flask, current_app

EXTENSION = "katilim.tenancy"


@dataclass(frozen=True)
class Tenancy:
    council_id: Callable[[], int]  # raises when no council is loaded
    address: Callable[[], str | None]  # None: the installation's SITE_URL
    serves_host: Callable[[str], bool]
    name: Callable[[], str | None]  # its registered (Turkish) name; None before it is loaded
    # Every council with an address of its own, by host name, and the installation's default
    # council (the one any other host is for; None before it is loaded): one query.
    hosts: Callable[[], tuple[dict[str, int], int | None]]


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


def host_name(address: str) -> str:
    """The host name of an address (``https://a.example:8443/x`` → ``a.example``), or of a
    Host header (``a.example:8443``), lower-cased. A council is known by its host name alone:
    the port a request arrives on says nothing about which council it is for."""
    if "//" not in address:
        address = f"//{address}"
    try:
        return (urlsplit(address).hostname or "").lower()
    except ValueError:  # a Host header that is no host (an unclosed "[")
        return ""


def council_for_host(app: Flask) -> Callable[[str], int | None]:
    """A function that tells, without a request, which council a Host header is for (as
    ``current_council`` would): read from the database now, in one query. For the page
    cache, which answers before the application runs."""
    with app.app_context():
        tenancy = _tenancy()
        if tenancy is None:
            raise RuntimeError("katilim.core.tenancy is not installed (create_app does it)")
        by_host, default = tenancy.hosts()
    return lambda host: by_host.get(host_name(host), default)


def serves_host(host: str) -> bool:
    """Whether a loaded council has ``host`` as its address."""
    tenancy = _tenancy()
    return tenancy is not None and tenancy.serves_host(host)
