"""Demo accounts and proposals, for trying the platform locally (never in production)."""

import random
from datetime import time, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from katilim.assist.models import AgeBand, AssistedSubmission, Channel
from katilim.auth.models import SiteRole, User
from katilim.comments.models import Comment, Stance
from katilim.core.dates import local_day, local_moment
from katilim.core.models import utcnow
from katilim.core.text import render_markdown
from katilim.core.yamlfile import load_yaml
from katilim.extensions import db
from katilim.meetings.models import AgendaItem, Meeting, MeetingRegistration, MeetingStatus
from katilim.organization.models import Body, District, Membership, MembershipRole
from katilim.organization.services import current_council
from katilim.privacy.models import Consent, ConsentPurpose
from katilim.proposals.models import (
    EventKind,
    Proposal,
    ProposalEvent,
    ProposalStatus,
    RoutingMethod,
)
from katilim.proposals.services import ProposalContent, apply_content
from katilim.proposals.threshold import check_threshold
from katilim.representation.models import Demographics
from katilim.volunteers.models import BodyVolunteer, VolunteerStatus
from katilim.voting.models import Vote

DEMO_FILE = Path(__file__).parent / "data" / "demo.yaml"
DEMO_PASSWORD = "katilim-demo"

# (e-mail, display name, district slug, site role, body slug moderated)
DEMO_ACCOUNTS = [
    ("vatandas@example.org", "Ayşe Yılmaz", "izmit", SiteRole.RESIDENT, None),
    ("moderator@example.org", "Murat Aksoy", "izmit", SiteRole.RESIDENT, "ulasim"),
    ("moderator2@example.org", "Elif Şahin", "kartepe", SiteRole.RESIDENT, "cevre-iklim"),
    ("gonullu@example.org", "Hasan Çelik", "gebze", SiteRole.FACILITATOR, None),
    ("admin@example.org", "Kent Konseyi Sekreterliği", None, SiteRole.ADMIN, None),
]

# (e-mail, display name, district slug, body slug chaired): a staffed body of each kind.
DEMO_CHAIRS = [
    ("meclis@example.org", "Zeynep Arslan", "izmit", "engelli-meclisi"),
    ("genelkurul@example.org", "Ahmet Koç", "golcuk", "genel-kurul"),
]

DECIDED = {
    ProposalStatus.ACCEPTED,
    ProposalStatus.REJECTED,
    ProposalStatus.FORWARDED,
    ProposalStatus.IMPLEMENTED,
    ProposalStatus.CLOSED,
}


def _demo_account(council, email, name, district, role, password_hash) -> User:
    """A verified demo account of ``council`` with the demo password (hashed once by the
    caller: scrypt is slow on purpose)."""
    user = User(
        council_id=council.id,
        email=email,
        display_name=name,
        district=district,
        site_role=role,
        password_hash=password_hash,
        email_verified_at=utcnow(),
        privacy_notice_version=current_app.config["PRIVACY_NOTICE_VERSION"],
    )
    db.session.add(user)
    return user


def seed_demo() -> str:
    """Create the demo accounts and content once; a second run changes nothing."""
    if current_app.config["ENV_NAME"] == "production":
        raise RuntimeError("Demo data is never created in production.")
    council = current_council()
    first = select(User).where(User.council_id == council.id, User.email == DEMO_ACCOUNTS[0][0])
    if db.session.scalar(first):
        return "Demo data is already there."
    bodies = {
        b.slug: b for b in db.session.scalars(select(Body).where(Body.council_id == council.id))
    }
    districts = {
        d.slug: d
        for d in db.session.scalars(select(District).where(District.council_id == council.id))
    }
    password_hash = generate_password_hash(DEMO_PASSWORD)  # hashed once: scrypt is slow on purpose
    now = utcnow()

    def account(email, name, district, role=SiteRole.RESIDENT):
        return _demo_account(
            council, email, name, districts.get(district or ""), role, password_hash
        )

    moderators = {}
    facilitator = None
    for email, name, district, role, body_slug in DEMO_ACCOUNTS:
        user = account(email, name, district, role)
        if role == SiteRole.FACILITATOR:
            facilitator = user
        if body_slug:
            db.session.add(
                Membership(user=user, body=bodies[body_slug], role=MembershipRole.MODERATOR)
            )
            moderators[body_slug] = user
    for email, name, district, body_slug in DEMO_CHAIRS:
        if body_slug in bodies:  # a council whose file has no such body gets no such chair
            user = account(email, name, district)
            db.session.add(Membership(user=user, body=bodies[body_slug], role=MembershipRole.CHAIR))
            moderators.setdefault(body_slug, user)  # acts for the body in the demo's timelines

    data = load_yaml(DEMO_FILE)
    residents = [
        account(f"sakin{i + 1:02d}@example.org", r["name"], r.get("district"))
        for i, r in enumerate(data["residents"])
    ]
    db.session.flush()

    rng = random.Random(2026)  # the same demo on every machine
    proposal_count = comment_count = vote_count = photo_count = 0
    by_key: dict[str, Proposal] = {}
    for entry in data["proposals"]:
        assisted = entry.get("assisted")  # filed by the facilitator: the person has no account
        author = None if assisted else residents[entry["author"]]
        status = ProposalStatus(entry["status"])
        published = now - timedelta(days=entry["days_ago"], hours=rng.randint(0, 20))
        body = bodies[entry["body"]]
        routing = RoutingMethod(entry.get("routing", "citizen"))
        proposal = Proposal(
            council_id=council.id,
            author=author,
            status=status,
            body=body,
            routing_method=routing,
            created_at=published,
        )
        if assisted:
            proposal.assisted_by = facilitator
        if routing == RoutingMethod.SUGGESTION and status not in (
            ProposalStatus.NEW,
            ProposalStatus.DRAFT,
        ):
            proposal.routing_confirmed_at = published + timedelta(days=1)
        apply_content(
            proposal,
            ProposalContent(
                title=entry["title"],
                summary=entry["summary"],
                text=entry["text"],
                district=districts.get(entry.get("district") or ""),
                tag_names=tuple(entry.get("tags") or ()),
                language=entry.get("language", "tr"),
                pseudonymous=bool(entry.get("pseudonymous") or assisted),
            ),
        )
        db.session.add(proposal)
        proposal_count += 1
        if entry.get("key"):
            by_key[entry["key"]] = proposal
        if status == ProposalStatus.DRAFT:
            continue
        proposal.published_at = published
        _timeline(proposal, entry, status, published, moderators.get(body.slug))

        db.session.flush()  # the proposal's id, for its votes and comments
        if assisted:
            if facilitator is None:
                raise ValueError("the demo file has an assisted proposal but no facilitator")
            db.session.add(
                AssistedSubmission(
                    proposal_id=proposal.id,
                    channel=Channel(assisted["channel"]),
                    consent_taken_by_id=facilitator.id,
                    consent_given_at=published,
                    age_band=AgeBand(assisted["age_band"]) if assisted.get("age_band") else None,
                    contact=assisted.get("contact"),
                    letter_locale=assisted.get("letter_locale", "tr"),
                    created_at=published,
                )
            )
        voters = rng.sample(residents, entry["supports"] + entry["opposes"])
        for i, voter in enumerate(voters):
            value = 1 if i < entry["supports"] else -1
            db.session.add(
                Vote(
                    proposal_id=proposal.id,
                    user_id=voter.id,
                    value=value,
                    created_at=min(published + timedelta(hours=rng.randint(1, 200)), now),
                )
            )
        db.session.flush()
        proposal.supports_count, proposal.opposes_count = entry["supports"], entry["opposes"]
        check_threshold(proposal)  # marks and timelines like a live vote would
        vote_count += len(voters)

        comment_count += _comments(proposal, entry.get("comments") or [], residents, published, rng)
        if photo_count < len(DEMO_PHOTOS) and author is not None:
            photo_count += _demo_photos(proposal, DEMO_PHOTOS[photo_count])
    _demographics(residents, rng)
    db.session.flush()
    meeting_count = _meetings(data.get("meetings") or [], bodies, by_key, residents, moderators)
    volunteer_count = _volunteers(data.get("volunteers") or [], residents, bodies, moderators)
    db.session.commit()
    return (
        f"Demo data: {len(DEMO_ACCOUNTS) + len(DEMO_CHAIRS) + len(residents)} accounts, "
        f"{proposal_count} proposals, "
        f"{vote_count} votes, {comment_count} comments, {photo_count} proposals with photos, "
        f"{meeting_count} meetings, {volunteer_count} volunteers. Password for every demo account: {DEMO_PASSWORD}"
    )


def _meetings(entries, bodies, by_key, residents, moderators) -> int:
    """The staffed groups' meetings: past ones held with minutes, coming ones with places
    taken (written as rows: the demo tells nobody)."""
    today = local_day(utcnow())
    count = 0
    for entry in entries:
        body = bodies.get(entry["body"])
        if body is None:
            continue
        day = today + timedelta(days=entry["days"])
        starts = local_moment(day, time.fromisoformat(entry["at"]))
        meeting = Meeting(
            council_id=body.council_id,
            body=body,
            title=entry["title"],
            description=entry.get("description", ""),
            starts_at=starts,
            ends_at=local_moment(day, time.fromisoformat(entry["ends"]))
            if entry.get("ends")
            else None,
            place_name=entry.get("place_name"),
            address=entry.get("address"),
            is_step_free=entry.get("step_free"),
            sign_language_on_request=bool(entry.get("sign_language")),
            online_url=entry.get("online_url"),
            capacity=entry.get("capacity"),
            created_by=moderators.get(body.slug),
            created_at=starts - timedelta(days=21),
        )
        decisions = entry.get("decisions") or {}
        position = 0
        for key in entry.get("agenda") or []:
            meeting.agenda_items.append(
                AgendaItem(position=position, proposal=by_key[key], decision=decisions.get(key))
            )
            position += 1
        for text in entry.get("items") or []:
            meeting.agenda_items.append(AgendaItem(position=position, text=text))
            position += 1
        if entry.get("minutes"):
            meeting.status = MeetingStatus.HELD
            meeting.minutes = entry["minutes"]
            meeting.minutes_html = render_markdown(entry["minutes"])
            meeting.attendance = entry.get("attendance")
            meeting.minutes_recorded_at = starts + timedelta(days=1)
        asking = entry.get("sign_language_requests", 0)
        for i, number in enumerate(entry.get("registered") or []):
            db.session.add(
                MeetingRegistration(
                    meeting=meeting,
                    user=residents[number],
                    needs_sign_language=meeting.sign_language_on_request and i < asking,
                    created_at=starts - timedelta(days=7),
                )
            )
        meeting.registrations_count = len(entry.get("registered") or [])
        db.session.add(meeting)
        db.session.flush()
        # A recorded decision is on its proposal's public timeline, as recording it writes.
        for item in meeting.agenda_items:
            if item.decision and item.proposal is not None and meeting.minutes_recorded_at:
                event = ProposalEvent(
                    proposal=item.proposal,
                    actor=meeting.created_by,
                    kind=EventKind.DISCUSSED,
                    from_value=f"{meeting.id}:{day.isoformat()}",
                    to_value=body.slug,
                    text=item.decision,
                    created_at=meeting.minutes_recorded_at,
                )
                db.session.add(event)
                db.session.flush()
                item.event_id = event.id
        count += 1
    return count


# Weighted answers, so that the figures page shows both counted and hidden (small) groups.
DEMO_ANSWERS = {
    "age_band": {
        "18_29": 14,
        "30_44": 16,
        "45_64": 12,
        "65_plus": 3,
        "under_18": 1,
        "prefer_not": 2,
    },
    "gender": {"woman": 22, "man": 21, "other": 1, "prefer_not": 4},
    "disability": {"no": 33, "yes": 10, "prefer_not": 5},
    "mother_tongue": {
        "turkish": 32,
        "kurdish": 9,
        "arabic": 4,
        "zazaki": 1,
        "other": 1,
        "prefer_not": 1,
    },
}


def _volunteers(entries, residents, bodies, moderators) -> int:
    """Members of working groups (some named, with their consent) and open applications."""
    now = utcnow()
    version = current_app.config["PRIVACY_NOTICE_VERSION"]
    consenting: set[int] = set()
    for entry in entries:
        body = bodies.get(entry["body"])
        if body is None:  # a council whose file has no such body
            continue
        person = residents[entry["resident"]]
        status = VolunteerStatus(entry["status"])
        applied = now - timedelta(days=entry.get("days_ago", 10))
        decided = status in (VolunteerStatus.ACCEPTED, VolunteerStatus.DECLINED)
        listed = bool(entry.get("listed")) and status == VolunteerStatus.ACCEPTED
        db.session.add(
            BodyVolunteer(
                body_id=body.id,
                user_id=person.id,
                status=status,
                motivation=entry.get("motivation", ""),
                is_listed=listed,
                created_at=applied,
                decided_at=applied + timedelta(days=2) if decided else None,
                decided_by=moderators.get(body.slug) if decided else None,
                decline_reason=entry.get("decline_reason"),
            )
        )
        if listed and person.id not in consenting:
            consenting.add(person.id)
            db.session.add(
                Consent(
                    user_id=person.id,
                    purpose=ConsentPurpose.VOLUNTEER_LISTING,
                    text_version=version,
                    given_at=applied + timedelta(days=3),
                )
            )
    db.session.flush()
    return len(entries)


def _demographics(residents, rng) -> None:
    """Consented answers for 48 of the demo residents (the rest did not answer)."""
    answering = residents[:48]
    columns = {}
    for name, weights in DEMO_ANSWERS.items():
        values = [value for value, count in weights.items() for _ in range(count)]
        rng.shuffle(values)
        columns[name] = values
    for i, user in enumerate(answering):
        db.session.add(
            Consent(
                user_id=user.id,
                purpose=ConsentPurpose.DEMOGRAPHICS,
                text_version=current_app.config["PRIVACY_NOTICE_VERSION"],
            )
        )
        db.session.add(
            Demographics(user_id=user.id, **{name: columns[name][i] for name in DEMO_ANSWERS})
        )


def _timeline(proposal, entry, status, published, moderator) -> None:
    # An assisted proposal has no author: the facilitator published it.
    starter_id = (proposal.author or proposal.assisted_by).id
    events = [
        ProposalEvent(
            proposal=proposal,
            actor_id=starter_id,
            kind=EventKind.PUBLISHED,
            created_at=published,
        ),
        ProposalEvent(
            proposal=proposal,
            actor_id=starter_id,
            kind=EventKind.ROUTED,
            to_value=proposal.body.slug,
            text=proposal.routing_method.value,
            created_at=published,
        ),
    ]
    actor_id = moderator.id if moderator else None
    step = published
    path = {
        ProposalStatus.UNDER_REVIEW: [ProposalStatus.UNDER_REVIEW],
        ProposalStatus.ACCEPTED: [ProposalStatus.UNDER_REVIEW, ProposalStatus.ACCEPTED],
        ProposalStatus.REJECTED: [ProposalStatus.UNDER_REVIEW, ProposalStatus.REJECTED],
        ProposalStatus.FORWARDED: [
            ProposalStatus.UNDER_REVIEW,
            ProposalStatus.ACCEPTED,
            ProposalStatus.FORWARDED,
        ],
        ProposalStatus.IMPLEMENTED: [
            ProposalStatus.UNDER_REVIEW,
            ProposalStatus.ACCEPTED,
            ProposalStatus.FORWARDED,
            ProposalStatus.IMPLEMENTED,
        ],
        ProposalStatus.CLOSED: [ProposalStatus.UNDER_REVIEW, ProposalStatus.CLOSED],
        ProposalStatus.WITHDRAWN: [ProposalStatus.WITHDRAWN],
    }.get(status, [])
    previous = ProposalStatus.NEW
    days_ago = entry["days_ago"]
    for i, target in enumerate(path):
        step = min(step + timedelta(days=max(1, days_ago // (len(path) + 1))), utcnow())
        is_last = i == len(path) - 1
        kind = (
            EventKind.WITHDRAWN if target == ProposalStatus.WITHDRAWN else EventKind.STATUS_CHANGED
        )
        events.append(
            ProposalEvent(
                proposal=proposal,
                actor_id=starter_id if kind == EventKind.WITHDRAWN else actor_id,
                kind=kind,
                from_value=previous.value,
                to_value=target.value,
                text=entry.get("answer")
                if is_last and target in DECIDED | {ProposalStatus.UNDER_REVIEW}
                else None,
                created_at=step,
            )
        )
        previous = target
        # The accountability figures that the moderation services keep in the row.
        if events[-1].text and proposal.first_answer_at is None:
            proposal.first_answer_at = step
        if target in (ProposalStatus.ACCEPTED, ProposalStatus.REJECTED):
            proposal.decided_at = step
        if target == ProposalStatus.FORWARDED:
            proposal.forwarded_on = step.date()
        if target == ProposalStatus.IMPLEMENTED and proposal.forwarded_on:
            proposal.agenda_on = proposal.forwarded_on + timedelta(days=18)
    db.session.add_all(events)


def _comments(proposal, entries, residents, published, rng, parent=None, depth=0) -> int:
    count = 0
    for entry in entries:
        created = min(published + timedelta(hours=rng.randint(2, 400)), utcnow())
        comment = Comment(
            proposal_id=proposal.id,
            author_id=residents[entry["author"]].id,
            stance=Stance(entry["stance"]),
            text=entry["text"],
            text_html=render_markdown(entry["text"]),
            language=entry.get("language", "tr"),
            depth=min(depth, 2),
            created_at=created,
        )
        if parent is not None:
            comment.parent_id = parent.id
            comment.root_id = parent.root_id or parent.id
        db.session.add(comment)
        db.session.flush()
        count += 1
        count += _comments(
            proposal,
            entry.get("replies") or [],
            residents,
            published,
            rng,
            parent=comment if depth < 2 else parent,
            depth=depth + 1,
        )
    proposal.comments_count = (proposal.comments_count or 0) + (count if parent is None else 0)
    return count


# Pictures drawn here (no file, no network): (sky, ground, shapes, alt text) per proposal.
DEMO_PHOTOS = [
    [
        (
            (135, 190, 230),
            (90, 90, 95),
            "stop",
            "Çizim: yol kenarında gölgeliksiz bir otobüs durağı",
        ),
        ((200, 220, 240), (120, 120, 120), "curb", "Çizim: durağın önündeki yüksek kaldırım"),
    ],
    [((150, 200, 235), (70, 140, 70), "park", "Çizim: ağaçlı bir park ve boş bir bank")],
    [((170, 200, 230), (100, 100, 100), "crossing", "Çizim: okul önündeki yaya geçidi")],
]


def _demo_picture(sky, ground, shape: str) -> bytes:
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1200, 800), sky)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 520, 1200, 800), fill=ground)
    if shape == "stop":
        draw.rectangle((700, 260, 720, 560), fill=(60, 60, 60))
        draw.rectangle((640, 220, 780, 300), fill=(250, 200, 40))
    elif shape == "curb":
        draw.rectangle((0, 470, 1200, 560), fill=(190, 190, 185))
    elif shape == "park":
        for x in (150, 450, 950):
            draw.rectangle((x + 30, 380, x + 60, 540), fill=(110, 70, 40))
            draw.ellipse((x - 40, 230, x + 130, 420), fill=(40, 120, 50))
        draw.rectangle((600, 500, 800, 520), fill=(140, 90, 50))
    else:
        for x in range(100, 1100, 120):
            draw.rectangle((x, 600, x + 70, 720), fill=(245, 245, 245))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _demo_photos(proposal, pictures) -> int:
    """Photos for a demo proposal, through the same cleaning as an upload."""
    from katilim.photos.services import Upload, attach_photos, prepare

    prepared, errors = prepare(
        [
            Upload(_demo_picture(sky, ground, shape), alt, slot)
            for slot, (sky, ground, shape, alt) in enumerate(pictures, start=1)
        ]
    )
    if errors:
        raise RuntimeError(f"demo photos refused: {errors}")
    attach_photos(proposal, prepared)
    return 1


# --- the demo's district council ------------------------------------------------------------

DISTRICT_FILE = Path(__file__).parent / "data" / "golcuk.yaml"
# The same addresses as some of the provincial council's demo accounts: an account belongs to
# one council, so each address has one account on each (README, "Several councils").
DISTRICT_ACCOUNTS = [
    ("admin@example.org", "Gölcük Kent Konseyi Sekreterliği", None, SiteRole.ADMIN, None),
    ("moderator@example.org", "Serap Ünal", "degirmendere", SiteRole.RESIDENT, "ulasim"),
    ("vatandas@example.org", "Ayşe Yılmaz", "ihsaniye", SiteRole.RESIDENT, None),
    ("sakin01@example.org", "Kadir Bozkurt", "halidere", SiteRole.RESIDENT, None),
    ("sakin02@example.org", "Gül Akgün", "ulasli", SiteRole.RESIDENT, None),
    ("sakin03@example.org", "Rıza Önal", "yazlik", SiteRole.RESIDENT, None),
    ("sakin04@example.org", "Sibel Tan", "ihsaniye", SiteRole.RESIDENT, None),
    ("sakin05@example.org", "Umut Ece", "degirmendere", SiteRole.RESIDENT, None),
]
# (author's e-mail, body, district, title, summary, text, supporters, the body's answer)
DISTRICT_PROPOSALS = [
    (
        "vatandas@example.org",
        "ulasim",
        "degirmendere",
        "Değirmendere iskelesine gölgelik ve oturma yeri yapılsın",
        "Feribot bekleyenler yazın güneşte, kışın yağmurda ayakta bekliyor.",
        "Değirmendere iskelesinde feribotu bekleyenlerin oturacak yeri yok. Yaşlılar ve "
        "çocuklu aileler için gölgelikli, oturma yerli bir bekleme alanı yapılmasını öneriyoruz.",
        5,
        "Önerinizi belediyenin fen işleri müdürlüğüyle görüştük; iskele için keşif yapılacak. "
        "Sonucu burada paylaşacağız.",
    ),
    (
        "sakin01@example.org",
        "cevre",
        "halidere",
        "Halıdere sahiline daha çok çöp kutusu konulsun",
        "Hafta sonları sahil çöple doluyor, kutular yetmiyor.",
        "Halıdere sahilinde yürüyüş yolu boyunca çok az çöp kutusu var. Hafta sonları piknikten "
        "sonra çöpler sahile ve denize karışıyor. Ayrı toplama kutuları da isteriz.",
        3,
        None,
    ),
    (
        "sakin02@example.org",
        "engelli-meclisi",
        "ihsaniye",
        "Çarşıdaki kaldırımlara tekerlekli sandalye rampası yapılsın",
        "İhsaniye çarşısında rampasız kaldırımlar tekerlekli sandalyeyi yola itiyor.",
        "Çarşı caddesinde kaldırımların çoğunda rampa yok; tekerlekli sandalye kullananlar ve "
        "bebek arabasıyla yürüyenler taşıt yoluna inmek zorunda kalıyor.",
        4,
        None,
    ),
    (
        "sakin04@example.org",
        "kadin-meclisi",
        "ihsaniye",
        "Belediye kreşinin saatleri vardiyalı çalışan annelere göre uzatılsın",
        "Tersanede ve fabrikalarda vardiyalı çalışan anneler kreşe yetişemiyor.",
        "Belediye kreşi 17.00'de kapanıyor; 16.00-24.00 vardiyasında çalışan anneler çocuklarını "
        "bırakacak yer bulamıyor. Akşam saatlerine uzanan bir grup açılmasını öneriyoruz.",
        2,
        None,
    ),
]


def seed_district_demo() -> str:
    """Load the demo's district council (Gölcük, at its own address) with a few accounts and
    proposals, once; a second run changes nothing. Never in production."""
    from katilim.comments.services import add_comment
    from katilim.moderation.services import answer
    from katilim.organization.services import for_council, load_council
    from katilim.proposals.services import create_proposal
    from katilim.voting.services import cast_vote

    if current_app.config["ENV_NAME"] == "production":
        raise RuntimeError("Demo data is never created in production.")
    council = load_council(DISTRICT_FILE).council
    db.session.flush()
    with for_council(council):
        first = select(User).where(
            User.council_id == council.id, User.email == DISTRICT_ACCOUNTS[0][0]
        )
        if db.session.scalar(first):
            db.session.commit()
            return f"Demo data of {council.turkish_name} is already there."
        bodies = {
            b.slug: b for b in db.session.scalars(select(Body).where(Body.council_id == council.id))
        }
        districts = {
            d.slug: d
            for d in db.session.scalars(select(District).where(District.council_id == council.id))
        }
        password_hash = generate_password_hash(DEMO_PASSWORD)
        people = {}
        for email, name, district, role, body_slug in DISTRICT_ACCOUNTS:
            user = _demo_account(
                council, email, name, districts.get(district or ""), role, password_hash
            )
            if body_slug:
                db.session.add(
                    Membership(user=user, body=bodies[body_slug], role=MembershipRole.MODERATOR)
                )
            people[email] = user
        db.session.flush()
        voters = [u for u in people.values() if u.site_role == SiteRole.RESIDENT]
        moderator = people["moderator@example.org"]
        for author, body, district, title, summary, text, supporters, reply in DISTRICT_PROPOSALS:
            proposal = create_proposal(
                people[author],
                council,
                ProposalContent(
                    title=title, summary=summary, text=text, district=districts[district]
                ),
                body=bodies[body],
                routing_method=RoutingMethod.CITIZEN,
                publish=True,
            )
            for voter in [v for v in voters if v is not people[author]][:supporters]:
                cast_vote(voter, proposal, 1)
            add_comment(
                voters[-1] if people[author] is not voters[-1] else voters[0],
                proposal,
                text="Katılıyorum; bunu çok kişi istiyor.",
                stance=Stance.FOR,
            )
            if reply:
                answer(moderator, proposal, reply)
        db.session.commit()
        return (
            f"Demo data of {council.turkish_name} added: {len(people)} accounts, "
            f"{len(DISTRICT_PROPOSALS)} proposals, at {council.site_url}."
        )
