"""Indexes for a city-sized site: trigram search (PostgreSQL), newest-first list

Revision ID: b7c1e2d3a4f5
Revises: f3e0c6df3f41
Create Date: 2026-11-25 13:30:00

ix_proposals_council_published serves the whole council's list newest first in index
order. ix_proposals_search, a GIN trigram index on the folded search text, serves the
word-prefix ``search_text LIKE '% term%'`` of katilim.proposals.queries.apply_search
unchanged; PostgreSQL only (SQLite gets an empty placeholder of the same name). pg_trgm is a
contrib extension that PostgreSQL 13+ marks trusted: the database owner may create it.
"""

from alembic import op
from sqlalchemy import text

revision = "b7c1e2d3a4f5"
down_revision = "f3e0c6df3f41"
branch_labels = None
depends_on = None


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    # Every database: the whole list, newest first, read in index order.
    op.create_index(
        "ix_proposals_council_published", "proposals", ["council_id", "published_at", "id"]
    )
    # is_hidden and body_id added: the list's COUNT(*) and the per-body counts are then
    # answered from the index alone.
    op.drop_index("ix_proposals_council_status_published", table_name="proposals")
    op.create_index(
        "ix_proposals_council_status_published",
        "proposals",
        ["council_id", "status", "is_hidden", "published_at", "body_id"],
    )
    op.drop_index("ix_proposals_body_status_published", table_name="proposals")
    op.create_index(
        "ix_proposals_body_status_published",
        "proposals",
        ["body_id", "status", "is_hidden", "published_at"],
    )
    if not _postgresql():
        # SQLite cannot use an index for this LIKE: an empty one, so the schema matches the
        # model's declaration on every database.
        op.execute("CREATE INDEX ix_proposals_search ON proposals (search_text) WHERE 0")
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # The operator class lives in whichever schema the extension was first created in,
    # which need not be on this connection's search path: name it in full.
    schema = op.get_bind().scalar(
        text(
            "SELECT n.nspname FROM pg_extension e "
            "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"
        )
    )
    op.execute(
        "CREATE INDEX ix_proposals_search ON proposals "
        f'USING gin (search_text "{schema}".gin_trgm_ops)'
    )


def downgrade():
    op.drop_index("ix_proposals_council_published", table_name="proposals")
    op.drop_index("ix_proposals_council_status_published", table_name="proposals")
    op.create_index(
        "ix_proposals_council_status_published",
        "proposals",
        ["council_id", "status", "published_at"],
    )
    op.drop_index("ix_proposals_body_status_published", table_name="proposals")
    op.create_index(
        "ix_proposals_body_status_published", "proposals", ["body_id", "status", "published_at"]
    )
    op.execute("DROP INDEX ix_proposals_search")
