"""the council's identity from its data: city, legal name, address and contact; consent words

Every text that names the council, its city or its legal identity now comes from the
council's data file (loaded by `flask load-council`), not from the code or settings; an
assisted submission keeps the very consent words read, naming the council.

Revision ID: 692af3dd3638
Revises: 6f3e7949510e
Create Date: 2026-12-05 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "692af3dd3638"
down_revision = "6f3e7949510e"
branch_labels = None
depends_on = None


def upgrade():
    # Defaults fill the existing council row; `flask load-council FILE` then fills it in.
    with op.batch_alter_table("councils", schema=None) as batch_op:
        batch_op.add_column(sa.Column("city_names", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(
            sa.Column("legal_name", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("address", sa.String(length=300), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("email", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("phone", sa.String(length=50), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("kvkk_contact", sa.String(length=200), nullable=False, server_default="")
        )
    with op.batch_alter_table("assisted_submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consent_text", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("assisted_submissions", schema=None) as batch_op:
        batch_op.drop_column("consent_text")
    with op.batch_alter_table("councils", schema=None) as batch_op:
        for column in ("kvkk_contact", "phone", "email", "address", "legal_name", "city_names"):
            batch_op.drop_column(column)
