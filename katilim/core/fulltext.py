"""The full-text index of proposals: one vector per proposal, the same on both databases.

(Here, below the domains, because the model installs it; katilim.proposals.queries searches.)

A proposal's title, summary and text (with its tags) are folded in Python
(katilim.core.text.fold_words: Turkish lower case, ı → i, no diacritics) and written as a
PostgreSQL ``tsvector`` literal in ``proposals.search_vector``: each folded word once per
field, weighted A (title), B (summary) or C (text and tags). Python builds it, not the
database's parser, so that a word is exactly what the search has always called a word
("foo_bar" is one word; the parser would split it), and both databases index the same words.

- PostgreSQL: the column is a ``tsvector`` under the GIN index ix_proposals_search_vector;
  a search is a ``tsquery`` of prefix terms (``'bisiklet':*``), built here, never parsed
  from the visitor's text, so no operator or quote typed in the box reaches the database.
- SQLite: the column holds the same literal as text, and an FTS5 table (proposals_fts, one
  row per proposal, rowid = the proposal's id) holds the three fields, written from it after
  every insert and update of a proposal (the mapper events below) and emptied by a trigger
  on every delete, bulk deletes included. A search is an FTS5 prefix query (``"bisiklet"*``).

Relevance is in three tiers, identical on both databases: every term in the title; every
term in the title or summary; anywhere. Within a tier, newest first. Each tier is read in
the order of an index like the plain list, never by ranking all matches of a common word.
"""

import re

from sqlalchemy import DDL, Connection, event, inspect, text

from katilim.core.text import fold_words

# A word longer than this is indexed (and searched) by its first MAX_WORD characters:
# PostgreSQL refuses lexemes of 2 KB and more, and a folded character takes up to 4 bytes.
MAX_WORD = 255
WEIGHTS = ("A", "B", "C")  # title, summary, text and tags
FTS_COLUMNS = ("title", "summary", "body")
FTS_TABLE = "proposals_fts"
# The FTS5 objects SQLite keeps besides the table itself; autogenerate must not see them.
FTS_TABLES = frozenset(
    {
        FTS_TABLE,
        *(f"{FTS_TABLE}_{part}" for part in ("data", "idx", "content", "docsize", "config")),
    }
)
# Words of letters, digits and "_", as fold_words splits them: no other character is a word
# character, so "_" is the only one FTS5's tokenizer must be told about.
FTS_CREATE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    f"{', '.join(FTS_COLUMNS)}, tokenize=\"unicode61 remove_diacritics 0 tokenchars '_'\")"
)
FTS_TRIGGER = (
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_delete AFTER DELETE ON proposals "
    f"BEGIN DELETE FROM {FTS_TABLE} WHERE rowid = old.id; END"
)
FTS_DROP = (f"DROP TRIGGER IF EXISTS {FTS_TABLE}_delete", f"DROP TABLE IF EXISTS {FTS_TABLE}")

# PostgreSQL: the vector cut to the title's words, and to the title's and summary's, each
# under a GIN index of its own, so that the first two relevance tiers are read from an index
# and the planner knows how many proposals each matches (ANALYZE keeps statistics of an
# indexed expression; a weight restriction in a tsquery it cannot estimate, nor can the GIN
# index of the whole vector answer it without reading every row the word is in).
FIELD_FILTERS = {("title",): "{a}", ("title", "summary"): "{a,b}"}
FIELD_INDEXES = {
    "ix_proposals_search_title": "{a}",
    "ix_proposals_search_title_summary": "{a,b}",
}
PG_INDEXES = tuple(
    f"CREATE INDEX IF NOT EXISTS {name} ON proposals "
    f"USING gin (ts_filter(search_vector, '{weights}'))"
    for name, weights in FIELD_INDEXES.items()
)

_ENTRY = re.compile(r"'((?:[^']|'')*)':([\d,A-D]+)")


def index_words(text: str) -> list[str]:
    return [word[:MAX_WORD] for word in fold_words(text)]


def search_vector(title: str, summary: str, text: str, tags: str = "") -> str:
    """The tsvector literal of a proposal: each folded word once per field, with its weight.

    One position per word and field keeps the vector small (a word said ten times in the
    text counts once) and the tiers plain."""
    entries: dict[str, list[str]] = {}
    position = 0
    seen: set[tuple[str, str]] = set()
    fields = (title, summary, f"{text} {tags}")
    for weight, field in zip(WEIGHTS, fields, strict=True):
        for word in index_words(field):
            if (word, weight) in seen:
                continue
            seen.add((word, weight))
            position = min(position + 1, 16383)
            entries.setdefault(word, []).append(f"{position}{weight}")
    return " ".join(
        "'{}':{}".format(word.replace("'", "''"), ",".join(spots))
        for word, spots in sorted(entries.items())
    )


def vector_fields(vector: str | None) -> tuple[str, str, str]:
    """The folded words of each field (title, summary, text) of a search_vector literal."""
    fields: tuple[list[str], ...] = ([], [], [])
    for word, spots in _ENTRY.findall(vector or ""):
        for spot in set(spots.split(",")):
            if spot[-1:] in WEIGHTS:
                fields[WEIGHTS.index(spot[-1])].append(word.replace("''", "'"))
    return tuple(" ".join(words) for words in fields)  # type: ignore[return-value]


# -- the query: each term is given with its alternatives (its softened stem), any of which
# must start a word. Terms are folded words (letters, digits, "_"): nothing to escape, but
# each is quoted all the same, so no operator typed in the box reaches either engine.


def tsquery(terms: list[list[str]]) -> str:
    """PostgreSQL: every term starts a word (of the fields the vector it is matched with
    holds: katilim.proposals.queries.matches cuts it with ts_filter for a tier)."""
    return " & ".join(
        "(" + " | ".join(f"'{v[:MAX_WORD]}':*" for v in variants) + ")" for variants in terms
    )


def fts5_query(terms: list[list[str]], columns: tuple[str, ...] = ()) -> str:
    """SQLite FTS5: the same, limited to ``columns`` if given."""
    scope = "{" + " ".join(columns) + "} : " if columns else ""
    return " AND ".join(
        scope + "(" + " OR ".join(f'"{v[:MAX_WORD]}"*' for v in variants) + ")"
        for variants in terms
    )


# -- keeping the SQLite index in step


def write_fts_row(connection: Connection, proposal_id: int, vector: str | None) -> None:
    connection.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :id"), {"id": proposal_id})
    connection.execute(
        text(
            f"INSERT INTO {FTS_TABLE} (rowid, {', '.join(FTS_COLUMNS)}) "
            "VALUES (:id, :title, :summary, :body)"
        ),
        dict(zip(("title", "summary", "body"), vector_fields(vector), strict=True), id=proposal_id),
    )


def rebuild_fts(connection: Connection) -> int:
    """Fill the SQLite index from every proposal's search_vector (the migration, the
    benchmark's bulk load). Returns the number of proposals indexed."""
    connection.execute(text(f"DELETE FROM {FTS_TABLE}"))
    rows = connection.execute(text("SELECT id, search_vector FROM proposals")).all()
    for proposal_id, vector in rows:
        write_fts_row(connection, proposal_id, vector)
    return len(rows)


def _after_write(mapper, connection: Connection, target) -> None:
    if connection.dialect.name != "sqlite":
        return
    if inspect(target).attrs.search_vector.history.has_changes():
        write_fts_row(connection, target.id, target.search_vector)


def install(proposal_class) -> None:
    """Create the SQLite index with the table (db.create_all) and keep it in step."""
    table = proposal_class.__table__
    for statement in (FTS_CREATE, FTS_TRIGGER):
        event.listen(table, "after_create", DDL(statement).execute_if(dialect="sqlite"))
    for statement in PG_INDEXES:
        event.listen(table, "after_create", DDL(statement).execute_if(dialect="postgresql"))
    for statement in FTS_DROP:
        event.listen(table, "before_drop", DDL(statement).execute_if(dialect="sqlite"))
    event.listen(proposal_class, "after_insert", _after_write)
    event.listen(proposal_class, "after_update", _after_write)


def include_name(name: str | None, type_: str, parent_names) -> bool:
    """For autogenerate: SQLite's FTS5 tables and PostgreSQL's indexes of a field's words are
    made outside the models (above: an index on an expression of one database only)."""
    if type_ == "table":
        return name not in FTS_TABLES
    return not (type_ == "index" and name in FIELD_INDEXES)
