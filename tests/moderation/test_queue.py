"""The moderation queue: whose proposals, in which order, with which marks, filters and pages."""

import re

import pytest

from katilim.auth.models import User
from katilim.extensions import db
from katilim.moderation.models import FlagReason, FlagResolution
from katilim.moderation.reports import report_content, resolve_flag
from katilim.organization.models import Membership, MembershipRole
from katilim.proposals.models import ProposalStatus
from tests.factories import make_body, make_comment, make_district, make_proposal, make_user
from tests.moderation.helpers import (
    days_ago,
    general_proposal,
    make_cast,
    proposal_in,
    queue_items,
    suggested,
)

S = ProposalStatus


def add_body_to(user, body) -> None:
    db.session.add(Membership(user_id=user.id, body_id=body.id, role=MembershipRole.CHAIR))
    db.session.flush()


def published(proposal, days: float, **changes):
    proposal.published_at = days_ago(days)
    for name, value in changes.items():
        setattr(proposal, name, value)
    db.session.flush()
    return proposal


def page_of(client, url: str = "/moderation") -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def ids_on(html: str) -> list[int]:
    return [proposal_id for proposal_id, _ in queue_items(html)]


def chip_counts(html: str) -> dict[str, int]:
    section = html.split('id="per-body"')[1].split("</section>")[0]
    return {
        name.strip(): int(count)
        for name, count in re.findall(r">([^<>]+?) <strong>\((\d+)\)</strong>", section)
    }


# --- whose proposals ------------------------------------------------------------------------------


def test_moderator_sees_only_the_open_proposals_of_own_bodies_with_counts(app, login):
    with app.app_context():
        cast = make_cast()
        second = make_body()
        add_body_to(cast.moderator, second)
        mine = [
            proposal_in(cast, commit=False).id,
            proposal_in(cast, S.UNDER_REVIEW, commit=False).id,
            proposal_in(cast, S.FORWARDED, commit=False).id,
            proposal_in(cast, body=second, commit=False).id,
        ]
        finished = [proposal_in(cast, status, commit=False).id for status in (S.REJECTED, S.CLOSED)]
        finished.append(proposal_in(cast, S.IMPLEMENTED, commit=False).id)
        finished.append(proposal_in(cast, S.WITHDRAWN, commit=False).id)
        others = proposal_in(cast, body=cast.other_body, commit=False).id
        general = general_proposal(cast.author).id
        names = {b.slug: b.names["en"] for b in (cast.body, second, cast.other_body)}
        slugs = (cast.body.slug, second.slug, cast.other_body.slug)
        moderator_id, admin_id = cast.moderator.id, cast.admin.id
        db.session.commit()

    html = page_of(login(moderator_id))
    assert sorted(ids_on(html)) == sorted(mine)
    assert chip_counts(html) == {names[slugs[0]]: 3, names[slugs[1]]: 1}
    assert "4 proposals to handle" in html

    admin_html = page_of(login(admin_id))
    assert sorted(ids_on(admin_html)) == sorted([*mine, others, general])
    assert not set(finished) & set(ids_on(admin_html))
    counts = chip_counts(admin_html)
    assert counts[names[slugs[2]]] == 1
    assert counts["General queue (no group yet)"] == 1


def test_moderator_filtering_on_a_body_of_someone_else_sees_nothing(app, login):
    with app.app_context():
        cast = make_cast()
        proposal_in(cast, body=cast.other_body)
        moderator_id, slug = cast.moderator.id, cast.other_body.slug
    html = page_of(login(moderator_id), f"/moderation?body={slug}")
    assert ids_on(html) == []
    assert "Nothing to handle here" in html


# --- order -------------------------------------------------------------------------------------------


def test_queue_puts_threshold_first_then_the_oldest_waiting_then_accepted(app, login):
    with app.app_context():
        cast = make_cast()

        def make(status, days, threshold=False):
            proposal = proposal_in(cast, status, commit=False)
            reached = days_ago(days - 0.5) if threshold else None
            return published(proposal, days, threshold_reached_at=reached).id

        waiting_young = make(S.NEW, 10)
        waiting_old = make(S.UNDER_REVIEW, 20)
        accepted = make(S.ACCEPTED, 30)
        forwarded = make(S.FORWARDED, 40)
        threshold_young = make(S.NEW, 2, threshold=True)
        threshold_old = make(S.UNDER_REVIEW, 5, threshold=True)
        # Reached the threshold, then accepted: handled, so it is no longer urgent.
        accepted_after_threshold = make(S.ACCEPTED, 1, threshold=True)
        moderator_id = cast.moderator.id
        db.session.commit()

    html = page_of(login(moderator_id))
    assert ids_on(html) == [
        threshold_old,
        threshold_young,
        waiting_old,
        waiting_young,
        forwarded,
        accepted,
        accepted_after_threshold,
    ]


# --- marks ---------------------------------------------------------------------------------------------


@pytest.fixture
def marked(app):
    """Proposals with each mark, in a body answering in 5 days and one answering in 30."""
    with app.app_context():
        cast = make_cast()
        cast.body.response_days = 5
        slow = make_body(response_days=30)
        add_body_to(cast.moderator, slow)
        p = {}
        p["threshold"] = published(
            proposal_in(cast, commit=False), 1, threshold_reached_at=days_ago(0.5)
        )
        p["routing"] = published(suggested(proposal_in(cast, commit=False)), 1)
        p["overdue"] = published(proposal_in(cast, S.UNDER_REVIEW, commit=False), 6)
        p["answered"] = published(proposal_in(cast, commit=False), 6, first_answer_at=days_ago(2))
        p["accepted_old"] = published(proposal_in(cast, S.ACCEPTED, commit=False), 60)
        p["slow_body"] = published(proposal_in(cast, body=slow, commit=False), 6)
        p["fresh"] = published(proposal_in(cast, commit=False), 4)
        p["flagged"] = published(proposal_in(cast, commit=False), 1)
        report_content(cast.resident, reason=FlagReason.SPAM, proposal=p["flagged"])
        p["flagged_comment"] = published(proposal_in(cast, commit=False), 1)
        comment = make_comment(p["flagged_comment"])
        report_content(cast.resident, reason=FlagReason.INSULT, comment=comment)
        p["flag_handled"] = published(proposal_in(cast, commit=False), 1)
        handled = report_content(cast.resident, reason=FlagReason.SPAM, proposal=p["flag_handled"])
        resolve_flag(cast.moderator, handled, FlagResolution.DISMISSED, "Sorun yok.")
        db.session.commit()
        return cast.moderator.id, {name: proposal.id for name, proposal in p.items()}, slow.slug


def test_queue_marks_threshold_routing_overdue_and_reports(login, marked):
    moderator_id, ids, _ = marked
    marks = dict(queue_items(page_of(login(moderator_id))))
    assert {name: marks[proposal_id] for name, proposal_id in ids.items()} == {
        "threshold": ["threshold"],
        "routing": ["routing"],
        "overdue": ["overdue"],
        "answered": [],
        "accepted_old": [],
        "slow_body": [],
        "fresh": [],
        "flagged": ["flagged"],
        "flagged_comment": ["flagged"],
        "flag_handled": [],
    }


def test_queue_marks_are_in_words(login, marked):
    moderator_id, _, _ = marked
    html = page_of(login(moderator_id))
    for words in (
        "Support threshold reached",
        "Suggested group awaits confirmation",
        "Overdue: no public answer yet",
        "Reported",
    ):
        assert f">{words}</li>" in html


@pytest.mark.parametrize(
    ("mark", "expected"),
    [
        ("threshold", {"threshold"}),
        ("routing", {"routing"}),
        ("overdue", {"overdue"}),
        ("flagged", {"flagged", "flagged_comment"}),
    ],
)
def test_queue_filters_on_a_mark(login, marked, mark, expected):
    moderator_id, ids, _ = marked
    html = page_of(login(moderator_id), f"/moderation?mark={mark}")
    assert set(ids_on(html)) == {ids[name] for name in expected}


def test_queue_filters_on_status_and_body(login, marked):
    moderator_id, ids, slow_slug = marked
    client = login(moderator_id)
    assert set(ids_on(page_of(client, "/moderation?status=under_review"))) == {ids["overdue"]}
    assert set(ids_on(page_of(client, "/moderation?status=accepted"))) == {ids["accepted_old"]}
    assert ids_on(page_of(client, "/moderation?status=forwarded")) == []
    assert set(ids_on(page_of(client, f"/moderation?body={slow_slug}"))) == {ids["slow_body"]}
    combined = page_of(client, f"/moderation?body={slow_slug}&status=new&mark=overdue")
    assert ids_on(combined) == []
    # The filters are kept in the form.
    assert 'value="under_review" selected' in page_of(client, "/moderation?status=under_review")


# --- pages ------------------------------------------------------------------------------------------------


def test_queue_is_paginated_and_keeps_the_filters(app, login):
    with app.app_context():
        cast = make_cast()
        ids = [published(proposal_in(cast, commit=False), 50 - i).id for i in range(25)]
        moderator_id = cast.moderator.id
        db.session.commit()
    client = login(moderator_id)
    first = page_of(client)
    assert ids_on(first) == ids[:20]
    assert "25 proposals to handle" in first
    assert 'rel="next" href="/moderation?page=2"' in first
    assert ids_on(page_of(client, "/moderation?page=2")) == ids[20:]
    assert ids_on(page_of(client, "/moderation?page=3")) == []
    filtered = page_of(client, "/moderation?status=new")
    assert 'href="/moderation?status=new&amp;page=2"' in filtered


ODD_QUERIES = [
    "page=0",
    "page=-3",
    "page=abc",
    "page=1e9",
    "page=99999999999999999999999",
    "page=%D9%A3",  # Arabic-Indic digit three
    "page=",
    "page=1&page=2",
    "status=rejected",
    "status=draft",
    "status=%3Cscript%3E",
    "status=NEW",
    "mark=unknown",
    "mark=",
    "body=no-such-body",
    "body=%00",
    "body=" + "x" * 500,
    "body=general",
    "body[]=a",
    "template=1",
    "%FF%FE=%FF",
]


@pytest.mark.parametrize("query", ODD_QUERIES)
def test_odd_query_values_never_give_a_500(app, login, query):
    with app.app_context():
        cast = make_cast()
        proposal_in(cast)
        moderator_id, admin_id = cast.moderator.id, cast.admin.id
    for user_id in (moderator_id, admin_id):
        response = login(user_id).get(f"/moderation?{query}")
        assert response.status_code == 200, query


# --- query count -------------------------------------------------------------------------------------------


def fill_queue(moderator_id: int, reporter_id: int, how_many: int, start: int) -> None:
    """Open proposals spread over the moderator's bodies and districts, each with its own
    author, a comment, a report and some marks, so that a query per item would show."""
    moderator, reporter = db.session.get(User, moderator_id), db.session.get(User, reporter_id)
    bodies = [make_body(f"queue-body-{i}") for i in range(3)]
    for body in bodies:
        if body.id not in {m.body_id for m in moderator.memberships}:
            add_body_to(moderator, body)
    districts = [make_district(f"ilce-{i}", f"İlçe {i}") for i in range(4)]
    statuses = (S.NEW, S.UNDER_REVIEW, S.ACCEPTED, S.FORWARDED)
    for i in range(start, start + how_many):
        proposal = make_proposal(
            make_user(f"Yazar {i}"),
            body=bodies[i % 3],
            district=districts[i % 4],
            status=statuses[i % 4],
        )
        published(proposal, 40 - i, threshold_reached_at=days_ago(1) if i % 5 == 0 else None)
        if i % 3 == 0:
            suggested(proposal)
        comment = make_comment(proposal, make_user(f"Yorumcu {i}"))
        if i % 2 == 0:
            report_content(reporter, reason=FlagReason.SPAM, proposal=proposal)
        else:
            report_content(reporter, reason=FlagReason.INSULT, comment=comment)
    db.session.commit()


@pytest.mark.parametrize("who", ["moderator", "admin"])
def test_queue_runs_the_same_number_of_queries_for_3_and_30_proposals(
    app, login, count_queries, who
):
    with app.app_context():
        cast = make_cast()
        user_id, moderator_id, reporter_id = (
            getattr(cast, who).id,
            cast.moderator.id,
            cast.resident.id,
        )
        fill_queue(moderator_id, reporter_id, 3, 0)
    client = login(user_id)

    def measure(expected_items: int) -> int:
        page_of(client)  # warm up: anything done once per process
        with count_queries() as counter:
            html = page_of(client)
        assert len(queue_items(html)) == expected_items
        return counter.count

    small = measure(3)
    with app.app_context():
        fill_queue(moderator_id, reporter_id, 27, 3)
    large = measure(20)
    print(f"\nGET /moderation as {who}: {small} statements with 3 proposals, {large} with 30")
    assert small == large
