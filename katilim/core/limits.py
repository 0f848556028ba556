"""Rate limits by name, read from the RATE_LIMITS setting at each request.

Each limit is a shared scope, so two routes with the same name (reporting a proposal or a
comment) draw on one allowance. Keys say whom a limit counts:

- ``address``: the visitor's address (``request.remote_addr``, see katilim/serving.py);
- ``account``: the e-mail address typed into the form (hashed, so no address is kept in the
  limit storage), so guessing one account's password from many addresses is still limited;
- ``user``: the signed-in person, so that residents sharing one address (a mobile carrier's
  NAT, the council's Wi-Fi) do not use up each other's allowance.

Every key starts with the council the request is for: on an installation serving several
councils, each has its own allowances (a busy evening on one does not throttle another).

A refused request gets the 429 page (katilim/core/errors.py) before the view runs.
"""

import hashlib

from flask import current_app, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from katilim.core.tenancy import current_council_id
from katilim.extensions import limiter


def _council() -> str:
    try:
        return f"council:{current_council_id()}"
    except Exception:  # noqa: BLE001 — no council loaded, or the database is down: one pool
        return "council:-"


def _address() -> str:
    return f"{_council()}:address:{get_remote_address()}"


def _account() -> str:
    email = (request.form.get("email") or "").strip().lower()
    if not email:
        return _address()
    return f"{_council()}:account:" + hashlib.sha256(email.encode()).hexdigest()[:32]


def _user() -> str:
    if getattr(current_user, "is_authenticated", False):
        return f"{_council()}:user:{current_user.id}"
    return _address()


KEYS = {"address": _address, "account": _account, "user": _user}


def rate_limit(
    name: str, *, by: str = "address", methods: tuple[str, ...] = ("POST",), exempt_when=None
):
    """Limit a view with the setting RATE_LIMITS[name] (e.g. "10 per minute"), except for
    requests for which ``exempt_when()`` is true."""
    return limiter.shared_limit(
        lambda: current_app.config["RATE_LIMITS"][name],
        scope=name,
        key_func=KEYS[by],
        methods=list(methods),
        exempt_when=exempt_when,
    )
