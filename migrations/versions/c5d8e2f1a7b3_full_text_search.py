"""full-text search: a weighted vector per proposal, GIN on PostgreSQL, FTS5 on SQLite

proposals.search_vector holds katilim.core.fulltext.search_vector of the folded title (A),
summary (B), and text and tags (C): a tsvector under the GIN index
ix_proposals_search_vector on PostgreSQL, with two GIN indexes of the vector cut to the
title's words and to the title's and summary's (the first two relevance tiers); the same literal as text on SQLite, which searches
the FTS5 table proposals_fts (written by the application on every insert and update, emptied
by a trigger on every delete). Existing proposals are indexed here, in batches of 2,000,
folded in Python as the application folds them (docs/deploy.md: about a minute per 100,000
proposals).

Revision ID: c5d8e2f1a7b3
Revises: a9c4e1f7b2d0
Create Date: 2026-12-05 14:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TSVECTOR

from katilim.core import fulltext

revision = "c5d8e2f1a7b3"
down_revision = "a9c4e1f7b2d0"
branch_labels = None
depends_on = None

BATCH = 2000


def _backfill(bind, postgresql: bool) -> None:
    value = "CAST(:vector AS tsvector)" if postgresql else ":vector"
    update = sa.text(f"UPDATE proposals SET search_vector = {value} WHERE id = :id")
    last = 0
    while True:
        rows = bind.execute(
            sa.text(
                "SELECT id, title, summary, text FROM proposals WHERE id > :last "
                "ORDER BY id LIMIT :batch"
            ),
            {"last": last, "batch": BATCH},
        ).all()
        if not rows:
            return
        tags: dict[int, list[str]] = {}
        for proposal_id, name in bind.execute(
            sa.text(
                "SELECT pt.proposal_id, t.name FROM proposal_tags pt "
                "JOIN tags t ON t.id = pt.tag_id WHERE pt.proposal_id BETWEEN :first AND :last"
            ),
            {"first": rows[0].id, "last": rows[-1].id},
        ):
            tags.setdefault(proposal_id, []).append(name)
        bind.execute(
            update,
            [
                {
                    "id": row.id,
                    "vector": fulltext.search_vector(
                        row.title, row.summary, row.text, " ".join(tags.get(row.id, []))
                    ),
                }
                for row in rows
            ],
        )
        last = rows[-1].id


def upgrade():
    bind = op.get_bind()
    postgresql = bind.dialect.name == "postgresql"
    kind = TSVECTOR() if postgresql else sa.Text()
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_vector", kind, nullable=True))
    _backfill(bind, postgresql)
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.alter_column("search_vector", existing_type=kind, nullable=False)
    if postgresql:
        op.create_index(
            "ix_proposals_search_vector",
            "proposals",
            ["search_vector"],
            postgresql_using="gin",
        )
        for statement in fulltext.PG_INDEXES:  # the title's words; the title's and summary's
            op.execute(statement)
        # The planner's statistics of the new vectors (how common each word is), now rather
        # than at autovacuum's next pass: they choose between the index and the list's order.
        op.execute("ANALYZE proposals")
        return
    # SQLite: an empty placeholder of the model's index (same name on both databases), then
    # the FTS5 table and its trigger (after the batch above, which rebuilds the table and
    # would drop a trigger on it), filled from the vectors just written.
    op.execute("CREATE INDEX ix_proposals_search_vector ON proposals (search_vector) WHERE 0")
    op.execute(fulltext.FTS_CREATE)
    op.execute(fulltext.FTS_TRIGGER)
    fulltext.rebuild_fts(bind)


def downgrade():
    op.drop_index("ix_proposals_search_vector", table_name="proposals")
    if op.get_bind().dialect.name == "postgresql":
        for name in fulltext.FIELD_INDEXES:
            op.drop_index(name, table_name="proposals")
    else:
        for statement in fulltext.FTS_DROP:
            op.execute(statement)
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_column("search_vector")
