"""Helpers shared by the moderation tests: the cast of people, and what an action wrote."""

import re
from dataclasses import dataclass

from sqlalchemy import func, select

from katilim.audit.models import AuditLog
from katilim.auth.models import SiteRole
from katilim.core.models import utcnow
from katilim.extensions import db
from katilim.moderation.models import Flag
from katilim.notifications.models import Notification
from katilim.notifications.services import follow_body, follow_proposal
from katilim.organization.models import Body
from katilim.proposals.models import ProposalEvent, ProposalStatus, RoutingMethod
from katilim.proposals.services import ProposalContent, create_proposal
from tests.factories import get_council, make_body, make_proposal, make_user


@dataclass
class Cast:
    """The people around one body: its moderator, another body's, an admin and residents."""

    body: Body
    other_body: Body
    spare_body: Body
    author: object
    follower: object
    body_follower: object
    moderator: object
    other_moderator: object
    admin: object
    resident: object
    unverified: object


def make_cast() -> Cast:
    body = make_body(support_threshold=3, response_days=10)
    other_body = make_body()
    cast = Cast(
        body=body,
        other_body=other_body,
        spare_body=make_body(),
        author=make_user("Yazar Yılmaz"),
        follower=make_user("Takipçi Kaya"),
        body_follower=make_user("Grup Takipçisi"),
        moderator=make_user("Moderatör Demir", moderates=body),
        other_moderator=make_user("Başka Moderatör", moderates=other_body),
        admin=make_user("Yönetici Şahin", role=SiteRole.ADMIN),
        resident=make_user("Sakin Çelik"),
        unverified=make_user("Doğrulanmamış Öz", verified=False),
    )
    follow_body(cast.body_follower, body)
    return cast


def proposal_in(cast: Cast, status=ProposalStatus.NEW, *, commit: bool = True, **kw):
    """A proposal of the cast's body, followed by the follower and by its moderator (who,
    acting on it, must not be told about their own step). Commits."""
    proposal = make_proposal(cast.author, body=kw.pop("body", cast.body), status=status, **kw)
    follow_proposal(cast.follower, proposal)
    follow_proposal(cast.moderator, proposal)
    if commit:  # a test may roll back what an action did and still see this
        db.session.commit()
    else:
        db.session.flush()
    return proposal


def general_proposal(author, title: str = "Genel kuyrukta bir öneri") -> object:
    """A published proposal that matched no body: it waits in the admins' general queue."""
    return create_proposal(
        author,
        get_council(),
        ProposalContent(
            title=title, summary="Kısaca: bir şey yapılsın.", text="Uzun metin burada."
        ),
        body=None,
        routing_method=None,
        publish=True,
    )


def suggested(proposal):
    """Make the proposal's routing a suggestion that still awaits a moderator."""
    proposal.routing_method = RoutingMethod.SUGGESTION
    proposal.routing_confirmed_at = None
    db.session.flush()
    return proposal


class Since:
    """Rows written after this point: ``since.rows(ProposalEvent)``."""

    MODELS = (ProposalEvent, AuditLog, Notification, Flag)

    def __init__(self):
        self.marks = {
            model: db.session.scalar(select(func.coalesce(func.max(model.id), 0)))
            for model in self.MODELS
        }

    def rows(self, model) -> list:
        return list(
            db.session.scalars(select(model).where(model.id > self.marks[model]).order_by(model.id))
        )

    def recipients(self, kind: str | None = None) -> set[int]:
        return {n.user_id for n in self.rows(Notification) if kind is None or n.kind == kind}


def days_ago(days: float):
    from datetime import timedelta

    return utcnow() - timedelta(days=days)


def queue_items(html: str) -> list[tuple[int, list[str]]]:
    """(proposal id, marks) of each queue item, in page order."""
    items = []
    for chunk in html.split('class="card queue-item"')[1:]:
        proposal_id = int(re.search(r"/moderation/proposals/(\d+)", chunk)[1])
        marks = re.findall(r'class="mark mark-(\w+)"', chunk.split('class="card-summary"')[0])
        items.append((proposal_id, marks))
    return items


def select_options(html: str, select_id: str) -> list[str]:
    match = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    return re.findall(r'<option[^>]*value="([^"]*)"', match[1]) if match else []
