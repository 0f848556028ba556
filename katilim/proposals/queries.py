"""Reading proposals: the filtered, searched, sorted and paginated public list."""

import functools
import operator
from dataclasses import dataclass, field, replace
from typing import Any

from flask import abort, current_app
from sqlalchemy import (
    ColumnElement,
    Select,
    case,
    cast,
    column,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import joinedload, load_only, selectinload

from katilim.core import cache, fulltext
from katilim.core.cache import cached
from katilim.core.pages import Page
from katilim.core.params import choice_arg, page_arg, text_arg
from katilim.core.text import fold_words, search_key
from katilim.core.urls import absolute_url
from katilim.extensions import db
from katilim.organization.models import Body, Council, District
from katilim.organization.services import for_council
from katilim.proposals.models import (
    VOTING_OPEN,
    Proposal,
    ProposalEvent,
    ProposalStatus,
    Tag,
    proposal_tags,
)
from katilim.proposals.permissions import can_view
from katilim.proposals.routing import SOFTENED
from katilim.proposals.visibility import is_listed
from katilim.representation.equity import equity_groups, order_by_equity

SORTS: dict[str, tuple[ColumnElement[Any], ...]] = {
    "newest": (Proposal.published_at.desc(), Proposal.id.desc()),
    "supported": (Proposal.supports_count.desc(), Proposal.id.desc()),
    "commented": (Proposal.comments_count.desc(), Proposal.id.desc()),
    # Least-heard districts first (katilim.representation.equity), newest first within.
    "equity": (),
    # A search's default: the proposals with every word in the title first, then in the
    # title or summary, then the rest; newest first within each (list_proposals).
    "relevance": (),
}
DEFAULT_SORT = "newest"
SEARCH_SORT = "relevance"  # the default when words are searched
MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
# A search is counted up to this many matches: counting every one of 60,000 proposals that
# contain a common word cost 0.6 s on 100k proposals; nobody pages past the 50th page of a
# search, they refine it.
SEARCH_COUNT_LIMIT = 1000
# The list is read at most this many proposals deep, whatever the sort and filters: a page
# is read with OFFSET, and page 5,000 of 100k proposals walked 100,000 index entries (and
# their rows) to show 20. The pages beyond are not found (404, with the way onward: the
# filters and the search narrow the list); the whole list is the open-data CSV. The same
# depth as a search's count, so a search's last page and a plain list's are alike.
LIST_DEPTH = SEARCH_COUNT_LIMIT


def deepest_page(per_page: int) -> int:
    """The last page of the list that is read, at ``per_page`` proposals a page."""
    return max(1, -(-LIST_DEPTH // max(per_page, 1)))


@dataclass
class ProposalFilters:
    """The list's query string, read defensively: unknown values are ignored, never errors."""

    q: str = ""
    body: str = ""
    district: str = ""
    status: str = ""
    tag: str = ""
    language: str = ""  # the language the proposal was written in ("tr", "en", ...)
    sort: str = DEFAULT_SORT
    page: int = 1
    terms: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args=None) -> "ProposalFilters":
        """From the query string, or from ``args`` that the API's schema already read."""
        q = text_arg("q", MAX_QUERY_LENGTH, args=args)
        terms = fold_words(q)[:MAX_TERMS]
        default = SEARCH_SORT if terms else DEFAULT_SORT
        sort = choice_arg("sort", SORTS, default, args=args)
        return cls(
            q=q,
            body=text_arg("body", 60, args=args),
            district=text_arg("district", 60, args=args),
            status=choice_arg("status", ProposalStatus._value2member_map_, args=args),
            tag=text_arg("tag", 60, args=args),
            language=choice_arg("language", current_app.config["LANGUAGES"], args=args),
            # Relevance means nothing without words: the plain list's order then.
            sort=sort if terms or sort != SEARCH_SORT else DEFAULT_SORT,
            page=page_arg(args),
            terms=terms,
        )

    @property
    def default_sort(self) -> str:
        return SEARCH_SORT if self.terms else DEFAULT_SORT

    def as_args(self, **changes) -> dict:
        """Query-string values for links (pagination, sort) that keep the other filters."""
        values = {
            "q": self.q,
            "body": self.body,
            "district": self.district,
            "status": self.status,
            "tag": self.tag,
            "language": self.language,
            "sort": self.sort if self.sort != self.default_sort else "",
            "page": self.page,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v and not (k == "page" and v == 1)}

    @property
    def is_filtered(self) -> bool:
        return bool(
            self.q or self.body or self.district or self.status or self.tag or self.language
        )


def _like_term(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"% {escaped}%"  # a word that starts with the term: suffixes do not hide words


def term_variants(term: str) -> list[str]:
    """The term, and its softened stem when Turkish would soften it: "durak" also finds
    "durağı" (folded "duragi"), "kitap" finds "kitabı"."""
    if len(term) > 2 and term[-1] in SOFTENED:
        return [term, term[:-1] + SOFTENED[term[-1]]]
    return [term]


def _dialect() -> str:
    return db.session.get_bind().dialect.name


_FTS = table(fulltext.FTS_TABLE, column("rowid"))


def matches(terms: list[str], fields: tuple[str, ...] = ()) -> ColumnElement[bool]:
    """Every folded term (or its softened stem) starts a word of the proposal's ``fields``
    (title, summary; every field and the tags when empty), from the full-text index
    (katilim.core.fulltext): on PostgreSQL the GIN index ix_proposals_search_vector, on
    SQLite the FTS5 table. Both answer with the same proposals."""
    if not terms:
        return false()
    alternatives = [term_variants(term) for term in terms]
    if _dialect() == "postgresql":
        tsquery = cast(literal(fulltext.tsquery(alternatives)), TSQUERY)
        if not fields:
            return Proposal.search_vector.bool_op("@@")(tsquery)
        # The vector cut to those fields, as indexed (fulltext.FIELD_INDEXES).
        kept: ColumnElement[str] = literal_column(f"'{fulltext.FIELD_FILTERS[fields]}'")
        return func.ts_filter(Proposal.search_vector, kept).bool_op("@@")(tsquery)
    found = select(_FTS.c.rowid).where(
        literal_column(fulltext.FTS_TABLE).bool_op("MATCH")(
            literal(fulltext.fts5_query(alternatives, fields))
        )
    )
    # "id + 0": SQLite knows nothing of how many proposals an FTS5 query matches, and left to
    # itself reads the proposals from the matches (every one of a common word's, joined and
    # sorted: 250 ms for 3,000 at 5,000 proposals). So it reads them in the list's index
    # order instead and looks each up in the matches, read once; a page stops at its last
    # proposal (1-4 ms at 5,000 proposals, common word or none found).
    return (Proposal.id + 0).in_(found)


# The relevance tiers, best first (list_proposals): every word in the title; in the title or
# the summary; anywhere (text and tags too).
TIERS = (("title",), ("title", "summary"), ())


def relevance_tiers(terms: list[str]) -> list[ColumnElement[bool]]:
    """The tiers as disjoint conditions, best first."""
    title, title_or_summary, anywhere = (matches(terms, fields) for fields in TIERS)
    return [title, title_or_summary & ~title, anywhere & ~title_or_summary]


def apply_search(query: Select, terms: list[str]) -> Select:
    """Every folded term (or its softened stem) must start a word of the folded text."""
    return query.where(matches(terms)) if terms else query


def proposal_list_query(council: Council, filters: ProposalFilters) -> Select:
    status = ProposalStatus(filters.status) if filters.status else None
    query = select(Proposal).where(is_listed(council.id, status))
    # The slugs become ids in a sub-select evaluated first, so that the planner knows the one
    # body and can read its proposals newest first from an index (a join by slug sorted all
    # of a busy body's proposals: 17 ms against 0.3 ms at 100k proposals).
    if filters.body:
        body_id = select(Body.id).where(Body.council_id == council.id, Body.slug == filters.body)
        query = query.where(Proposal.body_id == body_id.scalar_subquery())
    if filters.district:
        district_id = select(District.id).where(
            District.council_id == council.id, District.slug == filters.district
        )
        query = query.where(Proposal.district_id == district_id.scalar_subquery())
    if filters.tag:
        query = query.where(Proposal.tags.any(Tag.slug == filters.tag))
    if filters.language:
        query = query.where(Proposal.language == filters.language)
    if filters.q and not filters.terms:
        query = query.where(false())  # only punctuation ("%", "'"): nothing can match it
    query = apply_search(query, filters.terms)
    if filters.sort == "equity":
        return order_by_equity(query, council.id)
    if filters.sort == SEARCH_SORT:  # one tier's order (list_proposals reads tier by tier)
        return query.order_by(*SORTS[DEFAULT_SORT])
    return query.order_by(*SORTS[filters.sort])


def with_list_relations(query: Select) -> Select:
    """Load what a proposal card shows in a fixed number of queries, whatever the page size."""
    return query.options(
        joinedload(Proposal.body),
        joinedload(Proposal.district),
        joinedload(Proposal.author),
        selectinload(Proposal.tags),
        selectinload(Proposal.photos),  # the first photo's small size on the card
    )


def _count(listed: Select) -> int:
    return db.session.execute(
        select(func.count()).select_from(
            listed.order_by(None).with_only_columns(Proposal.id).subquery()
        )
    ).scalar_one()


def _known_places(council: Council) -> tuple[frozenset[str], frozenset[str]]:
    """The council's body and district slugs: the only filter values whose counts are kept."""
    return cached(
        ("places", council.id),
        lambda: (
            frozenset(db.session.scalars(select(Body.slug).where(Body.council_id == council.id))),
            frozenset(
                db.session.scalars(select(District.slug).where(District.council_id == council.id))
            ),
        ),
    )


def _kept_count(council: Council, filters: ProposalFilters, listed: Select, *name) -> int:
    """The count of ``listed``, kept like the figures (counting a busy body's 12,000 proposals
    cost as much as the rest of the page). Kept only for filters from small fixed sets, so that
    the kept keys stay few whatever a query string holds: a tag (many, each list short) and a
    body or district slug that names none of the council's are counted afresh."""
    if filters.tag or not cache.enabled():
        return _count(listed)
    if filters.body or filters.district:
        bodies, districts = _known_places(council)
        if (filters.body and filters.body not in bodies) or (
            filters.district and filters.district not in districts
        ):
            return _count(listed)  # names nothing: an empty list, quick to count
    key = (filters.body, filters.district, filters.status, filters.language)
    return cached((*name, council.id, *key), lambda: _count(listed))


def _equity_page(council: Council, filters: ProposalFilters, per_page: int) -> Page:
    """The equity order read group by group, each newest first from an index: ordering the
    whole list by a computed lift sorted 100,000 rows with their joins on every page view
    (3 pages a second under load in the benchmark)."""
    listed = proposal_list_query(council, replace(filters, sort=DEFAULT_SORT))
    offset = (filters.page - 1) * per_page
    items: list = []
    total = 0
    for rank, condition in enumerate(equity_groups(council.id)):
        group = listed.where(condition)
        size = _kept_count(council, filters, group, "equity-count", rank)
        total += size
        wanted = per_page - len(items)
        if wanted and offset < size:
            page = with_list_relations(group).limit(wanted).offset(offset)
            items += db.session.scalars(page).unique().all()
            offset = 0
        elif wanted:
            offset -= size
    return Page(items=items, page=filters.page, per_page=per_page, total=total)


def _items(query: Select, page: int, per_page: int) -> list[Proposal]:
    return list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).unique())


def _count_up_to(query: Select, limit: int) -> int:
    first = query.order_by(None).with_only_columns(Proposal.id).limit(limit)
    return db.session.execute(select(func.count()).select_from(first.subquery())).scalar_one()


def _relevance_items(listed: Select, terms: list[str], page: int, per_page: int) -> list:
    """A page of the relevance order, read tier by tier, each newest first like the plain
    list: never a ranking of every proposal a common word matches. A tier is counted only
    when the page starts past it, and then only up to the page's start."""
    offset = (page - 1) * per_page
    items: list[Proposal] = []
    for tier in relevance_tiers(terms):
        wanted = per_page - len(items)
        if not wanted:
            break
        page_of_tier = with_list_relations(listed.where(tier)).limit(wanted).offset(offset)
        rows = list(db.session.scalars(page_of_tier).unique())
        if rows:
            items += rows
            offset = 0
        elif offset:
            offset -= _count_up_to(listed.where(tier), offset)
    return items


def list_proposals(council: Council, filters: ProposalFilters, per_page: int) -> Page:
    """A page of the list. ``capped`` is True when a search matched more than
    SEARCH_COUNT_LIMIT proposals; ``total`` is then that limit. A page deeper than
    ``deepest_page`` is not read: it comes back empty with ``beyond`` True (a 404 for the
    routes), without a query."""
    max_page = deepest_page(per_page)
    if filters.page > max_page:
        return Page(items=[], page=filters.page, per_page=per_page, total=0, max_page=max_page)
    page = _list_page(council, filters, per_page)
    page.max_page = max_page
    return page


def _list_page(council: Council, filters: ProposalFilters, per_page: int) -> Page:
    if filters.sort == "equity" and not filters.terms:
        return _equity_page(council, filters, per_page)
    listed = proposal_list_query(council, filters)
    query = with_list_relations(listed)
    if not filters.terms:
        return Page(
            items=_items(query, filters.page, per_page),
            page=filters.page,
            per_page=per_page,
            total=_kept_count(council, filters, listed, "proposal-count"),
        )
    counted = _count_up_to(listed, SEARCH_COUNT_LIMIT + 1)
    if filters.sort == SEARCH_SORT:
        items = _relevance_items(listed, filters.terms, filters.page, per_page)
    else:
        items = _items(query, filters.page, per_page)
    return Page(
        items=items,
        page=filters.page,
        per_page=per_page,
        total=min(counted, SEARCH_COUNT_LIMIT),
        capped=counted > SEARCH_COUNT_LIMIT,
    )


def top_proposals(council: Council, sort: str, limit: int = 5) -> list[Proposal]:
    query = with_list_relations(proposal_list_query(council, ProposalFilters(sort=sort))).limit(
        limit
    )
    return list(db.session.scalars(query).unique())


def proposals_of_author(user, limit: int = 50) -> list[Proposal]:
    query = (
        select(Proposal)
        .where(Proposal.author_id == user.id)
        .order_by(Proposal.created_at.desc())
        .options(joinedload(Proposal.body))
        .limit(limit)
    )
    return list(db.session.scalars(query))


def list_tags(council: Council, limit: int = 100) -> list[Tag]:
    """The tags of this council's public proposals: tags are shared by all councils, and a
    draft's or another council's tag must not show in the list."""
    public = (
        select(proposal_tags.c.tag_id)
        .join(Proposal, Proposal.id == proposal_tags.c.proposal_id)
        .where(is_listed(council.id))
    )
    query = select(Tag).where(Tag.id.in_(public)).order_by(Tag.name).limit(limit)
    return list(db.session.scalars(query))


def listed_counts_per_body(council: Council) -> dict[int | None, int]:
    """How many listed proposals each body has (None: not routed yet), for the bodies page."""
    rows = db.session.execute(
        select(Proposal.body_id, func.count())
        .where(is_listed(council.id))
        .group_by(Proposal.body_id)
    )
    return dict(rows.all())


# Loader options are built when asked for: building them at import would configure the mappers
# before every model is imported.
def page_loads() -> tuple:
    """What a proposal's page shows: body, district, author, tags, photos, timeline."""
    return (
        joinedload(Proposal.body),
        joinedload(Proposal.district),
        joinedload(Proposal.author),
        selectinload(Proposal.tags),
        selectinload(Proposal.photos),
        selectinload(Proposal.events).joinedload(ProposalEvent.actor),
    )


def action_loads() -> tuple:
    """What an action on it needs: the body (its moderators, the support threshold)."""
    return (joinedload(Proposal.body),)


def vote_loads() -> tuple:
    """What a vote reads of the proposal: whether the voter may see it and whether voting is
    open. Its counters and its body's threshold come back from the vote's own UPDATE
    (katilim/voting/services.py); the body is read only when a vote reaches the threshold."""
    return (
        load_only(
            Proposal.id,
            Proposal.council_id,
            Proposal.author_id,
            Proposal.status,
            Proposal.is_hidden,
            raiseload=False,
        ),
    )


def proposal_for_page(
    council: Council, proposal_id: int, loads: tuple | None = None
) -> Proposal | None:
    """One proposal of this council with ``loads`` loaded (the page's by default), whoever
    asks."""
    return db.session.scalar(
        select(Proposal)
        .where(Proposal.id == proposal_id, Proposal.council_id == council.id)
        .options(*(page_loads() if loads is None else loads))
    )


# Words that say nothing about a proposal's topic (folded, as fold_words gives them): common
# Turkish function words and the verbs every proposal ends with, and the English ones.
SIMILAR_STOPWORDS = frozenset(
    """
    acaba ama ancak artik bile bir biraz birlikte bize bizim bu cok daha degil diye edilmesi
    edilsin en gibi gore hem her icin ile ise kadar ki mi mu nasil ne neden olan olarak
    olmasi olsun onerisi oneri onerim onu sey sonra su tum ve veya ya yapilmali yapilmasi
    yapilsin yeni yok
    about and are for from has have not should that the this with would
    """.split()
)
SIMILAR_LIMIT = 5
# Candidates read from the database, ranked there by how many of the words they contain
# anywhere; they are then ranked again by title and summary alone.
SIMILAR_CANDIDATES = 30


def similarity_terms(title: str, summary: str = "") -> list[str]:
    """The folded words of a title and summary that say what it is about, title first."""
    terms: list[str] = []
    for word in fold_words(title) + fold_words(summary):
        if len(word) >= 3 and not word.isdigit() and word not in SIMILAR_STOPWORDS:
            if word not in terms:
                terms.append(word)
    return terms[:MAX_TERMS]


def _matches(term: str):
    return or_(
        *(
            Proposal.search_text.like(_like_term(variant), escape="\\")
            for variant in term_variants(term)
        )
    )


def any_word_matches(terms: list[str]):
    """At least one of the words (or its softened stem) starts a word of the proposal: on
    PostgreSQL a bitmap OR of the trigram index ix_proposals_search, one scan per pattern."""
    return or_(*(_matches(term) for term in terms))


def _hits(key: str, terms: list[str]) -> int:
    """How many terms (or their softened stems) start a word of a search key."""
    return sum(any(f" {variant}" in key for variant in term_variants(term)) for term in terms)


def similar_query(council_id: int, terms: list[str], exclude_id: int | None = None) -> Select:
    """The candidates of similar_proposals, best first by matching words anywhere."""
    score = functools.reduce(operator.add, (case((_matches(term), 1), else_=0) for term in terms))
    query = (
        select(Proposal)
        .where(
            is_listed(council_id),
            Proposal.status.in_(VOTING_OPEN),  # open: one can still support it
            any_word_matches(terms),
        )
        .options(joinedload(Proposal.body))
        .order_by(score.desc(), Proposal.supports_count.desc(), Proposal.id.desc())
        .limit(SIMILAR_CANDIDATES)
    )
    if exclude_id is not None:
        query = query.where(Proposal.id != exclude_id)
    return query


def similar_proposals(
    council_id: int,
    title: str,
    summary: str = "",
    *,
    exclude_id: int | None = None,
    limit: int = SIMILAR_LIMIT,
) -> list[Proposal]:
    """Open proposals whose title and summary share words with this title and summary.

    Matching is the search's (folded words, word prefixes, softened stems: "isik" finds
    "ışıkları"). One query: any word must match (on PostgreSQL the trigram index
    ix_proposals_search answers each LIKE, combined as a bitmap OR, then the council, status
    and visibility conditions filter those rows); the database orders them by how many words
    match, and the best few are ranked again by their title and summary alone. With three or
    more words, two must match in the title or summary, so that one shared common word is
    not "similar".
    """
    terms = similarity_terms(title, summary)
    if not terms:
        return []
    query = similar_query(council_id, terms, exclude_id)
    needed = 1 if len(terms) < 3 else 2
    ranked = []
    for proposal in db.session.scalars(query).unique():
        hits = _hits(search_key(proposal.title, proposal.summary), terms)
        if hits >= needed:
            ranked.append((hits, proposal.supports_count, proposal.id, proposal))
    ranked.sort(key=lambda row: row[:3], reverse=True)
    return [row[3] for row in ranked[:limit]]


def related_proposals(proposal: Proposal, limit: int = SIMILAR_LIMIT) -> list[Proposal]:
    """Open proposals that look like this one, for the bottom of its page.

    The search (100-150 ms at a city's scale, most of a proposal page's time) runs once per
    ``RELATED_CACHE_SECONDS`` for a given title and summary; every view then reads the
    proposals found by id, checking again that each is still listed and open.
    """

    def search() -> list[int]:
        found = similar_proposals(
            proposal.council_id,
            proposal.title,
            proposal.summary,
            exclude_id=proposal.id,
            limit=limit,
        )
        return [p.id for p in found]

    ids = cache.kept(
        ("related", proposal.id, proposal.title, proposal.summary, limit),
        search,
        current_app.config.get("RELATED_CACHE_SECONDS", 0),
    )
    if not ids:
        return []
    rows = db.session.scalars(
        select(Proposal)
        .where(
            Proposal.id.in_(ids),
            is_listed(proposal.council_id),
            Proposal.status.in_(VOTING_OPEN),
        )
        .options(joinedload(Proposal.body))
    )
    by_id = {row.id: row for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def visible_proposal(
    council: Council, proposal_id: int, user, loads: tuple | None = None
) -> Proposal | None:
    """This council's proposal if ``user`` may see it (``permissions.can_view``), else None.
    ``user`` None asks as an anonymous reader (the API)."""
    proposal = proposal_for_page(council, proposal_id, loads)
    if proposal is None or not can_view(user, proposal):
        return None
    return proposal


def referred_address(council: Council, proposal_id: int) -> str | None:
    """The address, on its new council's site, of a proposal ``council`` referred to its
    provincial council (docs/rules.md, "Many councils"); None for any other number."""
    target = db.session.scalar(
        select(Council)
        .join(Proposal, Proposal.council_id == Council.id)
        .where(
            Proposal.id == proposal_id,
            Proposal.referred_from_id == council.id,
            Proposal.status != ProposalStatus.DRAFT,
        )
    )
    if target is None:
        return None
    with for_council(target):  # its links are built from its own address
        return absolute_url("proposals.detail", proposal_id=proposal_id)


def get_visible_proposal_or_404(
    council: Council, proposal_id: int, user, loads: tuple | None = None
) -> Proposal:
    """:func:`visible_proposal`, or a 404: a draft is not found, not forbidden, for others."""
    proposal = visible_proposal(council, proposal_id, user, loads)
    if proposal is None:
        abort(404)
    return proposal
