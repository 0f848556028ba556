"""comment revisions, optional stance

A comment can be edited by its author for a short while (katilim/comments/services.py):
the earlier versions are kept in comment_revisions for moderators. A plain comment has no
stance, so comments.stance may be empty.

Revision ID: 8a4e2c6b1f70
Revises: 8a3f6c2d1e07
Create Date: 2026-12-04 21:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import katilim.core.models

# revision identifiers, used by Alembic.
revision = "8a4e2c6b1f70"
down_revision = "8a3f6c2d1e07"
branch_labels = None
depends_on = None

STANCE = sa.Enum("for", "against", "question", name="stance", native_enum=False, length=20)


def upgrade():
    op.create_table(
        "comment_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("stance", STANCE, nullable=True),
        sa.Column("edited_at", katilim.core.models.TZDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_comment_revisions_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_revisions")),
    )
    with op.batch_alter_table("comment_revisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_comment_revisions_comment_id"), ["comment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_comment_revisions_edited_at"), ["edited_at"], unique=False
        )
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.alter_column("stance", existing_type=STANCE, nullable=True)


def downgrade():
    # A plain comment had no stance before: it becomes a question, the closest neutral one.
    op.execute("UPDATE comments SET stance = 'question' WHERE stance IS NULL")
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.alter_column("stance", existing_type=STANCE, nullable=False)
    with op.batch_alter_table("comment_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comment_revisions_edited_at"))
        batch_op.drop_index(batch_op.f("ix_comment_revisions_comment_id"))
    op.drop_table("comment_revisions")
