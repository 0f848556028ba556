"""One rule for "the council keeps an active admin", the same for a role change and for an
account deletion, decided under a lock on PostgreSQL."""

import threading

import pytest
from sqlalchemy import func, select

from katilim.auth import roles
from katilim.auth.models import SiteRole, User
from katilim.extensions import db
from katilim.privacy import deletion
from tests.conftest import TEST_DATABASE_URL
from tests.factories import make_user


def active_admins() -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.site_role == SiteRole.ADMIN, User.is_active_account.is_(True))
    )


def test_the_last_active_admin_cannot_delete_the_account_beside_a_deactivated_admin(ctx):
    only = make_user(role=SiteRole.ADMIN)
    make_user(role=SiteRole.ADMIN).is_active_account = False
    with pytest.raises(deletion.LastAdmin):
        deletion.delete_account(only)
    assert db.session.get(User, only.id) is not None
    assert active_admins() == 1


def test_a_deactivated_admin_can_delete_the_account_while_an_active_one_remains(ctx):
    make_user(role=SiteRole.ADMIN)
    inactive = make_user(role=SiteRole.ADMIN)
    inactive.is_active_account = False
    deletion.delete_account(inactive)
    assert db.session.get(User, inactive.id) is None
    assert active_admins() == 1


def test_deletion_and_role_changes_refuse_with_the_same_rule(ctx):
    assert deletion.LastAdmin is roles.LastAdmin
    admin = make_user(role=SiteRole.ADMIN)
    resident = make_user()
    assert roles.leaves_no_active_admin(admin)
    assert not roles.leaves_no_active_admin(resident)
    make_user(role=SiteRole.ADMIN)
    assert not roles.leaves_no_active_admin(admin)


# --- at the same moment (PostgreSQL) -------------------------------------------------------

on_postgresql = pytest.mark.skipif(
    not TEST_DATABASE_URL.startswith("postgresql"),
    reason="needs PostgreSQL: SQLite lets one writer at a time use the whole database file, "
    "so two transactions cannot overlap (run with KATILIM_TEST_DATABASE_URL)",
)


def two_admins(app) -> tuple[int, int]:
    with app.app_context():
        first, second = make_user(role=SiteRole.ADMIN), make_user(role=SiteRole.ADMIN)
        db.session.commit()
        return first.id, second.id


def delete_in_thread(app, user_id: int, outcome: list) -> threading.Thread:
    def run():
        with app.app_context():
            try:
                deletion.delete_account(db.session.get(User, user_id))
                db.session.commit()
                outcome.append("deleted")
            except Exception as error:  # noqa: BLE001 - reported by the assertions
                db.session.rollback()
                outcome.append(type(error).__name__)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def overlap(app, first_step, second_id: int) -> list:
    """``first_step`` runs in a transaction left open while the second admin deletes the
    account in another; then the first commits. Returns what the deletion did."""
    outcome: list = []
    with app.app_context():
        first_step()
        deleting = delete_in_thread(app, second_id, outcome)
        deleting.join(2)  # on PostgreSQL it waits for the first transaction's lock
        db.session.commit()
    deleting.join(20)
    return outcome


@on_postgresql
def test_an_admin_giving_up_the_role_while_the_other_deletes_the_account(app):
    first_id, second_id = two_admins(app)

    def give_up():
        first = db.session.get(User, first_id)
        assert roles.revoke_role(first, first)

    assert overlap(app, give_up, second_id) == ["LastAdmin"]
    with app.app_context():
        assert active_admins() == 1


@on_postgresql
def test_two_admins_deleting_their_accounts_at_once(app):
    first_id, second_id = two_admins(app)

    def delete_first():
        deletion.delete_account(db.session.get(User, first_id))

    assert overlap(app, delete_first, second_id) == ["LastAdmin"]
    with app.app_context():
        assert active_admins() == 1
