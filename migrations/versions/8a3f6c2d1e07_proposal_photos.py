"""proposal photos

Up to three photos per proposal (katilim/photos): the stored files' random names, sizes and
alt text, and the moderators' hiding.

Revision ID: 8a3f6c2d1e07
Revises: 5c1d9e7a2b40
Create Date: 2026-12-04 21:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import katilim.core.models

# revision identifiers, used by Alembic.
revision = "8a3f6c2d1e07"
down_revision = "5c1d9e7a2b40"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "proposal_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("alt_text", sa.String(length=250), nullable=False),
        sa.Column("large_key", sa.String(length=80), nullable=False),
        sa.Column("small_key", sa.String(length=80), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("small_width", sa.Integer(), nullable=False),
        sa.Column("small_height", sa.Integer(), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("hidden_at", katilim.core.models.TZDateTime(timezone=True), nullable=True),
        sa.Column("hidden_reason", sa.Text(), nullable=True),
        sa.Column("hidden_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", katilim.core.models.TZDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["hidden_by_id"],
            ["users.id"],
            name=op.f("fk_proposal_photos_hidden_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_proposal_photos_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_photos")),
        sa.UniqueConstraint("large_key", name=op.f("uq_proposal_photos_large_key")),
        sa.UniqueConstraint("small_key", name=op.f("uq_proposal_photos_small_key")),
    )
    op.create_index(
        "ix_proposal_photos_proposal_position",
        "proposal_photos",
        ["proposal_id", "position"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_proposal_photos_proposal_position", table_name="proposal_photos")
    op.drop_table("proposal_photos")
