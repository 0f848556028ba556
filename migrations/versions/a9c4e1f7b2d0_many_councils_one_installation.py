"""many councils on one installation: each council's address, accounts per council

A council may have its own public address (the data file's `site_url`); a request is served
for the council whose host it names. A district council may name its provincial council
(`parent`) and the population of its area. Accounts belong to one council: the same e-mail address
may have an account on each, so the address is unique per council, not per installation.
Existing accounts and audit entries go to the installation's first council (there was only
one); each council's admins read their own council's audit log.

Revision ID: a9c4e1f7b2d0
Revises: 692af3dd3638
Create Date: 2026-12-05 13:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a9c4e1f7b2d0"
down_revision = "692af3dd3638"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("councils", schema=None) as batch_op:
        batch_op.add_column(sa.Column("site_url", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("host", sa.String(length=200), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_councils_host"), ["host"])
        batch_op.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("population", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("population_year", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_councils_parent_id"), ["parent_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_councils_parent_id_councils"), "councils", ["parent_id"], ["id"]
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("council_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("is_operator", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    bind = op.get_bind()
    first = bind.execute(sa.text("SELECT min(id) FROM councils")).scalar()
    has_users = bind.execute(sa.text("SELECT count(*) FROM users")).scalar()
    if has_users and first is None:
        raise RuntimeError(
            "Accounts exist but no council is loaded: run `flask load-council` on the previous "
            "release first, then upgrade."
        )
    if first is not None:
        bind.execute(sa.text("UPDATE users SET council_id = :id"), {"id": first})
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("council_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint("uq_users_email", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_users_council_id"), ["council_id", "email"]
        )
        batch_op.create_index(batch_op.f("ix_users_council_id"), ["council_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_users_council_id_councils"), "councils", ["council_id"], ["id"]
        )

    # A proposal a district council referred to its provincial council remembers where from.
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("referred_from_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_proposals_referred_from_id"), ["referred_from_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_proposals_referred_from_id_councils"),
            "councils",
            ["referred_from_id"],
            ["id"],
        )

    # Each council's admins read their own council's audit log.
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("council_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_log_council_id_councils"), "councils", ["council_id"], ["id"]
        )
        batch_op.create_index(
            "ix_audit_log_council_created", ["council_id", "created_at"], unique=False
        )
    if first is not None:
        # The log is append-only for the application; this one-time fill is the migration's.
        bind.execute(sa.text("UPDATE audit_log SET council_id = :id"), {"id": first})


def downgrade():
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_proposals_referred_from_id_councils"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_proposals_referred_from_id"))
        batch_op.drop_column("referred_from_id")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_council_created")
        batch_op.drop_constraint(batch_op.f("fk_audit_log_council_id_councils"), type_="foreignkey")
        batch_op.drop_column("council_id")
    # Only possible while no address has accounts on two councils.
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_users_council_id_councils"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_users_council_id"))
        batch_op.drop_constraint(batch_op.f("uq_users_council_id"), type_="unique")
        batch_op.create_unique_constraint("uq_users_email", ["email"])
        batch_op.drop_column("council_id")
        batch_op.drop_column("is_operator")
    with op.batch_alter_table("councils", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_councils_parent_id_councils"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_councils_parent_id"))
        for column in ("population_year", "population", "parent_id"):
            batch_op.drop_column(column)
        batch_op.drop_constraint(batch_op.f("uq_councils_host"), type_="unique")
        batch_op.drop_column("host")
        batch_op.drop_column("site_url")
