"""Writing, editing and withdrawing proposals (katilim.proposals.services)."""

import pytest
from sqlalchemy import select

from katilim.core.errors import InvalidTransition, PermissionDenied
from katilim.extensions import db
from katilim.proposals.models import (
    EventKind,
    ProposalRevision,
    ProposalStatus,
    RoutingMethod,
    Tag,
)
from katilim.proposals.services import (
    ProposalContent,
    create_proposal,
    parse_tags,
    update_proposal,
    withdraw_proposal,
)
from tests.factories import get_council, make_body, make_proposal, make_user

TEXT = "Tramvay durağında tekerlekli sandalye ile inip binmek mümkün değil, rampa gerekli."


def content(**changes) -> ProposalContent:
    values = {
        "title": "Tramvay durağına rampa yapılsın",
        "summary": "Durağa rampa yapılsın ki herkes binebilsin.",
        "text": TEXT,
    }
    values.update(changes)
    return ProposalContent(**values)


def kinds(proposal) -> list[EventKind]:
    return [event.kind for event in proposal.events]


def test_author_can_create_a_published_proposal_with_events(ctx):
    author, body = make_user(), make_body()
    proposal = create_proposal(
        author,
        get_council(),
        content(),
        body=body,
        routing_method=RoutingMethod.CITIZEN,
        publish=True,
    )
    assert proposal.status == ProposalStatus.NEW
    assert proposal.published_at is not None
    assert kinds(proposal) == [EventKind.PUBLISHED, EventKind.ROUTED]
    assert proposal.events[1].to_value == body.slug
    assert proposal.events[1].text == "citizen"


def test_author_can_save_a_draft_without_events(ctx):
    proposal = create_proposal(
        make_user(),
        get_council(),
        content(),
        body=make_body(),
        routing_method=RoutingMethod.CITIZEN,
        publish=False,
    )
    assert proposal.status == ProposalStatus.DRAFT
    assert proposal.published_at is None
    assert proposal.events == []


def test_author_can_publish_to_the_general_queue_without_a_routed_event(ctx):
    proposal = create_proposal(
        make_user(), get_council(), content(), body=None, routing_method=None, publish=True
    )
    assert proposal.body is None and proposal.routing_method is None
    assert kinds(proposal) == [EventKind.PUBLISHED]


def test_created_proposal_has_a_folded_search_text(ctx):
    proposal = make_proposal(title="İzmit’te Işıklı Bisiklet Yolu")
    assert proposal.search_text.startswith(" izmit")
    assert " isikli bisiklet yolu " in proposal.search_text
    assert proposal.search_text.endswith(" ")


def test_created_proposal_tags_are_deduplicated(ctx):
    proposal = make_proposal(tags=parse_tags("Tramvay, tramvay , TRAMVAY, Kaldırım, kaldirim"))
    assert sorted(t.slug for t in proposal.tags) == ["kaldirim", "tramvay"]
    assert db.session.scalar(select(db.func.count()).select_from(Tag)) == 2


def test_tags_are_shared_between_proposals(ctx):
    first = make_proposal(tags=("tramvay",))
    second = make_proposal(tags=("Tramvay",))
    assert first.tags[0].id == second.tags[0].id


def test_tag_names_are_lower_cased_with_turkish_rules(ctx):
    proposal = make_proposal(tags=("IŞIK", "İzmit Körfezi"))
    assert sorted(t.name for t in proposal.tags) == ["izmit körfezi", "ışık"]


def test_parse_tags_keeps_at_most_five():
    assert len(parse_tags("a1, b2, c3, d4, e5, f6, g7")) == 5


def test_proposal_text_html_is_sanitized(ctx):
    proposal = make_proposal(text=TEXT + "\n\n<script>alert(1)</script> [x](javascript:alert(1))")
    assert "<script" not in proposal.text_html
    assert "&lt;script&gt;" in proposal.text_html
    assert "href" not in proposal.text_html  # the javascript: link is not turned into a link


def test_unverified_author_cannot_create_a_proposal(ctx):
    with pytest.raises(PermissionDenied):
        create_proposal(
            make_user(verified=False),
            get_council(),
            content(),
            body=None,
            routing_method=None,
            publish=True,
        )


def test_author_cannot_route_to_a_body_of_another_council(ctx):
    from katilim.organization.models import Body, BodyKind, Council

    other = Council(slug="sakarya", names={"tr": "Sakarya"})
    db.session.add(other)
    db.session.flush()
    foreign = Body(council_id=other.id, kind=BodyKind.WORKING_GROUP, slug="ulasim")
    db.session.add(foreign)
    db.session.flush()
    with pytest.raises(PermissionDenied):
        create_proposal(
            make_user(),
            get_council(),
            content(),
            body=foreign,
            routing_method=RoutingMethod.CITIZEN,
            publish=True,
        )


def test_author_edit_of_published_proposal_keeps_a_revision(ctx):
    proposal = make_proposal(title="Eski başlık burada duruyor")
    update_proposal(
        proposal.author,
        proposal,
        content(title="Yeni başlık burada duruyor"),
        body=proposal.body,
        routing_method=proposal.routing_method,
    )
    revisions = db.session.scalars(
        select(ProposalRevision).where(ProposalRevision.proposal_id == proposal.id)
    ).all()
    assert [r.title for r in revisions] == ["Eski başlık burada duruyor"]
    assert proposal.title == "Yeni başlık burada duruyor"
    assert kinds(proposal)[-1] == EventKind.EDITED
    assert " yeni baslik " in proposal.search_text


def test_author_edit_of_draft_keeps_no_revision_and_no_event(ctx):
    proposal = make_proposal(status=ProposalStatus.DRAFT)
    update_proposal(
        proposal.author,
        proposal,
        content(title="Taslak başlığı değişti"),
        body=proposal.body,
        routing_method=proposal.routing_method,
    )
    assert db.session.scalar(select(db.func.count()).select_from(ProposalRevision)) == 0
    assert proposal.events == []


def test_author_cannot_edit_after_review_started(ctx):
    proposal = make_proposal(status=ProposalStatus.UNDER_REVIEW)
    with pytest.raises(PermissionDenied):
        update_proposal(
            proposal.author, proposal, content(), body=proposal.body, routing_method=None
        )


def test_other_user_cannot_edit(ctx):
    proposal = make_proposal()
    with pytest.raises(PermissionDenied):
        update_proposal(make_user(), proposal, content(), body=proposal.body, routing_method=None)


def test_author_rerouting_on_edit_writes_a_routed_event(ctx):
    old_body, new_body = make_body("eski-grup"), make_body("yeni-grup")
    proposal = make_proposal(body=old_body)
    update_proposal(
        proposal.author,
        proposal,
        content(),
        body=new_body,
        routing_method=RoutingMethod.SUGGESTION,
    )
    routed = [e for e in proposal.events if e.kind == EventKind.ROUTED][-1]
    assert (routed.from_value, routed.to_value, routed.text) == (
        "eski-grup",
        "yeni-grup",
        "suggestion",
    )
    assert proposal.body == new_body
    assert proposal.routing_method == RoutingMethod.SUGGESTION
    assert proposal.routing_confirmed_at is None


@pytest.mark.parametrize("status", [ProposalStatus.NEW, ProposalStatus.UNDER_REVIEW])
def test_author_can_withdraw_before_a_decision(ctx, status):
    proposal = make_proposal(status=status)
    withdraw_proposal(proposal.author, proposal, "  Artık gerek kalmadı  ")
    assert proposal.status == ProposalStatus.WITHDRAWN
    event = proposal.events[-1]
    assert (event.kind, event.from_value, event.to_value, event.text) == (
        EventKind.WITHDRAWN,
        status.value,
        "withdrawn",
        "Artık gerek kalmadı",
    )


@pytest.mark.parametrize("status", [ProposalStatus.ACCEPTED, ProposalStatus.REJECTED])
def test_author_cannot_withdraw_after_a_decision(ctx, status):
    proposal = make_proposal(status=status)
    with pytest.raises(InvalidTransition):
        withdraw_proposal(proposal.author, proposal)
    assert proposal.status == status


def test_author_cannot_withdraw_a_draft_so_it_never_becomes_public(ctx):
    proposal = make_proposal(status=ProposalStatus.DRAFT)
    with pytest.raises(InvalidTransition):
        withdraw_proposal(proposal.author, proposal)
    assert proposal.status == ProposalStatus.DRAFT


def test_other_user_cannot_withdraw(ctx):
    proposal = make_proposal()
    with pytest.raises(PermissionDenied):
        withdraw_proposal(make_user(), proposal)
    assert proposal.status == ProposalStatus.NEW


def test_parse_tags_splits_on_the_arabic_comma_too():
    # An Arabic keyboard types "،"; the tags must still come apart.
    assert parse_tags("مستشفى، ترجمة, sağlık") == ("مستشفى", "ترجمة", "sağlık")
