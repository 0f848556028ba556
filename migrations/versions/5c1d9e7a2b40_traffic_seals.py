"""traffic seals

The daily seals over the Law 5651 traffic records (katilim/privacy/seals.py): one row per
sealed day, each naming the previous day's seal. The retention run seals the days already
recorded on its first run after this migration.

Revision ID: 5c1d9e7a2b40
Revises: 5d1c0a7e9b42
Create Date: 2026-11-26 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import katilim.core.models

# revision identifiers, used by Alembic.
revision = "5c1d9e7a2b40"
down_revision = "5d1c0a7e9b42"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "traffic_seals",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("previous_hash", sa.String(length=64), nullable=False),
        sa.Column("seal_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", katilim.core.models.TZDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_traffic_seals")),
    )


def downgrade():
    op.drop_table("traffic_seals")
