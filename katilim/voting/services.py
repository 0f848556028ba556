"""Casting, changing and taking back a vote, with counters that follow the rows.

A counter changes only by what one statement of this transaction did to the vote row, known
from that statement's own result: an insert that wrote a row (0 → value), or an update or
delete conditioned on the value read before (``… WHERE value = old``) that hit the row
(old → value). The database decides each of these atomically, so in every interleaving of
requests (two tabs, a double click) the sum of the changes equals the rows. A write that finds
the row changed by a concurrent request of the same person writes nothing and counts nothing;
the request reads the vote again and starts over from what is there. Counters change by SQL
expressions (``supports_count + 1``), never by values read earlier, so different voters
never overwrite each other.
"""

from functools import cache
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import (
    BindParameter,
    Executable,
    Insert,
    Integer,
    Row,
    SmallInteger,
    Update,
    bindparam,
    delete,
    exists,
    select,
    update,
)
from sqlalchemy.orm.attributes import set_committed_value

from katilim.core.errors import InvalidTransition, PermissionDenied
from katilim.core.models import INSERTS, TZDateTime, affected_rows, utcnow
from katilim.core.params import parse_int
from katilim.extensions import db
from katilim.organization.models import Body
from katilim.proposals import permissions
from katilim.proposals.models import VOTING_OPEN, Proposal
from katilim.proposals.threshold import check_threshold
from katilim.voting.models import Vote

VALUES = (1, -1, 0)  # for, against, take back


def parse_vote(raw: str | None) -> int | None:
    """A vote value sent by a form ("1", "-1", "0"), or None for anything else."""
    value = parse_int(raw)
    return value if value in VALUES else None


# Each further attempt means another request of the same person committed a change of this
# vote in between; past a few of them, that person's latest committed vote stands.
ATTEMPTS = 5


# The statements of a vote are built once per kind (old → new value, database) with named
# parameters, and reused: building and keying them on every vote cost more than running them.
_PARAMETERS = {
    "proposal": Integer(),
    "user": Integer(),
    "value": SmallInteger(),
    "council": Integer(),
    "now": TZDateTime(),
}


def _parameter(name: str) -> BindParameter:
    return bindparam(name, type_=_PARAMETERS[name])


def _counters_statement(old: int, new: int) -> Update:
    """The UPDATE applying one vote's change (old → new) to the counters, which returns them
    with what the threshold check needs (so that a vote reads no body)."""
    # updated_at given here, not left to its onupdate: with the vote's insert as a CTE of the
    # statement, the compiler would leave that default's parameter empty.
    changes: dict[str, Any] = {"updated_at": _parameter("now")}
    if old == 1 or new == 1:
        changes["supports_count"] = Proposal.supports_count + (1 if new == 1 else -1)
    if old == -1 or new == -1:
        changes["opposes_count"] = Proposal.opposes_count + (1 if new == -1 else -1)
    threshold = select(Body.support_threshold).where(Body.id == Proposal.body_id).scalar_subquery()
    return (
        update(Proposal)
        .where(Proposal.id == _parameter("proposal"))
        .values(**changes)
        .returning(
            Proposal.supports_count,
            Proposal.opposes_count,
            # Compared in Python: SQLite (3.40) answered "IS NULL" wrongly in this RETURNING.
            Proposal.threshold_reached_at,
            threshold.label("threshold"),
        )
    )


@cache
def _change_statement(old: int, new: int) -> Update:
    return _counters_statement(old, new)


@cache
def _new_vote_statements(dialect: str, value: int, open_only: bool) -> tuple[Executable, ...]:
    """The statements writing a person's first vote and counting it; the last returns the
    counters, or nothing if no row was written (one is there, or came meanwhile).

    PostgreSQL does both in one statement (the insert is a CTE that the counters' UPDATE
    waits on: no row written, no row updated); SQLite runs the two one after the other.
    ``open_only``: the row is written only if the proposal is the council's and open to votes,
    known from the same statement, for a vote whose proposal was not read first.
    """
    now = _parameter("now")
    columns = (Vote.proposal_id, Vote.user_id, Vote.value, Vote.created_at, Vote.updated_at)
    row = (_parameter("proposal"), _parameter("user"), _parameter("value"), now, now)
    insert = INSERTS[dialect](Vote)
    if open_only:
        statement = insert.from_select(
            list(columns),
            select(*row).where(
                Proposal.id == _parameter("proposal"),
                Proposal.council_id == _parameter("council"),
                Proposal.status.in_(VOTING_OPEN),
                Proposal.is_hidden.is_(False),
            ),
        )
    else:
        statement = insert.values(dict(zip(columns, row, strict=True)))
    writing = statement.on_conflict_do_nothing(
        index_elements=[Vote.proposal_id, Vote.user_id]
    ).returning(Vote.id)
    counting = _counters_statement(0, value)
    if dialect == "postgresql":
        written = writing.cte("written_vote")
        return (counting.where(exists(select(written.c.id))),)
    return writing, counting


def _run(statement: Executable, parameters: dict) -> Row | None:
    # An ORM insert given a dict of parameters would take them for the rows' attributes.
    options = {"dml_strategy": "raw"} if isinstance(statement, Insert) else {}
    return db.session.execute(
        statement, parameters, execution_options={"synchronize_session": False, **options}
    ).first()


def _shift_counters(proposal_id: int, old: int, new: int) -> Row:
    """Apply one vote's change (old → new) to the counters; them after it."""
    return db.session.execute(
        _change_statement(old, new),
        {"proposal": proposal_id, "now": utcnow()},
        execution_options={"synchronize_session": False},
    ).one()


def _may_reach_threshold(counts: Row, value: int) -> bool:
    return bool(
        value == 1
        and counts.threshold_reached_at is None
        and counts.threshold is not None
        and counts.supports_count >= counts.threshold
    )


def _insert_vote(
    proposal_id: int, user_id: int, value: int, *, open_in_council: int | None = None
) -> Row | None:
    """Write the vote if the person has none, and count it: the counters after it, or None
    if a row exists (or came meanwhile), which is then neither written nor counted.

    ``open_in_council``: write it only if the proposal is this council's and open to votes,
    known from the same statement (else None too), for a vote whose proposal was not read.
    """
    dialect = db.session.get_bind().dialect.name
    parameters = {
        "proposal": proposal_id,
        "user": user_id,
        "value": value,
        "council": open_in_council,
        "now": utcnow(),
    }
    *writes, last = _new_vote_statements(dialect, value, open_in_council is not None)
    for statement in writes:
        if _run(statement, parameters) is None:
            return None
    return _run(last, parameters)


def _replace_vote(proposal: Proposal, user, old: int, value: int) -> bool:
    """Change the vote from ``old`` to ``value`` (0: delete it), only if it is still ``old``."""
    statement = delete(Vote) if value == 0 else update(Vote).values(value=value)
    result = db.session.execute(
        statement.where(
            Vote.proposal_id == proposal.id, Vote.user_id == user.id, Vote.value == old
        ),
        execution_options={"synchronize_session": False},
    )
    return affected_rows(result) == 1


def get_vote_value(user, proposal: Proposal) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    value = db.session.scalar(
        select(Vote.value).where(Vote.proposal_id == proposal.id, Vote.user_id == user.id)
    )
    return value or 0


def cast_vote(user, proposal: Proposal, value: int) -> int:
    """Set the user's vote on a proposal to +1, -1, or 0 (taken back); return ``value``.

    ``proposal`` needs only its status, visibility and number loaded (``vote_loads``): the
    counters and the body's threshold come back from the statement that changes them.

    :raises PermissionDenied: if the user may not vote (not verified).
    :raises InvalidTransition: if voting on this proposal is closed.
    """
    if value not in VALUES:
        raise ValueError(value)
    if not permissions.is_participant(user):
        raise PermissionDenied(_("Please verify your e-mail address before you vote."))
    if not proposal.is_voting_open:
        raise InvalidTransition(_("Voting on this proposal is closed."))

    counts = _write_vote(proposal, user, value)
    if counts is not None:
        set_committed_value(proposal, "supports_count", counts.supports_count)
        set_committed_value(proposal, "opposes_count", counts.opposes_count)
        if _may_reach_threshold(counts, value):
            check_threshold(proposal)
    return value


def cast_new_vote(user, council_id: int, proposal_id: int, value: int) -> bool:
    """The common vote in one statement, without reading the proposal first: a verified
    person's first vote for or against an open proposal of this council, counted. False,
    having written nothing, when anything else holds (no such proposal, or not open; a vote
    already there; a person who may not vote): :func:`cast_vote` then goes the whole way and
    says why."""
    if value not in (1, -1) or not permissions.is_participant(user):
        return False
    counts = _insert_vote(proposal_id, user.id, value, open_in_council=council_id)
    if counts is None:
        return False
    if _may_reach_threshold(counts, value):
        check_threshold(db.session.get_one(Proposal, proposal_id))
    return True


def _write_vote(proposal: Proposal, user, value: int) -> Row | None:
    """Make the person's vote ``value`` and count the change; the counters after it, or
    None if this request changed nothing (the vote already was ``value``).

    A vote for or against is first inserted (most votes are a person's first on a proposal);
    only if a row is there is it read and changed. Taking back reads first. The counters
    change by what the statement that changed the row says it changed.
    """
    for _attempt in range(ATTEMPTS):
        if value != 0:
            counts = _insert_vote(proposal.id, user.id, value)
            if counts is not None:
                return counts
        old = get_vote_value(user, proposal)
        if old == value:
            return None
        if old != 0 and _replace_vote(proposal, user, old, value):
            return _shift_counters(proposal.id, old, value)
        # The row changed (or went away) after it was read: start over from what is there.
    return None
