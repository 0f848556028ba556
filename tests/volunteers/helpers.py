"""People around one body for the volunteer tests."""

from katilim.auth.models import SiteRole
from katilim.extensions import db
from katilim.organization.models import Membership, MembershipRole
from tests.factories import get_body, make_user


def cast(body_slug: str = "ulasim", other_slug: str = "cevre-iklim") -> dict:
    """A chair and a moderator of the body, a moderator of another body, an admin, a verified
    resident and an unverified one (ORM objects; the caller commits). Their e-mails are in
    English, which the tests read."""
    body, other = get_body(body_slug), get_body(other_slug)
    chair = make_user("Başkan Bey", locale="en")
    db.session.add(Membership(user_id=chair.id, body_id=body.id, role=MembershipRole.CHAIR))
    people = {
        "body": body,
        "other": other,
        "chair": chair,
        "moderator": make_user("Moderatör Hanım", locale="en", moderates=body),
        "other_moderator": make_user("Başka Moderatör", locale="en", moderates=other),
        "admin": make_user("Yönetici", locale="en", role=SiteRole.ADMIN),
        "resident": make_user("Ayşe Yılmaz", locale="en"),
        "facilitator": make_user("Kolaylaştırıcı", locale="en", role=SiteRole.FACILITATOR),
        "unverified": make_user("Doğrulanmamış", locale="en", verified=False),
    }
    db.session.flush()
    return people
