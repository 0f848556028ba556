"""The record of an assisted submission: how it came in, the person's consent, how to answer.

The person has no account, so the proposal has no author (Proposal.assisted_by_id names the
facilitator). What the platform must remember about the person lives here, one row per
proposal, and never on a public page, in the API or in an export: the contact above all, which
only the filing facilitator and admins see (katilim/assist/permissions.py).
"""

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from katilim.core.models import TZDateTime, str_enum, utcnow
from katilim.extensions import Model

if TYPE_CHECKING:  # for the relationships' annotations; the mapper resolves the names
    from katilim.auth.models import User
    from katilim.proposals.models import Proposal

# Shown on lists and pages of an assisted proposal (the template macro uses the same text).
ASSISTED_MARK = _l("Submitted with a volunteer's help")

# The consent text the facilitator reads aloud; bump the version whenever its words change.
# Each record keeps the version and the very words read (naming the council, in the person's
# language), so that it says what the person agreed to whichever council they spoke to.
CONSENT_TEXT_VERSION = "2026-12"


def consent_text(council_name: str) -> str:
    """The consent text in the current language, naming the council that publishes."""
    return gettext(
        "I will write down your proposal and publish it on the Katılım website of %(council)s"
        " without your name; only the district you choose is shown. If you tell me how to"
        " reach you, only I and the council's staff will see it, and only to give you the"
        " answer. You can ask for the proposal to be taken down at any time. Do you agree?",
        council=council_name,
    )


class Channel(enum.StrEnum):
    PHONE = "phone"
    PAPER = "paper"
    IN_PERSON = "in_person"
    OTHER = "other"


CHANNEL_LABELS = {
    Channel.PHONE: _l("By phone"),
    Channel.PAPER: _l("On paper"),
    Channel.IN_PERSON: _l("In person"),
    Channel.OTHER: _l("Another way"),
}


class AgeBand(enum.StrEnum):
    # Wide bands: enough for the representation figures, too coarse to single anyone out.
    UNDER_18 = "under_18"
    FROM_18 = "18_29"
    FROM_30 = "30_44"
    FROM_45 = "45_64"
    FROM_65 = "65_plus"


AGE_BAND_LABELS = {
    AgeBand.UNDER_18: _l("Under 18"),
    AgeBand.FROM_18: _l("18 to 29"),
    AgeBand.FROM_30: _l("30 to 44"),
    AgeBand.FROM_45: _l("45 to 64"),
    AgeBand.FROM_65: _l("65 or older"),
}


class AssistedSubmission(Model):
    __tablename__ = "assisted_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), unique=True
    )
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    # Consent is a condition of filing: the row exists only if the person agreed.
    consent_taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    consent_given_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    consent_text_version: Mapped[str] = mapped_column(String(20), default=CONSENT_TEXT_VERSION)
    # The words read, as above (empty on records from before the council was named in them).
    consent_text: Mapped[str | None] = mapped_column(Text)
    age_band: Mapped[AgeBand | None] = mapped_column(str_enum(AgeBand))
    # How to reach the person with the answer: only the filing facilitator and admins see it.
    contact: Mapped[str | None] = mapped_column(Text)
    letter_locale: Mapped[str] = mapped_column(String(8), default="tr")
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)

    proposal: Mapped["Proposal"] = relationship()  # noqa: F821
    consent_taken_by: Mapped["User | None"] = relationship()  # noqa: F821

    @property
    def channel_label(self) -> str:
        return str(CHANNEL_LABELS[self.channel])

    @property
    def age_band_label(self) -> str:
        return str(AGE_BAND_LABELS[self.age_band]) if self.age_band else ""
