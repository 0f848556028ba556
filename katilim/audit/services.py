"""Writing to the audit log from services (which never read the request themselves)."""

from flask import has_request_context, request

from katilim.audit.models import AuditLog
from katilim.core.tenancy import current_council_id
from katilim.extensions import db


def client_address() -> str | None:
    """The caller's address; behind the reverse proxy ProxyFix has already set it."""
    return request.remote_addr if has_request_context() else None


def _council_id() -> int | None:
    try:
        return current_council_id()
    except Exception:  # noqa: BLE001 — a command run before any council was loaded
        return None


def record(actor, action: str, target, **details) -> AuditLog:
    """Append one entry: ``actor`` did ``action`` to ``target`` (a model instance)."""
    entry = AuditLog(
        council_id=_council_id(),
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=type(target).__name__.lower(),
        target_id=getattr(target, "id", None),
        details={k: v for k, v in details.items() if v not in (None, "")},
        ip_address=client_address(),
    )
    db.session.add(entry)
    return entry
