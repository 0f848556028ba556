"""The admin commands: flask --app katilim grant-role / revoke-role / add-member /
remove-member. They use the same services, log with no actor and {"via": "cli"}, commit."""

from sqlalchemy import select

from katilim.audit.models import AuditLog
from katilim.auth.models import SiteRole, User
from katilim.extensions import db
from katilim.organization.models import Body, MembershipRole
from katilim.organization.services import is_moderator_of
from tests.test_migrations import cli


def _user(app, user_id) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def _entries(app) -> list[AuditLog]:
    with app.app_context():
        entries = list(db.session.scalars(select(AuditLog).order_by(AuditLog.id)))
        db.session.expunge_all()
        return entries


def _moderates(app, user_id, slug) -> tuple[bool, str | None]:
    with app.app_context():
        user = db.session.get(User, user_id)
        body = db.session.scalar(select(Body).where(Body.slug == slug))
        membership = next((m for m in user.memberships if m.body_id == body.id), None)
        return is_moderator_of(user, body), membership.role.value if membership else None


def test_grant_and_revoke_a_role(app, world):
    result = cli(app, "grant-role", "Candidate@Example.org", "admin")
    assert result.exit_code == 0, result.output
    assert "candidate@example.org is now admin." in result.output
    assert _user(app, world.candidate_id).site_role == SiteRole.ADMIN

    again = cli(app, "grant-role", "candidate@example.org", "admin")
    assert again.exit_code == 0 and "already admin; nothing changed" in again.output

    result = cli(app, "revoke-role", "candidate@example.org")
    assert result.exit_code == 0, result.output
    assert "no longer admin" in result.output
    assert _user(app, world.candidate_id).site_role == SiteRole.RESIDENT

    grant, revoke = _entries(app)
    assert (grant.action, grant.actor_id, grant.ip_address) == ("role.grant", None, None)
    assert grant.details == {
        "via": "cli",
        "email": "candidate@example.org",
        "changes": {"site_role": ["resident", "admin"]},
    }
    assert revoke.action == "role.revoke" and revoke.details["via"] == "cli"


def test_unknown_addresses_and_bad_roles_exit_with_1(app, world):
    result = cli(app, "grant-role", "nobody@example.org", "admin")
    assert result.exit_code == 1
    assert "No account uses the address nobody@example.org." in result.output
    assert cli(app, "revoke-role", "nobody@example.org").exit_code == 1
    assert cli(app, "grant-role", "candidate@example.org", "emperor").exit_code == 2  # usage
    assert _entries(app) == []


def test_refusals_exit_with_1(app, world):
    result = cli(app, "revoke-role", "admin@example.org")
    assert result.exit_code == 1
    assert "admin@example.org is the only admin" in result.output
    result = cli(app, "grant-role", "unverified@example.org", "facilitator")
    assert result.exit_code == 1 and "has not confirmed" in result.output
    assert _user(app, world.admin_id).site_role == SiteRole.ADMIN
    assert _entries(app) == []


def test_the_first_admin_is_made_on_the_command_line(app):
    """No admin and no council yet: the command needs neither."""
    from tests.factories import make_user

    with app.app_context():
        user_id = make_user(email="first@example.org").id
        db.session.commit()
    result = cli(app, "grant-role", "first@example.org", "admin")
    assert result.exit_code == 0, result.output
    assert _user(app, user_id).site_role == SiteRole.ADMIN


def test_add_and_remove_a_member(app, world):
    result = cli(app, "add-member", "candidate@example.org", "test-group")
    assert result.exit_code == 0, result.output
    assert "candidate@example.org is now moderator of test-group." in result.output
    assert _moderates(app, world.candidate_id, "test-group") == (True, "moderator")

    result = cli(app, "add-member", "candidate@example.org", "test-group", "--role", "chair")
    assert result.exit_code == 0 and "now chair" in result.output
    assert _moderates(app, world.candidate_id, "test-group") == (True, MembershipRole.CHAIR)

    same = cli(app, "add-member", "candidate@example.org", "test-group", "--role", "chair")
    assert same.exit_code == 0 and "nothing changed" in same.output

    result = cli(app, "remove-member", "candidate@example.org", "test-group")
    assert result.exit_code == 0, result.output
    assert "no longer a member of test-group" in result.output
    assert _moderates(app, world.candidate_id, "test-group") == (False, None)

    entries = _entries(app)
    assert [e.action for e in entries] == [
        "membership.add",
        "membership.update",
        "membership.remove",
    ]
    assert all(e.actor_id is None and e.details["via"] == "cli" for e in entries)
    assert entries[0].details["body"] == "test-group"


def test_member_commands_refuse_unknown_slugs_addresses_and_non_members(app, world):
    result = cli(app, "add-member", "candidate@example.org", "no-such-group")
    assert result.exit_code == 1 and "'no-such-group'" in result.output
    assert cli(app, "add-member", "nobody@example.org", "test-group").exit_code == 1
    result = cli(app, "add-member", "unverified@example.org", "test-group")
    assert result.exit_code == 1 and "has not confirmed" in result.output
    result = cli(app, "remove-member", "candidate@example.org", "test-group")
    assert result.exit_code == 1 and "is not a member of test-group" in result.output
    assert cli(app, "remove-member", "candidate@example.org", "nope").exit_code == 1
    assert _entries(app) == []
