"""Which councils a write touches, so that a commit makes stale only those councils' kept
figures and pages (katilim/core/cache.py), not every council's of the installation.

Every row a page shows belongs to a council: directly (a column pointing to ``councils``:
proposals, bodies, districts, meetings, accounts) or through the rows it points to (a vote
through its proposal and its voter, a membership through its body, a revision through its
comment). A row counts for every council it points into, through all its foreign keys.

Found without a query where the session already holds the row pointed to (it nearly always
does: the service that writes a vote has loaded its proposal), else by primary key, once per
row and transaction. A statement (``update(Proposal).where(Proposal.id == 7)``, an insert of
values) is read the same way: the row it names by primary key, foreign key or council.

A council's pages also show its district councils (their records on its /stats), so the
councils above a touched one are touched too.

When a write's council cannot be told (a row of the councils table itself, a row or statement
that names no council, a table outside any council), the answer is :data:`ALL`: every
council's generation moves. Correctness first: telling "only B" wrongly would leave A's page
stale.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Column, Table, inspect, select
from sqlalchemy.orm import InstanceState, Mapper, Session
from sqlalchemy.orm.interfaces import MANYTOONE
from sqlalchemy.sql import operators
from sqlalchemy.sql.dml import Delete, Insert, Update
from sqlalchemy.sql.elements import BinaryExpression, BindParameter, BooleanClauseList

# In a set of touched councils: every council (its generation is the installation's).
ALL = None
COUNCILS = "councils"
MAX_DEPTH = 4  # council ← body ← proposal ← comment ← revision
_MEMO = "katilim_touched_rows"  # session.info: (table, key) → the councils found, per transaction

Councils = frozenset[int] | None  # None: cannot be told (every council)


def clear(session: Session) -> None:
    """Forget what was looked up (after a commit or a rollback: rows may have moved)."""
    session.info.pop(_MEMO, None)


def of_instance(session: Session, instance: Any) -> Councils:
    """The councils a row being added, changed or deleted belongs to, or None (every one)."""
    state = inspect(instance)
    if state.mapper.local_table.name == COUNCILS:
        return ALL  # a council's names or parent show on other councils' pages
    return _of_state(session, state, 0)


def of_statement(session: Session, statement: Any, parameters: Any = None) -> Councils:
    """The councils an INSERT, UPDATE or DELETE statement writes in, or None (every one).

    An UPDATE or DELETE is read from its conditions: one that names rows by primary key, by a
    foreign key or by council (``Vote.proposal_id == 7``, ``Proposal.id.in_(ids)``). An INSERT
    from its values, or the rows of parameters executed with it.
    """
    table = getattr(statement, "table", None)
    if not isinstance(table, Table):
        return ALL
    if table.name == COUNCILS:
        return ALL
    # What the statement was given (SQLAlchemy keeps it in these attributes, and names them
    # nowhere else): its values() and its where() conditions.
    values = getattr(statement, "_values", None)
    criteria = getattr(statement, "_where_criteria", ())
    if isinstance(statement, Insert):
        selected = _selected_values(statement, parameters)
        if selected is not None:  # INSERT … SELECT of values
            return _of_value_rows(session, table, [selected])
        return _of_value_rows(session, table, _rows(table, values, parameters))
    if isinstance(statement, Update | Delete):
        if parameters and not criteria:  # rows of parameters, by primary key
            return _of_value_rows(session, table, _rows(table, None, parameters))
        found = _of_conditions(session, table, criteria, parameters)
        if found is not ALL and isinstance(statement, Update) and values:
            moved = _of_value_rows(session, table, _rows(table, values, parameters))
            return found | moved if moved is not ALL else found
        return found
    return ALL


def with_parents(session: Session, councils: Iterable[int]) -> frozenset[int]:
    """``councils`` and every council above them (a district council's provincial council)."""
    found: set[int] = set()
    todo = list(councils)
    while todo:
        council_id = todo.pop()
        if council_id in found:
            continue
        found.add(council_id)
        parent = _parent_of(session, council_id)
        if parent is not None:
            todo.append(parent)
    return frozenset(found)


# -- rows held by the session


def _of_state(session: Session, state: InstanceState, depth: int) -> Councils:
    mapper = state.mapper
    table = mapper.local_table
    if not isinstance(table, Table):
        return ALL
    if table.name == COUNCILS:  # a council given as an object (a new proposal's)
        key = state.identity
        return frozenset({key[0]}) if key else ALL
    links = [(c, t) for c, t in _foreign_keys(table) if t.table is not table]  # not a reply's
    # A row that names its council (a proposal, a body, an account) belongs to it: the rows it
    # points to (its author, its body) are that council's too, or above it.
    found = {v for c, t in links if t.table.name == COUNCILS for v in _values(state, mapper, c)}
    told = bool(found)
    for column, target in links if not told else ():
        values = _values(state, mapper, column)
        if depth >= MAX_DEPTH:
            continue
        for value in values:
            councils = _of_row(session, target, value, depth + 1)
            if councils:
                found.update(councils)
                told = True
    # A row pointed to by an object not yet flushed (a new event of a new proposal): its
    # foreign key is still empty, the object is there.
    if depth < MAX_DEPTH and not told:
        for relationship in mapper.relationships:
            if relationship.direction is not MANYTOONE or relationship.key not in state.dict:
                continue
            history = state.attrs[relationship.key].history
            for related in (*history.added, *history.unchanged, *history.deleted):
                if related is None:
                    continue
                councils = _of_related(session, inspect(related), depth + 1)
                if councils:
                    found.update(councils)
                    told = True
    if state.identity is not None and (not told or _moved_unseen(state, mapper, table)):
        # Held, but what tells its council was expired by a commit, or changed without the
        # old value having been loaded: the database still has the row as it was.
        primary = list(mapper.primary_key)
        if len(primary) == 1 and isinstance(primary[0], Column):
            councils = _read(session, table, primary[0], state.identity[0], depth)
            if councils:
                found.update(councils)
                told = True
    return frozenset(found) if told else ALL


def _moved_unseen(state: InstanceState, mapper: Mapper, table: Table) -> bool:
    """Whether a column pointing elsewhere was set while its old value was never loaded."""
    for column, _target in _foreign_keys(table):
        try:
            key = mapper.get_property_by_column(column).key
        except Exception:  # noqa: BLE001
            continue
        history = state.attrs[key].history
        if history.added and not (history.deleted or history.unchanged):
            return True
    return False


def _of_related(session: Session, state: InstanceState, depth: int) -> Councils:
    """A row another one points to: by its key when it has one (read if the session's copy
    was expired by a commit), else (not yet flushed) by what it holds."""
    primary = list(state.mapper.primary_key)
    if state.identity and len(primary) == 1 and isinstance(primary[0], Column):
        return _of_row(session, primary[0], state.identity[0], depth)
    return _of_state(session, state, depth)


def _values(state: InstanceState, mapper: Mapper, column: Column) -> set[Any]:
    """The values a column of a held row has and had in this transaction (never loaded)."""
    try:
        key = mapper.get_property_by_column(column).key
    except Exception:  # noqa: BLE001 — a column no attribute maps
        return set()
    history = state.attrs[key].history
    return {v for v in (*history.added, *history.unchanged, *history.deleted) if v is not None}


# -- rows named by key


def _of_row(session: Session, target: Column, value: Any, depth: int) -> Councils:
    """The councils of the row whose ``target`` column (a primary key) is ``value``."""
    table = target.table
    if not isinstance(table, Table):
        return ALL
    if table.name == COUNCILS:
        return frozenset({value})
    memo = session.info.setdefault(_MEMO, {})
    name = (table.name, target.name, value)
    if name in memo:
        return memo[name]
    instance = _held(session, table, target, value)
    if instance is not None:  # read by key if what the session holds cannot tell
        found = _of_state(session, inspect(instance), depth)
    else:
        found = _read(session, table, target, value, depth)
    memo[name] = found
    return found


def _held(session: Session, table: Table, target: Column, value: Any) -> Any:
    """The session's copy of the row whose primary key ``target`` is ``value``, if held."""
    mapper = _mapper_of(table)
    primary = list(mapper.primary_key) if mapper is not None else []
    if mapper is None or len(primary) != 1 or primary[0] is not target:
        return None
    return session.identity_map.get(mapper.identity_key_from_primary_key((value,)))


def _read(session: Session, table: Table, target: Column, value: Any, depth: int) -> Councils:
    """One query by key: the row's columns that point elsewhere, followed as above."""
    links = [(column, to) for column, to in _foreign_keys(table) if to.table is not table]
    if not links:
        return ALL
    row = (
        session.connection()
        .execute(select(*(column for column, _to in links)).where(target == value))
        .first()
    )
    if row is None:
        return frozenset()  # no such row: nothing of it is written
    named = {v for (_c, to), v in zip(links, row, strict=True) if to.table.name == COUNCILS}
    if named - {None}:
        return frozenset(named - {None})  # it names its council (as in ``_of_state``)
    found: set[int] = set()
    told = False
    for (_column, to), linked in zip(links, row, strict=True):
        if linked is None or (to.table.name != COUNCILS and depth >= MAX_DEPTH):
            continue
        councils = _of_row(session, to, linked, depth + 1)
        if councils:
            found.update(councils)
            told = True
    return frozenset(found) if told else ALL


def _parent_of(session: Session, council_id: int) -> int | None:
    memo = session.info.setdefault(_MEMO, {})
    name = ("parent", council_id)
    if name not in memo:
        memo[name] = _held_parent(session, council_id)
        if memo[name] is _UNKNOWN:
            councils = _table(COUNCILS)
            memo[name] = (
                session.connection()
                .execute(select(councils.c.parent_id).where(councils.c.id == council_id))
                .scalar()
                if councils is not None
                else None
            )
    return memo[name]


_UNKNOWN = object()


def _held_parent(session: Session, council_id: int) -> Any:
    councils = _table(COUNCILS)
    mapper = _mapper_of(councils) if councils is not None else None
    if mapper is None:
        return _UNKNOWN
    instance = session.identity_map.get(mapper.identity_key_from_primary_key((council_id,)))
    if instance is None:
        return _UNKNOWN
    state = inspect(instance)
    history = state.attrs["parent_id"].history
    if not (history.added or history.unchanged or history.deleted):
        return _UNKNOWN  # not loaded (expired by an earlier commit)
    return (history.added or history.unchanged or [None])[0]


# -- statements


def _rows(table: Table, values: Mapping | None, parameters: Any) -> list[dict[str, Any]]:
    """The rows of column values a statement writes (its ``values()``, or the parameters)."""
    if values:
        return [{_column_name(table, key): _value(v, parameters) for key, v in values.items()}]
    if isinstance(parameters, Mapping):
        return [dict(parameters)]
    if isinstance(parameters, list | tuple) and all(isinstance(p, Mapping) for p in parameters):
        return [dict(p) for p in parameters]
    return []


def _column_name(table: Table, key: Any) -> str:
    return key.name if isinstance(key, Column) else str(key)


def _value(value: Any, parameters: Any = None) -> Any:
    """A value given to a statement: a bound parameter's own, or the one it was executed with
    (a statement built once with named parameters)."""
    if not isinstance(value, BindParameter):
        return value
    if value.value is None and isinstance(parameters, Mapping) and value.key in parameters:
        return parameters[value.key]
    return value.effective_value


def _selected_values(statement: Insert, parameters: Any) -> dict[str, Any] | None:
    """The row an ``INSERT … SELECT`` of bound values writes (column → value), else None."""
    query = getattr(statement, "select", None)
    names = getattr(statement, "_select_names", None)
    if query is None or not names:
        return None
    selected = list(getattr(query, "selected_columns", ()))
    if len(selected) != len(names):
        return None
    return {
        str(getattr(name, "name", name)): _value(getattr(column, "element", column), parameters)
        for name, column in zip(names, selected, strict=True)
    }


def _of_value_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> Councils:
    if not rows:
        return ALL
    found: set[int] = set()
    for row in rows:
        told = False
        for column, target in _foreign_keys(table):
            value = row.get(column.name)
            if not isinstance(value, int | str) or target.table is table:
                continue  # none, an SQL expression, or a row of the same table
            councils = _of_row(session, target, value, 1)
            if councils:
                found.update(councils)
                told = True
        primary = list(table.primary_key.columns)
        if not told and len(primary) == 1 and isinstance(row.get(primary[0].name), int | str):
            councils = _of_row(session, primary[0], row[primary[0].name], 0)
            if councils:
                found.update(councils)
                told = True
        if not told:
            return ALL
    return frozenset(found)


def _of_conditions(
    session: Session, table: Table, criteria: tuple, parameters: Any = None
) -> Councils:
    """The councils of the rows an UPDATE or DELETE names in one of its AND-ed conditions."""
    primary = list(table.primary_key.columns)
    links = {column: target for column, target in _foreign_keys(table)}
    for named, values in _equalities(criteria, parameters):
        # The ORM's columns are annotated copies of the table's: matched by name.
        if getattr(named.table, "name", None) != table.name:
            continue
        column = table.c.get(named.name)
        if column is None:
            continue
        if not values:
            return frozenset()  # ``IN ()``: the statement writes no row
        target: Column
        if column in links:  # the row pointed to (it outlives the rows that point to it)
            target = links[column]
        elif len(primary) == 1 and column is primary[0]:
            target = column
        else:
            continue
        found: set[int] = set()
        for value in values:
            councils = _of_row(session, target, value, 0 if target is column else 1)
            if councils is ALL:
                break
            found.update(councils)  # none: no such row, the statement writes nothing of it
        else:
            return frozenset(found)
    return ALL


def _equalities(criteria: Iterable[Any], parameters: Any) -> Iterable[tuple[Column, list[Any]]]:
    """``column == value`` and ``column IN (values)`` among conditions joined by AND."""
    for criterion in criteria:
        if isinstance(criterion, BooleanClauseList) and criterion.operator is operators.and_:
            yield from _equalities(criterion.clauses, parameters)
        elif isinstance(criterion, BinaryExpression) and isinstance(criterion.left, Column):
            right = criterion.right
            if not isinstance(right, BindParameter):
                continue
            value = _value(right, parameters)
            if criterion.operator is operators.eq and isinstance(value, int | str):
                yield criterion.left, [value]
            elif criterion.operator is operators.in_op and isinstance(value, list | tuple):
                yield criterion.left, list(value)


# -- the schema


_mappers: dict[str, Mapper | None] = {}
_links: dict[str, list[tuple[Column, Column]]] = {}


def _foreign_keys(table: Table) -> list[tuple[Column, Column]]:
    """(column, the primary key it points to) for each foreign key of the table."""
    if table.name not in _links:
        _links[table.name] = [
            (column, foreign.column)
            for column in table.c
            for foreign in list(column.foreign_keys)[:1]
        ]
    return _links[table.name]


def _mapper_of(table: Table) -> Mapper | None:
    """The mapped class of a table (None for an association table such as proposal_tags)."""
    if table.name not in _mappers:
        from katilim.extensions import Base

        for mapper in Base.registry.mappers:
            if isinstance(mapper.local_table, Table):
                _mappers[mapper.local_table.name] = mapper
        _mappers.setdefault(table.name, None)
    return _mappers[table.name]


def _table(name: str) -> Table | None:
    from katilim.extensions import db

    return db.metadata.tables.get(name)
