"""Admin commands for the operator: roles and memberships without the web admin area.

The first admin is made here (or with create-admin), since nobody can grant a role on the site
before an admin exists. The commands call the same services as the admin pages; their audit
entries have no actor and say {"via": "cli"}.
"""

import click
from flask import Flask
from flask_babel import force_locale

from katilim.audit.services import record
from katilim.auth import roles
from katilim.auth.models import SiteRole, User
from katilim.auth.services import find_user_by_email
from katilim.core.errors import DomainError
from katilim.extensions import db
from katilim.organization import editing
from katilim.organization.cli import council_option
from katilim.organization.models import Body, MembershipRole
from katilim.organization.services import current_council

VIA = "cli"


def _user(email: str) -> User:
    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account uses the address {email}.")
    return user


def _body(slug: str) -> Body:
    body = editing.find_body(current_council(), slug)
    if body is None:
        raise click.ClickException(
            f"No assembly or working group has the short name {slug!r} "
            "(see the list at /admin/bodies, or the council's data file)."
        )
    return body


def _run(verb, *args, **kwargs):
    """Call a service verb; a refusal (last admin, unconfirmed address) is exit code 1.

    Refusals are printed in English like the rest of the commands' output, whatever the
    site's default language.
    """
    try:
        with force_locale("en"):
            return verb(None, *args, via=VIA, **kwargs)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message or type(error).__name__) from error


@click.command("grant-role")
@council_option
@click.argument("email")
@click.argument("role", type=click.Choice([SiteRole.FACILITATOR.value, SiteRole.ADMIN.value]))
def grant_role_command(email: str, role: str) -> None:
    """Give the account with EMAIL a site role: facilitator or admin."""
    user = _user(email)
    if _run(roles.grant_role, user, SiteRole(role)):
        db.session.commit()
        click.echo(f"{user.email} is now {role}.")
    else:
        click.echo(f"{user.email} is already {role}; nothing changed.")


@click.command("revoke-role")
@council_option
@click.argument("email")
def revoke_role_command(email: str) -> None:
    """Take the site role (facilitator or admin) away from the account with EMAIL."""
    user = _user(email)
    old = user.site_role.value
    if _run(roles.revoke_role, user):
        db.session.commit()
        click.echo(f"{user.email} is no longer {old}; the account has no site role now.")
    else:
        click.echo(f"{user.email} has no site role; nothing changed.")


@click.command("add-member")
@council_option
@click.argument("email")
@click.argument("body_slug")
@click.option(
    "--role",
    type=click.Choice([role.value for role in MembershipRole]),
    default=MembershipRole.MODERATOR.value,
    show_default=True,
)
def add_member_command(email: str, body_slug: str, role: str) -> None:
    """Make the account with EMAIL a moderator (or chair) of the body BODY_SLUG.

    If the person is already a member, their role is set to ROLE.
    """
    user, body = _user(email), _body(body_slug)
    membership = editing.membership_of(user, body)
    if membership is None:
        _run(editing.add_member, user, body, MembershipRole(role))
        db.session.commit()
        click.echo(f"{user.email} is now {role} of {body.slug}.")
    elif _run(editing.change_member_role, membership, MembershipRole(role)):
        db.session.commit()
        click.echo(f"{user.email} was already a member of {body.slug}; now {role}.")
    else:
        click.echo(f"{user.email} is already {role} of {body.slug}; nothing changed.")


@click.command("remove-member")
@council_option
@click.argument("email")
@click.argument("body_slug")
def remove_member_command(email: str, body_slug: str) -> None:
    """End the membership of the account with EMAIL in the body BODY_SLUG."""
    user, body = _user(email), _body(body_slug)
    membership = editing.membership_of(user, body)
    if membership is None:
        raise click.ClickException(f"{user.email} is not a member of {body.slug}.")
    _run(editing.remove_member, membership)
    db.session.commit()
    click.echo(f"{user.email} is no longer a member of {body.slug}.")


@click.command("set-operator")
@click.argument("email")
@click.option("--off", is_flag=True, help="Take the operator's pages away from the account.")
def set_operator_command(email: str, off: bool) -> None:
    """Make the account with EMAIL (of the installation's own council) its operator, who adds
    councils and their first admins at /operator; --off undoes it."""
    user = _user(email)
    if user.is_operator == (not off):
        click.echo(f"{user.email} is {'not ' if off else ''}the operator already; nothing changed.")
        return
    user.is_operator = not off
    record(None, "operator.revoke" if off else "operator.grant", user, email=user.email, via=VIA)
    db.session.commit()
    click.echo(f"{user.email} is {'no longer' if off else 'now'} an operator (/operator).")


def register(app: Flask) -> None:
    for command in (
        set_operator_command,
        grant_role_command,
        revoke_role_command,
        add_member_command,
        remove_member_command,
    ):
        app.cli.add_command(command)
