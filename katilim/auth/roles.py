"""Site roles (resident, facilitator, admin) and deactivating accounts.

Every verb takes the acting admin first, checks the right again, changes the rows, flushes
and writes one audit entry saying what changed (old → new); routes and CLI commands commit.
A verb that would change nothing writes nothing and reports it, so the log holds only changes.

``actor=None`` is the operator at the command line (katilim/admin/cli.py): whoever can run
`flask` on the server can change the database anyway, so a check would protect nothing; the
audit entry has no actor and says ``{"via": "cli"}`` instead.
"""

from flask_babel import gettext as _
from sqlalchemy import select

from katilim.audit.services import record
from katilim.auth import sessions
from katilim.auth.models import SiteRole, User
from katilim.core.errors import DomainError, PermissionDenied
from katilim.extensions import db


class NotEligible(DomainError):
    status_code = 400


class LastAdmin(DomainError):
    """The change would leave the council without an active admin (leaves_no_active_admin)."""


def can_administer(user) -> bool:
    """Who may use the admin area and its verbs: active site admins (council staff)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.site_role == SiteRole.ADMIN
    )


def check_admin(actor) -> None:
    """Refuse anyone but an admin; ``None`` is the operator at the command line."""
    if actor is not None and not can_administer(actor):
        raise PermissionDenied(_("Only admins can do this."))


def via_details(via: str | None) -> dict:
    """What the audit entry says about the channel (``{"via": "cli"}``), if not the web."""
    return {"via": via} if via else {}


def require_eligible(user: User) -> None:
    """Roles go only to active accounts with a confirmed address: anyone can register with an
    address that is not theirs, and a role must not land on such an account."""
    if not user.is_active_account:
        raise NotEligible(_("This account is deactivated; it cannot be given a role."))
    if not user.is_verified:
        raise NotEligible(
            _(
                "%(email)s has not confirmed the e-mail address yet. Roles are given only to "
                "confirmed addresses; ask the person to use the link in their e-mail first.",
                email=user.email,
            )
        )


# --- site roles ----------------------------------------------------------------------------


def leaves_no_active_admin(user: User) -> bool:
    """Would the council be left without an active admin if ``user`` stopped being one (lost
    the role, was deactivated, deleted the account)? Nobody but an operator at the command
    line could then make a new admin.

    The one rule for every such change: call it before making the change, in the same
    transaction. The admin rows are locked (SELECT … FOR UPDATE on PostgreSQL) until the
    transaction ends, so two changes at the same moment (two admins giving up the role, or
    one giving it up while the other deletes the account) are decided one after the other,
    the second seeing what the first did.
    """
    if user.site_role != SiteRole.ADMIN:
        return False
    admins = db.session.execute(
        select(User.id, User.is_active_account)
        .where(User.council_id == user.council_id, User.site_role == SiteRole.ADMIN)
        .with_for_update()
    ).all()
    return not any(active and user_id != user.id for user_id, active in admins)


def _keep_one_admin(actor, user: User) -> None:
    """Refuse to take the admin role from the last active admin."""
    if not leaves_no_active_admin(user):
        return
    if actor is not None and actor.id == user.id:
        raise LastAdmin(
            _(
                "You are the only admin, so you cannot give up the admin role. "
                "Give it to someone else first."
            )
        )
    raise LastAdmin(
        _(
            "%(email)s is the only admin, so the admin role cannot be taken away. "
            "Give it to someone else first.",
            email=user.email,
        )
    )


def set_site_role(actor, user: User, role: SiteRole, *, via=None) -> bool:
    """Give the user a site role (resident means none). Returns False if nothing changed."""
    check_admin(actor)
    old = user.site_role
    if old == role:
        return False
    if role != SiteRole.RESIDENT:
        require_eligible(user)
    if old == SiteRole.ADMIN:
        _keep_one_admin(actor, user)
    user.site_role = role
    db.session.flush()
    record(
        actor,
        "role.revoke" if role == SiteRole.RESIDENT else "role.grant",
        user,
        email=user.email,
        changes={"site_role": [old.value, role.value]},
        **via_details(via),
    )
    return True


def grant_role(actor, user: User, role: SiteRole, *, via=None) -> bool:
    if role == SiteRole.RESIDENT:
        raise ValueError("use revoke_role to take a site role away")
    return set_site_role(actor, user, role, via=via)


def revoke_role(actor, user: User, *, via=None) -> bool:
    return set_site_role(actor, user, SiteRole.RESIDENT, via=via)


# --- deactivating an account -----------------------------------------------------------------


def set_account_active(actor, user: User, active: bool, *, via=None) -> bool:
    """Deactivate an account (it can no longer sign in, and every session it has ends at
    once) or reactivate it (its owner signs in again). Returns False if nothing changed.

    :raises DomainError: an admin cannot deactivate their own account, nor the last admin.
    """
    check_admin(actor)
    if user.is_active_account == active:
        return False
    if not active:
        if actor is not None and actor.id == user.id:
            raise DomainError(_("You cannot deactivate your own account."))
        if user.site_role == SiteRole.ADMIN:
            _keep_one_admin(actor, user)
        sessions.end_all(user)
    user.is_active_account = active
    db.session.flush()
    record(
        actor,
        "account.reactivate" if active else "account.deactivate",
        user,
        email=user.email,
        changes={"is_active": [not active, active]},
        **via_details(via),
    )
    return True
