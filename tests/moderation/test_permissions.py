"""Who may do what, at the HTTP level: every moderation route crossed with every kind of person.

Refused requests must change nothing in the database; allowed ones redirect (or show the
page) and their change is visible.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from katilim.audit.models import AuditLog
from katilim.comments.models import Comment
from katilim.extensions import db
from katilim.moderation.models import AnswerTemplate, Flag, FlagReason
from katilim.moderation.reports import report_content
from katilim.moderation.services import merge
from katilim.notifications.models import Notification
from katilim.proposals.models import EventKind, Proposal, ProposalEvent, ProposalStatus
from katilim.voting.models import Vote
from tests.factories import make_comment
from tests.moderation.helpers import general_proposal, make_cast, proposal_in, suggested

S = ProposalStatus
ACTORS = (
    "visitor",
    "unverified",
    "resident",
    "author",
    "moderator",
    "other_moderator",
    "admin",
)


@dataclass
class World:
    """Ids of everything a request may touch (no ORM objects cross app contexts)."""

    users: dict[str, int | None]
    body_slug: str
    spare_slug: str
    proposal: int  # new, routed by a suggestion that awaits confirmation
    forwarded: int
    target: int  # another open proposal of the body, to merge into
    merged: int  # a duplicate already merged into ``target``: only admins undo it
    general: int  # no body yet: the admins' general queue
    comment: int
    flag: int  # an open report on the proposal
    template: int


@pytest.fixture
def world(app) -> World:
    with app.app_context():
        cast = make_cast()
        proposal = suggested(proposal_in(cast, title="Durağa rampa yapılsın", commit=False))
        forwarded = proposal_in(cast, S.FORWARDED, commit=False)
        forwarded.forwarded_on = date(2025, 3, 3)
        target = proposal_in(cast, title="Asıl rampa önerisi", commit=False)
        merged = proposal_in(cast, title="Rampa (ikinci kez)", commit=False)
        merge(cast.moderator, merged, target, "Aynısı.")
        general = general_proposal(cast.author)
        comment = make_comment(proposal, cast.resident, text="Bu yorum kuralları çiğniyor.")
        flag = report_content(cast.follower, reason=FlagReason.INSULT, proposal=proposal)
        template = AnswerTemplate(body_id=cast.body.id, title="Teşekkür", text="Sağ olun.")
        db.session.add(template)
        db.session.commit()
        users = {name: getattr(cast, name).id for name in ACTORS if name != "visitor"}
        return World(
            users=users | {"visitor": None},
            body_slug=cast.body.slug,
            spare_slug=cast.spare_body.slug,
            proposal=proposal.id,
            forwarded=forwarded.id,
            target=target.id,
            merged=merged.id,
            general=general.id,
            comment=comment.id,
            flag=flag.id,
            template=template.id,
        )


def snapshot(app) -> tuple:
    """Everything a moderation or report request could change."""
    with app.app_context():
        counts = tuple(
            db.session.scalar(select(func.count()).select_from(model))
            for model in (ProposalEvent, AuditLog, Notification, Flag, AnswerTemplate, Vote)
        )
        proposals = db.session.execute(
            select(
                Proposal.id,
                Proposal.status,
                Proposal.body_id,
                Proposal.is_hidden,
                Proposal.reviewer_id,
                Proposal.first_answer_at,
                Proposal.agenda_on,
                Proposal.routing_confirmed_at,
                Proposal.merged_into_id,
            ).order_by(Proposal.id)
        ).all()
        comments = db.session.execute(
            select(Comment.id, Comment.is_hidden).order_by(Comment.id)
        ).all()
        flags = db.session.execute(select(Flag.id, Flag.resolved_at).order_by(Flag.id)).all()
        return counts, proposals, comments, flags


def in_db(app, check: Callable[[], bool]) -> bool:
    with app.app_context():
        return check()


def proposal_row(proposal_id: int) -> Proposal:
    return db.session.get(Proposal, proposal_id)


@dataclass
class Route:
    method: str
    path: Callable[[World], str]
    kind: str  # moderate | queue | templates | report
    data: Callable[[World], dict] = lambda w: {}
    # The change is visible (POST) or the page shows the item (GET).
    done: Callable[[World, int | None], bool] | None = None
    shows: Callable[[World], str] | None = None
    # Where a successful POST goes: a function of the world and the actor's name.
    location: Callable[[World, str], str] = field(
        default=lambda w, who: f"/moderation/proposals/{w.proposal}"
    )


def review_of(attr: str):
    return lambda w, who: f"/moderation/proposals/{getattr(w, attr)}"


def has_event(proposal_attr: str, kind: EventKind):
    def check(w, uid):
        return (
            db.session.scalar(
                select(func.count())
                .select_from(ProposalEvent)
                .where(
                    ProposalEvent.proposal_id == getattr(w, proposal_attr),
                    ProposalEvent.kind == kind,
                )
            )
            > 0
        )

    return check


def reported_by(column: str, attr: str):
    def check(w, uid):
        return (
            db.session.scalar(
                select(func.count())
                .select_from(Flag)
                .where(getattr(Flag, column) == getattr(w, attr), Flag.reporter_id == uid)
            )
            == 1
        )

    return check


ROUTES = {
    "queue": Route("GET", lambda w: "/moderation", "queue", shows=lambda w: "Durağa rampa"),
    "review": Route(
        "GET",
        lambda w: f"/moderation/proposals/{w.proposal}",
        "moderate",
        shows=lambda w: "Save the step",
    ),
    "status": Route(
        "POST",
        lambda w: f"/moderation/proposals/{w.proposal}/status",
        "moderate",
        data=lambda w: {"action": "claim", "text": "İnceliyoruz."},
        done=lambda w, uid: proposal_row(w.proposal).status == S.UNDER_REVIEW,
    ),
    "answer": Route(
        "POST",
        lambda w: f"/moderation/proposals/{w.proposal}/answer",
        "moderate",
        data=lambda w: {"text": "Teşekkürler, inceliyoruz."},
        done=has_event("proposal", EventKind.ANSWERED),
    ),
    "agenda": Route(
        "POST",
        lambda w: f"/moderation/proposals/{w.forwarded}/agenda",
        "moderate",
        data=lambda w: {"agenda_on": "2025-04-07", "decision_reference": "2025/12"},
        done=lambda w, uid: proposal_row(w.forwarded).agenda_on == date(2025, 4, 7),
        location=review_of("forwarded"),
    ),
    "confirm_routing": Route(
        "POST",
        lambda w: f"/moderation/proposals/{w.proposal}/confirm-routing",
        "moderate",
        done=lambda w, uid: proposal_row(w.proposal).routing_confirmed_at is not None,
    ),
    "reroute": Route(
        "POST",
        lambda w: f"/moderation/proposals/{w.proposal}/reroute",
        "moderate",
        data=lambda w: {"body": w.spare_slug, "reason": "Başka grubun konusu."},
        done=lambda w, uid: proposal_row(w.proposal).body.slug == w.spare_slug,
        # The body's moderator no longer moderates it: back to the queue.
        location=lambda w, who: (
            f"/moderation/proposals/{w.proposal}" if who == "admin" else "/moderation"
        ),
    ),
    "merge": Route(
        "POST",
        lambda w: f"/moderation/proposals/{w.proposal}/merge",
        "moderate",
        data=lambda w: {"target_id": str(w.target), "reason": "Aynı öneri.", "confirmed": "yes"},
        done=lambda w, uid: proposal_row(w.proposal).merged_into_id == w.target,
    ),
    "unmerge": Route(
        "POST",
        lambda w: f"/moderation/proposals/{w.merged}/unmerge",
        "admin",
        data=lambda w: {"reason": "Yanlış birleştirme."},
        done=lambda w, uid: proposal_row(w.merged).merged_into_id is None,
        location=review_of("merged"),
    ),
    "assign": Route(
        "POST",
        lambda w: f"/moderation/proposals/{w.proposal}/assign",
        "moderate",
        data=lambda w: {"assignee": str(w.users["moderator"])},
        done=lambda w, uid: proposal_row(w.proposal).reviewer_id == w.users["moderator"],
    ),
    "hide": Route(
        "POST",
        lambda w: f"/moderation/proposals/{w.proposal}/hide",
        "moderate",
        data=lambda w: {"reason": "Kişisel veri içeriyor."},
        done=lambda w, uid: proposal_row(w.proposal).is_hidden,
    ),
    "hide_comment": Route(
        "POST",
        lambda w: f"/moderation/comments/{w.comment}/hide",
        "moderate",
        data=lambda w: {"reason": "Hakaret."},
        done=lambda w, uid: db.session.get(Comment, w.comment).is_hidden,
    ),
    "flags": Route(
        "GET",
        lambda w: "/moderation/flags",
        "queue",
        shows=lambda w: f"/moderation/proposals/{w.proposal}#flags",
    ),
    "resolve_flag": Route(
        "POST",
        lambda w: f"/moderation/flags/{w.flag}/resolve",
        "moderate",
        data=lambda w: {"resolution": "dismissed", "note": "Kural ihlali yok."},
        done=lambda w, uid: db.session.get(Flag, w.flag).resolved_at is not None,
    ),
    "templates": Route(
        "GET",
        lambda w: f"/moderation/bodies/{w.body_slug}/templates",
        "templates",
        shows=lambda w: "Sağ olun.",
    ),
    "add_template": Route(
        "POST",
        lambda w: f"/moderation/bodies/{w.body_slug}/templates",
        "templates",
        data=lambda w: {"title": "İletildi", "text": "Meclise ilettik."},
        done=lambda w, uid: (
            db.session.scalar(select(AnswerTemplate.id).where(AnswerTemplate.title == "İletildi"))
            is not None
        ),
        location=lambda w, who: f"/moderation/bodies/{w.body_slug}/templates",
    ),
    "delete_template": Route(
        "POST",
        lambda w: f"/moderation/templates/{w.template}/delete",
        "templates",
        done=lambda w, uid: db.session.get(AnswerTemplate, w.template) is None,
        location=lambda w, who: f"/moderation/bodies/{w.body_slug}/templates",
    ),
    "report_proposal_form": Route(
        "GET",
        lambda w: f"/proposals/{w.proposal}/flag",
        "report",
        shows=lambda w: "Report a proposal",
    ),
    "report_proposal": Route(
        "POST",
        lambda w: f"/proposals/{w.proposal}/flag",
        "report",
        data=lambda w: {"reason": "spam", "note": "Reklam."},
        done=reported_by("proposal_id", "proposal"),
        location=lambda w, who: f"/proposals/{w.proposal}",
    ),
    "report_comment_form": Route(
        "GET",
        lambda w: f"/comments/{w.comment}/flag",
        "report",
        shows=lambda w: "Report a comment",
    ),
    "report_comment": Route(
        "POST",
        lambda w: f"/comments/{w.comment}/flag",
        "report",
        data=lambda w: {"reason": "insult"},
        done=reported_by("comment_id", "comment"),
        location=lambda w, who: f"/proposals/{w.proposal}",
    ),
}

ALLOWED = {
    "admin": {"admin"},
    "moderate": {"moderator", "admin"},
    "templates": {"moderator", "admin"},
    "queue": {"moderator", "admin"},
    "report": {"resident", "author", "moderator", "other_moderator", "admin"},
}


def expected(route: Route, who: str) -> str:
    """allowed | login | forbidden | empty (the page opens but without this body's items)."""
    if who == "visitor":
        return "login"
    if who in ALLOWED[route.kind]:
        return "allowed"
    if route.kind == "queue" and who == "other_moderator":
        return "empty"
    return "forbidden"


def request(app, login, world: World, who: str, route: Route):
    uid = world.users[who]
    client = app.test_client() if uid is None else login(uid)
    call = client.get if route.method == "GET" else client.post
    kwargs = {"data": route.data(world)} if route.method == "POST" else {}
    return call(route.path(world), **kwargs)


@pytest.mark.parametrize("who", ACTORS)
@pytest.mark.parametrize("name", list(ROUTES))
def test_permission_matrix(app, login, world, name, who):
    route = ROUTES[name]
    outcome = expected(route, who)
    before = snapshot(app)

    response = request(app, login, world, who, route)

    if outcome == "login":
        assert response.status_code == 302
        assert urlsplit(response.headers["Location"]).path == "/auth/login"
    elif outcome == "forbidden":
        assert response.status_code == 403
    elif outcome == "empty":
        assert response.status_code == 200
        assert route.shows(world) not in response.get_data(as_text=True)
    elif route.method == "GET":
        assert response.status_code == 200
        assert route.shows(world) in response.get_data(as_text=True)
    else:
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        location = urlsplit(response.headers["Location"]).path
        assert location == route.location(world, who)
        assert in_db(app, lambda: route.done(world, world.users[who]))

    if outcome != "allowed":
        assert snapshot(app) == before
        if route.done is not None:
            assert not in_db(app, lambda: route.done(world, world.users[who]))


def test_every_moderation_route_is_in_the_matrix(app):
    """A new moderation route must be added to ROUTES above."""
    covered = {
        "moderation.index",
        "moderation.review",
        "moderation.change_status",
        "moderation.answer",
        "moderation.agenda",
        "moderation.confirm_routing",
        "moderation.reroute",
        "moderation.refer",  # its matrix: tests/moderation/test_referral.py, test_who_may_refer
        "moderation.merge",
        "moderation.unmerge",
        "moderation.assign",
        "moderation.hide",
        "moderation.hide_comment",
        "moderation.flags",
        "moderation.resolve_flag",
        "moderation.templates",
        "moderation.delete_template",
        "reports.report_proposal",
        "reports.report_comment",
    }
    endpoints = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(("moderation.", "reports."))
    }
    assert endpoints == covered


# --- the general queue: proposals without a body ---------------------------------------------

GENERAL = {
    "review": ("GET", "", {}),
    "status": ("POST", "/status", {"action": "claim"}),
    "answer": ("POST", "/answer", {"text": "Uygun grubu arıyoruz."}),
    "reroute": ("POST", "/reroute", None),  # data needs the body's slug
    "hide": ("POST", "/hide", {"reason": "Reklam."}),
    "merge": ("POST", "/merge", None),  # data needs the target's id
}


@pytest.mark.parametrize("who", ["moderator", "other_moderator", "admin"])
@pytest.mark.parametrize("name", list(GENERAL))
def test_only_admins_act_on_the_general_queue(app, login, world, name, who):
    method, suffix, data = GENERAL[name]
    if name == "reroute":
        data = {"body": world.body_slug, "reason": "Bu grubun konusu."}
    elif name == "merge":
        data = {"target_id": str(world.target), "reason": "Aynısı.", "confirmed": "yes"}
    client = login(world.users[who])
    path = f"/moderation/proposals/{world.general}{suffix}"
    before = snapshot(app)

    response = client.get(path) if method == "GET" else client.post(path, data=data)

    if who != "admin":
        assert response.status_code == 403
        assert snapshot(app) == before
        return
    if method == "GET":
        assert response.status_code == 200
        assert "No group yet" in response.get_data(as_text=True)
        return
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == f"/moderation/proposals/{world.general}"
    assert snapshot(app) != before


def test_admin_routing_the_general_queue_writes_a_routed_event(app, login, world):
    response = login(world.users["admin"]).post(
        f"/moderation/proposals/{world.general}/reroute",
        data={"body": world.body_slug, "reason": "Bu grubun konusu."},
    )
    assert response.status_code == 302
    with app.app_context():
        proposal = db.session.get(Proposal, world.general)
        assert proposal.body.slug == world.body_slug
        event = proposal.events[-1]
        assert (event.kind, event.from_value, event.to_value) == (
            EventKind.ROUTED,
            None,
            world.body_slug,
        )


def test_only_admins_see_the_general_queue(app, login, world):
    admin_page = login(world.users["admin"]).get("/moderation?body=general")
    page = admin_page.get_data(as_text=True)
    assert "General queue (no group yet)" in page
    assert f"/moderation/proposals/{world.general}" in page
    assert f"/moderation/proposals/{world.proposal}" not in page

    moderator_page = login(world.users["moderator"]).get("/moderation?body=general")
    page = moderator_page.get_data(as_text=True)
    assert moderator_page.status_code == 200
    assert "General queue (no group yet)" not in page
    assert f"/moderation/proposals/{world.general}" not in page
