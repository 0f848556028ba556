"""Plain factory functions for tests: keyword overrides, flush, return the object.

Call them inside an app context; commit when the test client must see the rows.
"""

import itertools
from contextlib import contextmanager

from flask import current_app
from sqlalchemy import select

from katilim.auth.models import SiteRole, User
from katilim.comments.models import Stance
from katilim.comments.services import add_comment
from katilim.core.models import utcnow
from katilim.extensions import db
from katilim.organization.models import (
    Body,
    BodyKind,
    Council,
    District,
    Membership,
    MembershipRole,
)
from katilim.proposals.models import ProposalStatus, RoutingMethod
from katilim.proposals.services import ProposalContent, create_proposal

_seq = itertools.count(1)
PASSWORD = "correct horse battery"


@contextmanager
def acting_as(app, slug: str):
    """Factories make rows for the configured council: the council ``slug``'s inside."""
    saved = app.config["COUNCIL_SLUG"]
    app.config["COUNCIL_SLUG"] = slug
    try:
        yield
    finally:
        app.config["COUNCIL_SLUG"] = saved


def get_council() -> Council:
    """The configured council (the `council` or `other_council` fixture loads its data), or a
    bare one of that slug."""
    slug = current_app.config["COUNCIL_SLUG"]
    council = db.session.scalar(select(Council).where(Council.slug == slug))
    if council is None:
        council = Council(
            slug=slug,
            names={"tr": "Kocaeli Kent Konseyi", "en": "Kocaeli City Council"},
            principles={"tr": ["Etkin Yurttaş"], "en": ["Active citizens"]},
        )
        db.session.add(council)
        db.session.flush()
    return council


def make_body(slug: str | None = None, *, kind=BodyKind.WORKING_GROUP, keywords=(), **kw) -> Body:
    n = next(_seq)
    slug = slug or f"body-{n}"
    council = get_council()
    existing = db.session.scalar(
        select(Body).where(Body.council_id == council.id, Body.slug == slug)
    )
    if existing is not None:
        return existing
    body = Body(
        council_id=council.id,
        kind=kind,
        slug=slug,
        names={"tr": f"Grup {n}", "en": f"Group {n}"},
        descriptions={"tr": "Açıklama", "en": "Description"},
        keywords=list(keywords),
        position=n,
        **kw,
    )
    db.session.add(body)
    db.session.flush()
    return body


def make_district(slug: str = "izmit", name: str = "İzmit", population: int = 367990) -> District:
    existing = db.session.scalar(select(District).where(District.slug == slug))
    if existing is not None:
        return existing
    district = District(
        council_id=get_council().id,
        slug=slug,
        names={"tr": name, "en": name},
        population=population,
    )
    db.session.add(district)
    db.session.flush()
    return district


def make_user(
    name: str = "Ayşe Yılmaz",
    *,
    email: str | None = None,
    verified: bool = True,
    role: SiteRole = SiteRole.RESIDENT,
    moderates: Body | None = None,
    password: str = PASSWORD,
    locale: str | None = None,
    council: Council | None = None,
) -> User:
    """An account of ``council`` (default: the body it moderates, else the configured one)."""
    n = next(_seq)
    if council is None:
        council_id = moderates.council_id if moderates is not None else get_council().id
    else:
        council_id = council.id
    user = User(
        council_id=council_id,
        email=email or f"user{n}@example.org",
        display_name=name,
        site_role=role,
        email_verified_at=utcnow() if verified else None,
        locale=locale,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    if moderates is not None:
        db.session.add(
            Membership(user_id=user.id, body_id=moderates.id, role=MembershipRole.MODERATOR)
        )
        db.session.flush()
    return user


def make_proposal(
    author: User | None = None,
    *,
    body: Body | None = None,
    title: str | None = None,
    summary: str = "Kısaca: durağa rampa yapılsın ki herkes binebilsin.",
    text: str = "Tramvay durağında tekerlekli sandalye ile inip binmek mümkün değil. "
    "Rampa yapılmasını öneriyoruz.",
    status: ProposalStatus = ProposalStatus.NEW,
    district: District | None = None,
    tags: tuple[str, ...] = (),
    publish: bool = True,
    pseudonymous: bool = False,
):
    author = author or make_user()
    body = body if body is not None else make_body()
    proposal = create_proposal(
        author,
        get_council(),
        ProposalContent(
            title=title or f"Öneri {next(_seq)}: durağa rampa yapılsın",
            summary=summary,
            text=text,
            district=district,
            tag_names=tags,
            pseudonymous=pseudonymous,
        ),
        body=body,
        routing_method=RoutingMethod.CITIZEN,
        publish=publish and status != ProposalStatus.DRAFT,
    )
    if status not in (ProposalStatus.NEW, ProposalStatus.DRAFT):
        proposal.status = status  # moderation transitions come with the moderation issue
    db.session.flush()
    return proposal


def make_comment(
    proposal,
    author: User | None = None,
    *,
    text: str = "Katılıyorum, çok gerekli.",
    stance: Stance = Stance.FOR,
    parent=None,
    pseudonymous: bool = False,
):
    return add_comment(
        author or make_user("Mehmet Kaya"),
        proposal,
        text=text,
        stance=stance,
        parent=parent,
        pseudonymous=pseudonymous,
    )


def get_body(slug: str) -> Body:
    """A body of the configured council (the `council` fixture loads it), by slug."""
    return db.session.scalar(
        select(Body).where(Body.council_id == get_council().id, Body.slug == slug)
    )


def get_district(slug: str) -> District:
    """A district of the configured council (the `council` fixture loads it), by slug."""
    return db.session.scalar(
        select(District).where(District.council_id == get_council().id, District.slug == slug)
    )
