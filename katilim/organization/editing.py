"""Creating and changing bodies, districts and memberships: the admins' verbs on the council.

Every verb takes the acting admin first, checks the right again (katilim/auth/roles.py),
changes the rows, flushes and writes one audit entry saying what changed (old → new); routes
and CLI commands commit. A verb that would change nothing writes nothing and reports it.
``actor=None`` is the operator at the command line (katilim/admin/cli.py).
"""

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import exc, func, select

from katilim.audit.services import record
from katilim.auth.models import User
from katilim.auth.roles import check_admin, require_eligible, via_details
from katilim.core.errors import DomainError
from katilim.core.text import fold_words
from katilim.extensions import db
from katilim.organization.models import Body, BodyKind, Council, District, Membership
from katilim.organization.queries import get_body

SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_MAX = 60
KEYWORD_MAX = 60
# The body form edits a name and a description in each of these languages.
FORM_LANGUAGES = ("tr", "en", "ar", "ku")


class SlugTaken(DomainError):
    status_code = 400


class InvalidSlug(DomainError):
    status_code = 400


class AlreadyMember(DomainError):
    status_code = 400


# --- keywords ------------------------------------------------------------------------------


def parse_keywords(text: str | None) -> list[str]:
    """Keywords from a textarea: one per line or separated by commas.

    Inner spaces are collapsed; a leading "=" (whole word only, docs/rules.md#routing) is kept and
    glued to its word, so "= iş" becomes "=iş". Entries that fold to the same key (Çevre,
    cevre) are one keyword to the router, so only the first spelling is kept.
    """
    keywords, seen = [], set()
    for raw in re.split(r"[,\n]", text or ""):
        keyword = " ".join(raw.split())
        whole_word = keyword.startswith("=")
        word = keyword.lstrip("=").strip()
        if not fold_words(word):  # punctuation alone matches nothing
            continue
        keyword = ("=" if whole_word else "") + word
        key = ("=" if whole_word else "") + " ".join(fold_words(word))
        if key not in seen:
            seen.add(key)
            keywords.append(keyword)
    return keywords


def format_keywords(keywords: list[str]) -> str:
    return "\n".join(keywords)


# --- bodies --------------------------------------------------------------------------------


@dataclass
class BodyData:
    kind: BodyKind
    names: dict[str, str]
    descriptions: dict[str, str]
    keywords: list[str] = field(default_factory=list)
    support_threshold: int = 50
    response_days: int = 30
    is_active: bool = True


def _merge_texts(current: dict, given: dict) -> dict:
    """The languages given, from the form (an empty one is dropped, so the page falls back to
    Turkish); the languages not given (a form without them, the district form) as they were."""
    merged = {lang: text.strip() for lang, text in given.items() if text and text.strip()}
    merged.update({lang: text for lang, text in current.items() if lang not in given})
    return merged


def _per_language(prefix: str, texts: dict) -> dict:
    return {f"{prefix}_{lang}": text for lang, text in texts.items()}


def _body_snapshot(body: Body) -> dict:
    return {
        "kind": body.kind.value if body.kind else None,
        **_per_language("name", body.names or {}),
        **_per_language("description", body.descriptions or {}),
        "keywords": list(body.keywords or []),
        "support_threshold": body.support_threshold,
        "response_days": body.response_days,
        "is_active": body.is_active,
    }


def _changes(before: dict, after: dict) -> dict:
    """{field: [old, new]} for every field whose value differs."""
    return {
        key: [before.get(key), after.get(key)]
        for key in {**before, **after}
        if before.get(key) != after.get(key)
    }


def find_body(council: Council, slug: str) -> Body | None:
    if "\x00" in slug or len(slug) > SLUG_MAX:  # PostgreSQL refuses NUL; no slug is longer
        return None
    return get_body(council, slug, active_only=False)  # admins edit inactive bodies too


def _check_slug(model, council: Council, slug: str) -> None:
    if not SLUG_PATTERN.fullmatch(slug or "") or len(slug) > SLUG_MAX:
        raise InvalidSlug(_("Use lower-case letters a–z, digits and hyphens only."))
    taken = db.session.scalar(
        select(model.id).where(model.council_id == council.id, model.slug == slug)
    )
    if taken is not None:
        raise SlugTaken(_("This short name is already used. Choose another one."))


def _next_position(model, council: Council) -> int:
    last = db.session.scalar(select(func.max(model.position)).where(model.council_id == council.id))
    return (last or 0) + 1


def _insert_unique(row) -> None:
    """Insert behind a savepoint: two admins choosing the same slug at once meet the unique
    constraint, and the second gets the same message as if the check had caught it."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except exc.IntegrityError as error:
        raise SlugTaken(_("This short name is already used. Choose another one.")) from error


def create_body(actor, council: Council, slug: str, data: BodyData, *, via=None) -> Body:
    check_admin(actor)
    _check_slug(Body, council, slug)
    body = Body(
        council_id=council.id,
        slug=slug,
        kind=data.kind,
        names=_merge_texts({}, data.names),
        descriptions=_merge_texts({}, data.descriptions),
        keywords=list(data.keywords),
        support_threshold=data.support_threshold,
        response_days=data.response_days,
        is_active=data.is_active,
        position=_next_position(Body, council),
    )
    _insert_unique(body)
    record(actor, "body.create", body, slug=slug, **_body_snapshot(body), **via_details(via))
    return body


def update_body(actor, body: Body, data: BodyData, *, via=None) -> dict:
    """Apply the form to the body; returns the changes ({} when nothing changed)."""
    check_admin(actor)
    before = _body_snapshot(body)
    body.kind = data.kind
    body.names = _merge_texts(body.names or {}, data.names)
    body.descriptions = _merge_texts(body.descriptions or {}, data.descriptions)
    body.keywords = list(data.keywords)
    body.support_threshold = data.support_threshold
    body.response_days = data.response_days
    body.is_active = data.is_active
    changes = _changes(before, _body_snapshot(body))
    if changes:
        db.session.flush()
        record(actor, "body.update", body, slug=body.slug, changes=changes, **via_details(via))
    return changes


# --- districts -----------------------------------------------------------------------------


@dataclass
class DistrictData:
    names: dict[str, str]
    population: int | None = None
    population_year: int | None = None


def _district_snapshot(district: District) -> dict:
    return {
        **_per_language("name", district.names or {}),
        "population": district.population,
        "population_year": district.population_year,
    }


def find_district(council: Council, slug: str) -> District | None:
    if "\x00" in slug or len(slug) > SLUG_MAX:
        return None
    return db.session.scalar(
        select(District).where(District.council_id == council.id, District.slug == slug)
    )


def create_district(actor, council: Council, slug: str, data: DistrictData, *, via=None):
    check_admin(actor)
    _check_slug(District, council, slug)
    district = District(
        council_id=council.id,
        slug=slug,
        names=_merge_texts({}, data.names),
        population=data.population,
        population_year=data.population_year,
        position=_next_position(District, council),
    )
    _insert_unique(district)
    record(
        actor,
        "district.create",
        district,
        slug=slug,
        **_district_snapshot(district),
        **via_details(via),
    )
    return district


def update_district(actor, district: District, data: DistrictData, *, via=None) -> dict:
    check_admin(actor)
    before = _district_snapshot(district)
    district.names = _merge_texts(district.names or {}, data.names)
    district.population = data.population
    district.population_year = data.population_year
    changes = _changes(before, _district_snapshot(district))
    if changes:
        db.session.flush()
        record(
            actor,
            "district.update",
            district,
            slug=district.slug,
            changes=changes,
            **via_details(via),
        )
    return changes


# --- memberships ---------------------------------------------------------------------------


def membership_of(user: User, body: Body) -> Membership | None:
    return db.session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.body_id == body.id)
    )


def _membership_details(membership: Membership) -> dict:
    # The address as it was: the log is a record of that moment, even if it changes later.
    return {
        "user": membership.user.email,
        "user_id": membership.user_id,
        "body": membership.body.slug,
    }


def _already_member(user: User) -> AlreadyMember:
    return AlreadyMember(
        _(
            "%(email)s is already a member of this group; change the role in the list.",
            email=user.email,
        )
    )


def add_member(actor, user: User, body: Body, role, *, via=None) -> Membership:
    check_admin(actor)
    require_eligible(user)
    if membership_of(user, body) is not None:
        raise _already_member(user)
    # Ids, not relationships: an object attached through a relationship would be flushed
    # before the savepoint starts, outside the try.
    membership = Membership(user_id=user.id, body_id=body.id, role=role)
    try:
        with db.session.begin_nested():
            db.session.add(membership)
    except exc.IntegrityError as error:  # added by someone else a moment ago
        raise _already_member(user) from error
    record(
        actor,
        "membership.add",
        membership,
        role=membership.role.value,
        **_membership_details(membership),
        **via_details(via),
    )
    return membership


def change_member_role(actor, membership: Membership, role, *, via=None) -> bool:
    """Returns False (and writes nothing) when the member already has the role."""
    check_admin(actor)
    old = membership.role
    if old == role:
        return False
    membership.role = role
    db.session.flush()
    record(
        actor,
        "membership.update",
        membership,
        changes={"role": [old.value, membership.role.value]},
        **_membership_details(membership),
        **via_details(via),
    )
    return True


def remove_member(actor, membership: Membership, *, via=None) -> None:
    check_admin(actor)
    # Recorded first: the entry keeps the membership's id, which the delete ends.
    record(
        actor,
        "membership.remove",
        membership,
        role=membership.role.value,
        **_membership_details(membership),
        **via_details(via),
    )
    db.session.delete(membership)
    db.session.flush()
