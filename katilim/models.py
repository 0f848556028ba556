"""Import every model so that SQLAlchemy and Alembic know all tables."""

from katilim.assist.models import AssistedSubmission  # noqa: F401
from katilim.audit.models import AuditLog  # noqa: F401
from katilim.auth.models import LoginThrottle, SiteRole, User, UserSession  # noqa: F401
from katilim.comments.models import Comment, CommentRevision  # noqa: F401
from katilim.mail.models import OutboxMessage  # noqa: F401
from katilim.meetings.models import AgendaItem, Meeting, MeetingRegistration  # noqa: F401
from katilim.moderation.models import AnswerTemplate, Flag  # noqa: F401
from katilim.notifications.models import Follow, Notification  # noqa: F401
from katilim.organization.models import Body, Council, District, Membership  # noqa: F401
from katilim.photos.models import ProposalPhoto  # noqa: F401
from katilim.privacy.models import Consent, TrafficRecord, TrafficSeal  # noqa: F401
from katilim.proposals.models import (  # noqa: F401
    Proposal,
    ProposalEvent,
    ProposalRevision,
    Tag,
)
from katilim.representation.models import Demographics  # noqa: F401
from katilim.volunteers.models import BodyVolunteer  # noqa: F401
from katilim.voting.models import Vote  # noqa: F401
