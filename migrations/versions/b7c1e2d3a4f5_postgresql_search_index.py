"""PostgreSQL full-text index for the proposal search

Revision ID: b7c1e2d3a4f5
Revises: f3e0c6df3f41
Create Date: 2026-11-25 13:30:00

A GIN index on the words of the folded search text, for word-prefix tsqueries
(katilim.proposals.queries.apply_search). PostgreSQL only: SQLite keeps the LIKE scan.
The "simple" configuration is built in, so no extension (and no superuser) is needed.
"""

from alembic import op

revision = "b7c1e2d3a4f5"
down_revision = "f3e0c6df3f41"
branch_labels = None
depends_on = None


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    if _postgresql():
        op.execute(
            "CREATE INDEX ix_proposals_search ON proposals "
            "USING gin (to_tsvector('simple'::regconfig, search_text))"
        )


def downgrade():
    if _postgresql():
        op.execute("DROP INDEX ix_proposals_search")
