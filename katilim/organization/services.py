"""Loading a council's bodies and districts from its data file, and reading them back."""

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app, g, has_request_context, request
from sqlalchemy import Select, String, bindparam, or_, select

from katilim.auth.models import SiteRole, User
from katilim.core.outage import database_unavailable
from katilim.core.yamlfile import load_yaml
from katilim.extensions import db
from katilim.organization.models import Body, BodyKind, Council, District, Membership

# name_tr, description_ar, principles_ku...: a field, then a language code.
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,59}")
LANGUAGE_KEY = re.compile(r"(?P<field>[a-z]+)_(?P<lang>[a-z]{2,3})")


def _per_language(entry: dict, field: str) -> dict:
    """Collect name_tr, name_en, name_ar, ... into {"tr": ..., "en": ..., "ar": ...}: every
    language the file gives, so that a new language needs no code change here."""
    texts = {}
    for key, value in entry.items():
        match = LANGUAGE_KEY.fullmatch(key)
        if match and match["field"] == field and value:
            texts[match["lang"]] = value
    return texts


@dataclass
class Loaded:
    """What a data file's load did: its council, and how many bodies and districts were
    created and updated."""

    council: Council
    created: int = 0
    updated: int = 0


def load_council(path: str | Path) -> Loaded:
    """Create or update a council, its bodies and districts from a YAML file (idempotent).

    Records are matched by slug, so running it again updates texts and keywords in place and
    never duplicates; bodies missing from the file are left alone (an admin may have added them).
    Returns the council and how many bodies and districts were created and updated. Does not
    commit.
    """
    return load_council_data(load_yaml(path))


def load_council_data(data: dict) -> Loaded:
    """:func:`load_council` from a data file already read (an operator's upload)."""
    if not isinstance(data, dict) or not isinstance(data.get("council"), dict):
        raise ValueError("the file has no `council:` section")
    meta = data["council"]
    if not isinstance(meta.get("slug"), str) or not SLUG.fullmatch(meta["slug"]):
        raise ValueError("the council's slug must be 1-60 lower-case letters, digits or dashes")
    council = db.session.scalar(select(Council).where(Council.slug == meta["slug"]))
    if council is None:
        council = Council(slug=meta["slug"])
        db.session.add(council)
    council.names = _per_language(meta, "name")
    council.principles = _per_language(meta, "principles")
    council.website = meta.get("website")
    council.site_url = check_council_address(meta.get("site_url"), meta["slug"])
    council.host = council_host(council.site_url) if council.site_url else None
    council.parent_id = _parent_id(meta)
    council.population = int(meta["population"]) if meta.get("population") else None
    council.population_year = int(meta["population_year"]) if meta.get("population_year") else None
    # "city" (Turkish spelling, kept by every language) unless city_<lang> says otherwise.
    council.city_names = {"tr": str(meta["city"])} if meta.get("city") else {}
    council.city_names.update(_per_language(meta, "city"))
    council.legal_name = str(meta.get("legal_name") or council.names.get("tr", ""))
    for contact in ("address", "email", "phone", "kvkk_contact"):
        setattr(council, contact, str(meta.get(contact) or ""))
    db.session.flush()

    counts = Loaded(council)
    existing = {
        b.slug: b for b in db.session.scalars(select(Body).where(Body.council_id == council.id))
    }
    # The general assembly (optional) comes first: the council's widest body.
    general = data.get("general_assembly")
    entries = (
        ([(BodyKind.GENERAL_ASSEMBLY, general)] if general else [])
        + [(BodyKind.ASSEMBLY, e) for e in data.get("assemblies", [])]
        + [(BodyKind.WORKING_GROUP, e) for e in data.get("working_groups", [])]
    )
    for position, (kind, entry) in enumerate(entries):
        body = existing.get(entry["slug"])
        if body is None:
            body = Body(council_id=council.id, slug=entry["slug"])
            db.session.add(body)
            counts.created += 1
        else:
            counts.updated += 1
        body.kind = kind
        body.names = _per_language(entry, "name")
        body.descriptions = _per_language(entry, "description")
        body.keywords = [str(k) for k in entry.get("keywords_tr", [])]
        body.position = position
        if "support_threshold" in entry:
            body.support_threshold = int(entry["support_threshold"])
        if "response_days" in entry:
            body.response_days = int(entry["response_days"])
        # Residents may apply to join unless the file closes the body to applications.
        body.accepts_volunteers = bool(entry.get("open_to_volunteers", True))

    districts = {
        d.slug: d
        for d in db.session.scalars(select(District).where(District.council_id == council.id))
    }
    for position, entry in enumerate(data.get("districts", [])):
        district = districts.get(entry["slug"])
        if district is None:
            district = District(council_id=council.id, slug=entry["slug"])
            db.session.add(district)
            counts.created += 1
        else:
            counts.updated += 1
        district.names = _per_language(entry, "name")
        district.population = entry.get("population")
        district.population_year = entry.get("population_year")
        district.position = position
    db.session.flush()
    return counts


def _parent_id(meta: dict) -> int | None:
    """The data file's ``parent``: the slug of a council loaded before this one."""
    slug = meta.get("parent")
    if not slug:
        return None
    parent = db.session.scalar(select(Council).where(Council.slug == str(slug)))
    if parent is None or parent.slug == meta["slug"]:
        raise ValueError(
            f"Council {meta['slug']!r}: its parent {slug!r} is not loaded; load the parent "
            "council's data file first."
        )
    return parent.id


def check_council_address(value, slug: str) -> str | None:
    """A data file's ``site_url``: a full http(s) address without query or fragment."""
    if value in (None, ""):
        return None
    parts = urlsplit(str(value))
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(
            f"Council {slug!r}: site_url must be a full address such as "
            f"https://katilim.example.org (got {value!r})."
        )
    if current_app.config.get("ENV_NAME") == "production" and parts.scheme != "https":
        raise ValueError(
            f"Council {slug!r}: site_url must start with https:// in production (got "
            f"{value!r}): links in e-mails carry sign-in tokens."
        )
    return str(value).rstrip("/")


def council_host(address: str) -> str:
    """The host name of an address (``https://a.example:8443/x`` → ``a.example``), or of a
    Host header (``a.example:8443``), lower-cased. A council is known by its host name alone:
    the port a request arrives on says nothing about which council it is for."""
    if "//" not in address:
        address = f"//{address}"
    try:
        return (urlsplit(address).hostname or "").lower()
    except ValueError:  # a Host header that is no host (an unclosed "[")
        return ""


# The council's names as this process last read them, by council and by host: the 503 page,
# rendered while the database is down, still says whose site it is.
_names_seen: dict[str, dict] = {}


def council_names_seen() -> dict:
    """The names ({"tr": ...}) of the council this request is for, as last read, or {}."""
    host = council_host(request.host) if has_request_context() else ""
    if host in _names_seen:
        return _names_seen[host]
    return _names_seen.get(current_app.config["COUNCIL_SLUG"], {})


class CouncilNotLoaded(RuntimeError):
    """The configured council's data file has not been loaded into this database."""


@cache
def _council_query(by_host: bool) -> Select:
    """The councils a request may be for, by slug (and host): built once, since every request
    runs it."""
    slug = Council.slug == bindparam("slug", type_=String())
    if not by_host:
        return select(Council).where(slug)
    return select(Council).where(or_(Council.host == bindparam("host", type_=String()), slug))


def current_council() -> Council:
    """The council this request is for, found once per request: the one whose address's host
    the request names, else the installation's default council (setting COUNCIL_SLUG). Outside
    a request (a command), the default council, or the one :func:`for_council` sets."""
    if "council" not in g:
        slug = current_app.config["COUNCIL_SLUG"]
        host = council_host(request.host) if has_request_context() else None
        found = list(db.session.scalars(_council_query(bool(host)), {"slug": slug, "host": host}))
        council = next((c for c in found if host and c.host == host), None)
        council = council or next((c for c in found if c.slug == slug), None)
        if council is None:
            raise CouncilNotLoaded(
                f"Council {slug!r} is not loaded: run `flask --app katilim load-council`."
            )
        g.council = council
        _names_seen[council.slug] = dict(council.names)
        if host:
            _names_seen[host] = dict(council.names)
    return g.council


def serves_host(host: str) -> bool:
    """Whether ``host`` is the address of the council this request is for (a council loaded
    with a ``site_url``), so the host check lets it through."""
    try:
        return (current_council().host or "") == council_host(host)
    except CouncilNotLoaded:
        return False


def council_address() -> str | None:
    """The address of the council this request or command is for, when it has its own."""
    if database_unavailable():
        return None
    try:
        return current_council().site_url
    except CouncilNotLoaded:
        return None


def council_turkish_name() -> str | None:
    """The registered name of the council of this request or command (e-mails' sender)."""
    council = site_council()
    return council.turkish_name if council is not None else None


@contextmanager
def for_council(council: Council) -> Iterator[Council]:
    """Act as ``council`` (its links, names and data) inside a command that works for every
    council of the installation, e.g. a digest per account."""
    saved = g.pop("council", None)
    g.council = council
    try:
        yield council
    finally:
        g.pop("council", None)
        if saved is not None:
            g.council = saved


def council_by_slug(slug: str) -> Council | None:
    return db.session.scalar(select(Council).where(Council.slug == slug))


def council_named(slug: str | None) -> str:
    """A council's name in the current language, by slug (a referral's timeline entry)."""
    council = council_by_slug(slug) if slug else None
    return council.name if council is not None else (slug or "")


def all_councils() -> list[Council]:
    return list(db.session.scalars(select(Council).order_by(Council.id)))


def for_each_council(work: Callable[[Council], int]) -> int:
    """Run a command's ``work(council)`` as each council in turn (its links, names, data) and
    add up what it returns: a timer runs one command for the whole installation."""
    total = 0
    for council in all_councils():
        with for_council(council):
            total += work(council)
    return total


def site_council() -> Council | None:
    """The council named in every page's title, header and footer and in e-mail signatures;
    None before its data is loaded or while the database is down (the 503 page)."""
    if database_unavailable():
        return None
    try:
        return current_council()
    except CouncilNotLoaded:
        return None


def list_bodies(council: Council, *, active_only: bool = True) -> list[Body]:
    query = select(Body).where(Body.council_id == council.id).order_by(Body.position, Body.id)
    if active_only:
        query = query.where(Body.is_active.is_(True))
    return list(db.session.scalars(query))


def list_districts(council: Council) -> list[District]:
    return list(
        db.session.scalars(
            select(District).where(District.council_id == council.id).order_by(District.position)
        )
    )


def is_moderator_of(user, body: Body | None) -> bool:
    """True if the user is a moderator or chair of the body, or an admin of its council."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_admin:
        # An admin is one council's: another council's body is not theirs to moderate.
        return body is None or body.council_id == user.council_id
    return body is not None and any(m.body_id == body.id for m in user.memberships)


def reviewer_ids(body: Body | None) -> set[int]:
    """Who reviews a body's proposals and is told of them: its moderators and chairs with an
    active account; the admins while the body has none, and for proposals with no body yet
    (the general queue). No proposal goes unread (docs/rules.md#staffing)."""
    if body is not None:
        staff = set(
            db.session.scalars(
                select(Membership.user_id)
                .join(User, User.id == Membership.user_id)
                .where(Membership.body_id == body.id, User.is_active_account.is_(True))
            )
        )
        if staff:
            return staff
    return set(
        db.session.scalars(
            select(User.id).where(
                User.council_id == current_council().id,
                User.site_role == SiteRole.ADMIN,
                User.is_active_account.is_(True),
            )
        )
    )


def staffed_body_ids(council: Council) -> set[int]:
    """The council's bodies that have at least one moderator or chair with an active account."""
    return set(
        db.session.scalars(
            select(Membership.body_id)
            .join(Body, Body.id == Membership.body_id)
            .join(User, User.id == Membership.user_id)
            .where(Body.council_id == council.id, User.is_active_account.is_(True))
            .distinct()
        )
    )


def add_membership(user, body: Body, role) -> Membership:
    membership = Membership(user=user, body=body, role=role)
    db.session.add(membership)
    db.session.flush()
    return membership
