"""One of everything a route can name, seeded the same way every time (ids included).

Shared by the odd-input sweep (tests/security/test_odd_input.py) and the walk that checks that
nothing but the council's data names the council (tests/organization/test_any_council.py).

The sweep asks for a district council too (``district_council=True``): Gölcük, whose parent
is the configured council, at its own address, with a moderator and a proposal in review, so
that what only a district council's staff are shown (the form that refers a proposal to the
provincial council) is swept as well.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from unittest import mock

from sqlalchemy import select

from katilim.assist.models import AgeBand, Channel
from katilim.assist.services import AssistDetails, file_assisted_proposal
from katilim.auth import sessions
from katilim.auth.models import SiteRole, User
from katilim.auth.tokens import make_email_change_token, make_reset_token, make_verify_token
from katilim.extensions import db
from katilim.mail.unsubscribe import make_unsubscribe_token
from katilim.meetings.services import MeetingData, schedule_meeting
from katilim.meetings.services import register as register_for_meeting
from katilim.moderation.answer_templates import add_template
from katilim.moderation.models import FlagReason
from katilim.moderation.reports import report_content
from katilim.moderation.services import answer
from katilim.notifications.models import Notification
from katilim.organization.models import Membership, MembershipRole
from katilim.organization.services import load_council
from katilim.photos import services as photo_services
from katilim.photos.services import Upload
from katilim.proposals.models import RoutingMethod
from katilim.proposals.services import ProposalContent
from katilim.seed import DISTRICT_FILE
from katilim.volunteers import services as volunteer_services
from tests.conftest import empty_tables
from tests.factories import (
    acting_as,
    get_body,
    get_council,
    get_district,
    make_comment,
    make_proposal,
    make_user,
)
from tests.photos.images import encoded

FORM_EMAIL = "candidate@odd.example"  # an account of the seeded world, a form's e-mail


@dataclass
class DistrictCouncil:
    """A district council of the world's council, served at its own address."""

    base_url: str  # its address (a test client's base_url)
    council_id: int
    moderator_id: int  # moderates the body of the proposal; signed in as "sweep-district"
    path_values: dict[str, object]  # what differs from the world's: its proposal


@dataclass
class World:
    users: dict[str, int]  # role → user id
    roles: dict[int, SiteRole]
    memberships: set[tuple[int, int]]
    path_values: dict[str, object]  # path variable name → a real value
    alternatives: dict[str, list]  # path variable name → more real values
    endpoint_values: dict[str, dict]  # endpoint → path values of its own (tokens, slugs)
    district: DistrictCouncil | None = None


DISTRICT_SESSION = "sweep-district"  # the district moderator's session token


def seed_world(app, district: str = "izmit", *, district_council: bool = False) -> World:
    """One of everything a route can name: ids are the same on every seeding. The council is
    the configured one (its data file); ``district`` is one of its districts. With
    ``district_council``, Gölcük as well, seeded after the rest (whose ids do not change)."""
    with app.app_context():
        empty_tables()
        load_council(app.config["COUNCIL_DATA_FILE"])
        body = get_body("ulasim")
        resident = make_user("Sakin Selin", email="resident@odd.example")
        facilitator = make_user("Gönüllü Gül", email="fac@odd.example", role=SiteRole.FACILITATOR)
        moderator = make_user("Moderatör Mine", email="mod@odd.example", moderates=body)
        admin = make_user("Yönetici Yasin", email="admin@odd.example", role=SiteRole.ADMIN)
        admin.is_operator = True  # the installation's operator too: /operator is swept
        member = make_user("Üye Umut", email="member@odd.example")
        membership = Membership(user_id=member.id, body_id=body.id, role=MembershipRole.MODERATOR)
        db.session.add(membership)
        candidate = make_user("Aday Can", email=FORM_EMAIL)
        unverified = make_user("Yeni Nur", email="new@odd.example", verified=False)
        proposal = make_proposal(
            resident, body=body, district=get_district(district), tags=("tramvay",)
        )
        comment = make_comment(proposal, candidate)
        make_comment(proposal, member, parent=comment)
        anonymous_comment = make_comment(proposal, candidate, pseudonymous=True)
        anonymous = make_proposal(resident, body=body, pseudonymous=True)
        draft = make_proposal(resident, body=body, publish=False)
        flag = report_content(member, reason=FlagReason.SPAM, proposal=proposal)
        report_content(member, reason=FlagReason.INSULT, comment=comment)
        template = add_template(moderator, body, title="Teşekkür", text="Teşekkürler, bakıyoruz.")
        answer(moderator, proposal, "Önerinizi inceliyoruz.")
        prepared, _ = photo_services.prepare([Upload(encoded("PNG"), "Durağın önü", 1)])
        [photo] = photo_services.add_photos(proposal.author, proposal, prepared)
        assisted = file_assisted_proposal(
            facilitator,
            get_council(),
            ProposalContent(
                title="Köy yoluna bir otobüs seferi daha konulsun",
                summary="Sabah okula gitmek için ikinci bir sefer gerekli.",
                text="Köyümüzden şehre sabah yalnızca bir otobüs var ve hep dolu; ikinci sefer.",
                language="tr",
                pseudonymous=True,
            ),
            AssistDetails(
                channel=Channel.PHONE,
                consent_given=True,
                letter_locale="tr",
                age_band=AgeBand.FROM_65,
                contact="0532 000 11 22",
            ),
            body=body,
            routing_method=RoutingMethod.CITIZEN,
        )
        meeting = schedule_meeting(
            moderator,
            body,
            MeetingData(
                title="Aylık toplantı",
                starts_at=datetime(2099, 3, 14, 15, 30, tzinfo=UTC),
                place_name="Kent Konseyi salonu",
                is_step_free=True,
                sign_language_on_request=True,
                online_url="https://meet.example.org/ulasim",
                capacity=30,
                proposal_ids=[proposal.id],
                free_items=["Bütçe"],
            ),
        )
        register_for_meeting(resident, meeting, needs_sign_language=True)
        # An open volunteer application (to decide) and a member (to leave, to be named).
        application = volunteer_services.apply(candidate, body, "Yardım etmek isterim.")
        membership_row = volunteer_services.apply(resident, body, "")
        volunteer_services.decide(moderator, membership_row, True)
        db.session.commit()
        notification = db.session.scalar(
            select(Notification).where(Notification.user_id == resident.id)
        )
        users = {
            "resident": resident.id,
            "facilitator": facilitator.id,
            "moderator": moderator.id,
            "admin": admin.id,
        }
        # A live session per role with a fixed token, so that the cookies made once still sign
        # in after the world is seeded again (katilim/auth/sessions.py keeps sessions as rows).
        for role, uid in users.items():
            with mock.patch.object(sessions.secrets, "token_urlsafe", return_value=f"sweep-{role}"):
                sessions.start(db.session.get(User, uid))
        db.session.commit()
        world = World(
            users=users,
            roles={uid: db.session.get(User, uid).site_role for uid in users.values()},
            memberships=memberships_of(users.values()),
            path_values={
                "proposal_id": proposal.id,
                "comment_id": comment.id,
                "flag_id": flag.id,
                "template_id": template.id,
                "membership_id": membership.id,
                "notification_id": notification.id if notification else 1,
                "user_id": candidate.id,
                "slug": body.slug,
                "token": make_unsubscribe_token(resident),
                "filename": "style.css",
                "photo_id": photo.id,
                "size": "small",
                "meeting_id": meeting.id,
                "row_id": application.id,
            },
            # Other real values, tried when a page is not found with the first ones (a
            # reveal page needs an anonymous proposal).
            alternatives={
                "proposal_id": [anonymous.id, assisted.id, draft.id],
                "comment_id": [anonymous_comment.id],
            },
            endpoint_values={
                "auth.verify": {"token": make_verify_token(unverified)},
                "auth.reset_with_token": {"token": make_reset_token(resident)},
                "account.confirm_email": {
                    "token": make_email_change_token(resident, "moved@example.org")
                },
            },
        )
        db.session.remove()
    if district_council:
        world.district = _seed_district_council(app)
    return world


def _seed_district_council(app) -> DistrictCouncil:
    with app.app_context():
        load_council(DISTRICT_FILE)  # its parent is the configured council
        db.session.commit()
    with acting_as(app, "golcuk"), app.app_context():
        body = get_body("kadin-meclisi")
        moderator = make_user("Moderatör Melek", email="mod@golcuk.odd.example", moderates=body)
        author = make_user("Sakin Sevgi", email="resident@golcuk.odd.example")
        proposal = make_proposal(author, body=body, title="Kreşin bahçesine gölgelik yapılsın")
        db.session.commit()
        with mock.patch.object(sessions.secrets, "token_urlsafe", return_value=DISTRICT_SESSION):
            sessions.start(moderator)
        db.session.commit()
        found = DistrictCouncil(
            base_url=get_council().site_url or "",
            council_id=get_council().id,
            moderator_id=moderator.id,
            path_values={"proposal_id": proposal.id},
        )
        db.session.remove()
        return found


def memberships_of(user_ids) -> set[tuple[int, int]]:
    return set(
        db.session.execute(
            select(Membership.user_id, Membership.body_id).where(
                Membership.user_id.in_(list(user_ids))
            )
        ).all()
    )
