"""revocable sign-in sessions, and sign-in throttle keys per source

``user_sessions``: one row per signed-in browser, so that signing out, a password reset,
"sign out on every device", deactivation and deletion end sessions on the server.
``login_throttles.email_digest`` becomes ``key_digest``: a count is now kept per e-mail address
from everywhere, per address and visitor address, and per known browser. The old counts are
dropped (they only delay sign-ins for at most an hour; their keys no longer match).
The rename is not compatible with the previous code: stop the web service before upgrading.

Revision ID: 5d1c0a7e9b42
Revises: 0e715d812887
Create Date: 2026-12-04 16:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

import katilim.core.models

# revision identifiers, used by Alembic.
revision = "5d1c0a7e9b42"
down_revision = "0e715d812887"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("remember", sa.Boolean(), nullable=False),
        sa.Column("created_at", katilim.core.models.TZDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", katilim.core.models.TZDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_user_sessions_token_digest")),
    )
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_user_sessions_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_user_sessions_user_id"), ["user_id"], unique=False)

    op.execute(sa.text("DELETE FROM login_throttles"))
    with op.batch_alter_table("login_throttles", schema=None) as batch_op:
        batch_op.drop_constraint("uq_login_throttles_email_digest", type_="unique")
        batch_op.alter_column(
            "email_digest",
            new_column_name="key_digest",
            existing_type=sa.String(length=64),
            existing_nullable=False,
        )
    # A second batch: on SQLite the table is rebuilt, and the constraint names the new column.
    with op.batch_alter_table("login_throttles", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f("uq_login_throttles_key_digest"), ["key_digest"]
        )


def downgrade():
    op.execute(sa.text("DELETE FROM login_throttles"))
    with op.batch_alter_table("login_throttles", schema=None) as batch_op:
        batch_op.drop_constraint("uq_login_throttles_key_digest", type_="unique")
        batch_op.alter_column(
            "key_digest",
            new_column_name="email_digest",
            existing_type=sa.String(length=64),
            existing_nullable=False,
        )
    with op.batch_alter_table("login_throttles", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f("uq_login_throttles_email_digest"), ["email_digest"]
        )

    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_sessions_user_id"))
        batch_op.drop_index(batch_op.f("ix_user_sessions_expires_at"))

    op.drop_table("user_sessions")
