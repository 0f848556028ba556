"""What the top of a proposal page says first: the latest public answer and where it stands.

Read from what the page already loaded (the proposal, its body and its timeline), so the
page runs no extra query for them.
"""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from katilim.proposals.models import EventKind, Proposal, ProposalEvent, ProposalStatus

S = ProposalStatus

# The road a proposal travels when all goes well (DESIGN.md §4, Belediye Kanunu art. 76).
MAIN_PATH = (S.NEW, S.UNDER_REVIEW, S.ACCEPTED, S.FORWARDED, S.IMPLEMENTED)
# Steps a proposal may pass by: a moderator may accept without claiming it for review, and
# implement an accepted proposal without the municipal council.
SKIPPABLE = frozenset({S.UNDER_REVIEW, S.FORWARDED})
# Where it can stop instead: the tracker ends there.
END_STATES = frozenset({S.REJECTED, S.CLOSED, S.WITHDRAWN})

STEP_LABELS = {
    S.NEW: _l("Published"),
    S.UNDER_REVIEW: _l("Under review"),
    S.ACCEPTED: _l("Accepted"),
    S.REJECTED: _l("Rejected"),
    S.FORWARDED: _l("Forwarded to the municipal council"),
    S.IMPLEMENTED: _l("Implemented"),
    S.CLOSED: _l("Closed"),
    S.WITHDRAWN: _l("Withdrawn"),
}


@dataclass(frozen=True)
class Step:
    status: ProposalStatus
    state: str  # "done", "current" or "todo": said in words and by shape, not by colour
    when: datetime | date | None

    @property
    def label(self) -> str:
        return str(STEP_LABELS[self.status])


ANSWER_KINDS = frozenset({EventKind.ANSWERED, EventKind.STATUS_CHANGED})


@dataclass(frozen=True)
class Answer:
    event: ProposalEvent
    for_council: bool  # no body: the council answered through its general queue


def latest_answer(proposal: Proposal) -> Answer | None:
    """The body's latest public answer, from the timeline (events are in id order).

    A status change with a public text is an answer too (it starts the response clock in
    katilim/moderation/services.py), e.g. the reason of a rejection."""
    for event in reversed(proposal.events):
        if event.kind in ANSWER_KINDS and event.text and event.text.strip():
            return Answer(event=event, for_council=proposal.body is None)
    return None


def _reached_on(proposal: Proposal) -> dict[ProposalStatus, datetime | date]:
    """When each status was reached: the latest change to it on the timeline."""
    dates: dict[ProposalStatus, datetime | date] = {}
    if proposal.published_at is not None:
        dates[S.NEW] = proposal.published_at
    for event in proposal.events:
        if event.kind in (EventKind.STATUS_CHANGED, EventKind.WITHDRAWN) and event.to_value:
            try:
                status = S(event.to_value)
            except ValueError:
                continue
            if status != S.NEW:
                dates[status] = event.created_at
    if proposal.forwarded_on is not None:
        dates.setdefault(S.FORWARDED, proposal.forwarded_on)
    return dates


def status_steps(proposal: Proposal) -> list[Step]:
    """The lifecycle as an ordered list of steps with their dates and this proposal's place.

    On the main road, the steps before the current one are done, after it still to come; a
    step it went past without taking (accepted straight away, implemented without going to the
    municipal council) is left out rather than shown done. A proposal that stopped (rejected, closed, withdrawn)
    shows the steps it went through, then where it stopped.
    """
    if proposal.status == S.DRAFT:
        return []
    dates = _reached_on(proposal)
    if proposal.status in END_STATES:
        passed = [s for s in MAIN_PATH if s in dates and s != proposal.status]
        return [Step(s, "done", dates.get(s)) for s in passed] + [
            Step(proposal.status, "current", dates.get(proposal.status))
        ]
    here = MAIN_PATH.index(proposal.status)
    return [
        Step(
            status,
            "done" if i < here else "current" if i == here else "todo",
            dates.get(status) if i <= here else None,
        )
        for i, status in enumerate(MAIN_PATH)
        if not (i < here and status in SKIPPABLE and status not in dates)
    ]


@dataclass(frozen=True)
class SupportProgress:
    supports: int
    threshold: int

    @property
    def reached(self) -> bool:
        return self.supports >= self.threshold

    @property
    def shown_value(self) -> int:
        return min(self.supports, self.threshold)


def support_progress(proposal: Proposal) -> SupportProgress | None:
    """Supports against the body's threshold; none without a body (no threshold applies)."""
    if proposal.body is None or not proposal.body.support_threshold:
        return None
    return SupportProgress(proposal.supports_count, proposal.body.support_threshold)
