"""The rules of a proposal's life on the citizen's side: write, route, publish, edit, withdraw.

Services take the acting user first, check permissions again, raise DomainError subclasses,
flush and never commit: the route commits once.
"""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from katilim.core import fulltext
from katilim.core.errors import InvalidTransition, PermissionDenied
from katilim.core.models import utcnow
from katilim.core.text import clean_line, fold_words, render_markdown, search_key, tr_lower
from katilim.extensions import db
from katilim.notifications.services import follow_proposal, notify_event, notify_reviewers
from katilim.organization.models import Body, Council, District
from katilim.proposals import permissions
from katilim.proposals.models import (
    EventKind,
    Proposal,
    ProposalEvent,
    ProposalRevision,
    ProposalStatus,
    RoutingMethod,
    Tag,
)

MAX_TAGS = 5


@dataclass
class ProposalContent:
    """What the author writes; the same for a new proposal and an edit."""

    title: str
    summary: str
    text: str
    district: District | None = None
    tag_names: tuple[str, ...] = ()
    language: str = "tr"
    pseudonymous: bool = False  # publish without the author's name (katilim/proposals/authors)


def parse_tags(raw: str) -> tuple[str, ...]:
    """Split "tramvay, toplu taşıma" into distinct tag names, at most MAX_TAGS.

    An Arabic keyboard types the Arabic comma (،), so it separates tags too. Bidi controls and
    invisible characters are dropped (katilim.core.text.clean_line)."""
    seen, names = set(), []
    for part in (raw or "").replace("\u060c", ",").split(","):
        name = clean_line(part)[:60].strip()
        key = " ".join(fold_words(name))
        if key and key not in seen:
            seen.add(key)
            names.append(name)
    return tuple(names[:MAX_TAGS])


def _get_or_create_tags(names: tuple[str, ...]) -> list[Tag]:
    slugs = {"-".join(fold_words(n)): n for n in names}
    found = {t.slug: t for t in db.session.scalars(select(Tag).where(Tag.slug.in_(slugs)))}
    tags = []
    for slug, name in slugs.items():
        tag = found.get(slug)
        if tag is None:
            tag = Tag(slug=slug, name=tr_lower(name))
            db.session.add(tag)
        tags.append(tag)
    return tags


def apply_content(proposal: Proposal, content: ProposalContent) -> None:
    proposal.title = clean_line(content.title)  # a label others read: no bidi tricks
    proposal.summary = content.summary.strip()
    proposal.text = content.text.strip()
    proposal.text_html = render_markdown(proposal.text)
    proposal.district = content.district
    proposal.language = content.language
    proposal.is_pseudonymous = content.pseudonymous
    proposal.tags = _get_or_create_tags(content.tag_names)
    proposal.search_text = search_key(
        proposal.title, proposal.summary, proposal.text, " ".join(content.tag_names)
    )
    proposal.search_vector = fulltext.search_vector(
        proposal.title, proposal.summary, proposal.text, " ".join(content.tag_names)
    )


def _event(
    proposal: Proposal, actor, kind: EventKind, *, from_value=None, to_value=None, text=None
):
    event = ProposalEvent(
        proposal=proposal,
        actor_id=actor.id if actor is not None else None,
        kind=kind,
        from_value=from_value,
        to_value=to_value,
        text=text,
    )
    db.session.add(event)
    return event


def _route(proposal: Proposal, body: Body | None, method: RoutingMethod | None) -> None:
    proposal.body = body
    proposal.routing_method = method if body is not None else None
    proposal.routing_confirmed_at = None


def _publish(author, proposal: Proposal) -> None:
    proposal.status = ProposalStatus.NEW
    proposal.published_at = utcnow()
    published = _event(proposal, author, EventKind.PUBLISHED)
    if proposal.body is not None:
        _event(
            proposal,
            author,
            EventKind.ROUTED,
            to_value=proposal.body.slug,
            text=proposal.routing_method.value if proposal.routing_method else None,
        )
    follow_proposal(author, proposal)  # authors hear what happens to their proposals
    told = notify_event(published)  # and the body's followers hear of a new proposal
    # The body's reviewers are told it waits for them (the admins while nobody staffs it).
    notify_reviewers(
        proposal, "for_review", event=published, skip={n.user_id for n in told} | {author.id}
    )


def create_proposal(
    author,
    council: Council,
    content: ProposalContent,
    *,
    body: Body | None,
    routing_method: RoutingMethod | None,
    publish: bool,
) -> Proposal:
    """Write a new proposal, as a draft or published at once.

    :param body: where it goes; ``None`` leaves it to the council's general queue.
    :param routing_method: how the body was chosen (citizen or confirmed suggestion).
    :raises PermissionDenied: if the author may not submit (not signed in or not verified).
    """
    if not permissions.can_submit(author):
        raise PermissionDenied(_("Please verify your e-mail address before you take part."))
    if body is not None and body.council_id != council.id:
        raise PermissionDenied
    proposal = Proposal(council_id=council.id, author_id=author.id, status=ProposalStatus.DRAFT)
    proposal.author = author
    db.session.add(proposal)
    apply_content(proposal, content)
    _route(proposal, body, routing_method)
    if publish:
        _publish(author, proposal)
    db.session.flush()
    return proposal


def publish_for_person(
    facilitator,
    council: Council,
    content: ProposalContent,
    *,
    body: Body | None,
    routing_method: RoutingMethod | None,
) -> Proposal:
    """Publish a proposal that a facilitator wrote down for a person without an account.

    It has no author (nobody can edit or withdraw it as theirs) and always reads as an
    anonymous resident; the facilitator is the actor of its events and follows it, so they
    hear the answer and can pass it on. The facilitator's right to do this is checked by the
    caller (katilim/assist/services.py), which also keeps the consent record.
    """
    if body is not None and body.council_id != council.id:
        raise PermissionDenied
    proposal = Proposal(
        council_id=council.id,
        author_id=None,
        assisted_by_id=facilitator.id,
        status=ProposalStatus.DRAFT,
    )
    db.session.add(proposal)
    apply_content(proposal, content)
    proposal.is_pseudonymous = True  # the person has no account and no public name
    _route(proposal, body, routing_method)
    _publish(facilitator, proposal)  # the same events and notifications as any publication
    db.session.flush()
    return proposal


def update_proposal(
    author,
    proposal: Proposal,
    content: ProposalContent,
    *,
    body: Body | None,
    routing_method: RoutingMethod | None,
) -> Proposal:
    """Change a proposal before review starts. A published one keeps its earlier text.

    :raises PermissionDenied: if the user is not the author or review has started.
    """
    if not permissions.can_edit(author, proposal):
        raise PermissionDenied(_("This proposal can no longer be edited."))
    published = proposal.status != ProposalStatus.DRAFT
    if published:
        db.session.add(
            ProposalRevision(
                proposal_id=proposal.id,
                title=proposal.title,
                summary=proposal.summary,
                text=proposal.text,
            )
        )
    old_body = proposal.body
    apply_content(proposal, content)
    if body != old_body or routing_method != proposal.routing_method:
        _route(proposal, body, routing_method)
        if published and body is not None:
            _event(
                proposal,
                author,
                EventKind.ROUTED,
                from_value=old_body.slug if old_body else None,
                to_value=body.slug,
                text=routing_method.value if routing_method else None,
            )
    if published:
        _event(proposal, author, EventKind.EDITED)
    db.session.flush()
    return proposal


def publish_proposal(author, proposal: Proposal) -> Proposal:
    """Publish a saved draft.

    :raises PermissionDenied: if the user may not publish it.
    """
    if not permissions.can_publish(author, proposal):
        raise PermissionDenied
    _publish(author, proposal)
    db.session.flush()
    return proposal


def withdraw_proposal(author, proposal: Proposal, reason: str = "") -> Proposal:
    """The author takes the proposal back before a decision; it stays visible as withdrawn.

    :raises PermissionDenied: if the user is not the author.
    :raises InvalidTransition: if a decision has already been made.
    """
    if not permissions.is_author(author, proposal):
        raise PermissionDenied
    if not permissions.can_withdraw(author, proposal):
        raise InvalidTransition(_("A proposal cannot be withdrawn after a decision."))
    _withdraw(author, proposal, reason)
    return proposal


def withdraw_for_person(facilitator, proposal: Proposal, reason: str = "") -> Proposal:
    """Withdraw an assisted proposal at the request of the person it was filed for (who has
    no account to do it). The caller (katilim/assist/services.py) checks the facilitator.

    :raises InvalidTransition: if a decision has already been made.
    """
    if proposal.assisted_by_id is None or proposal.status not in permissions.WITHDRAWABLE:
        raise InvalidTransition(_("A proposal cannot be withdrawn after a decision."))
    _withdraw(facilitator, proposal, reason)
    return proposal


def _withdraw(actor, proposal: Proposal, reason: str) -> None:
    old = proposal.status
    proposal.status = ProposalStatus.WITHDRAWN
    if old != ProposalStatus.DRAFT:
        _event(
            proposal,
            actor,
            EventKind.WITHDRAWN,
            from_value=old.value,
            to_value=ProposalStatus.WITHDRAWN.value,
            text=reason.strip() or None,
        )
    db.session.flush()
