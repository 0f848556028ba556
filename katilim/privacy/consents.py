"""Explicit consents (açık rıza, KVKK art. 3 and 5/1): given, withdrawn, given again.

A record is never rewritten: withdrawing stamps ``withdrawn_at``; giving again (or agreeing
to a newer text) adds a new record. Nothing here commits. What else changes when a person
gives or withdraws a consent on the consent page is in katilim/privacy/consent_changes.py.
"""

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import exc, select

from katilim.core.models import utcnow
from katilim.extensions import db
from katilim.privacy.models import Consent, ConsentPurpose
from katilim.privacy.purposes import PurposeText, purpose_text


def text_version() -> str:
    """The consent texts are versioned with the privacy notice they sit beside."""
    return current_app.config["PRIVACY_NOTICE_VERSION"]


def active_consent(user, purpose: ConsentPurpose) -> Consent | None:
    return db.session.scalar(
        select(Consent).where(
            Consent.user_id == user.id,
            Consent.purpose == purpose,
            Consent.withdrawn_at.is_(None),
        )
    )


def consent_history(user) -> list[Consent]:
    """Every consent record of the person, newest first."""
    return list(
        db.session.scalars(
            select(Consent)
            .where(Consent.user_id == user.id)
            .order_by(Consent.given_at.desc(), Consent.id.desc())
        )
    )


def give(user, purpose: ConsentPurpose) -> Consent:
    """Record the consent under the current text, unless it is already in force."""
    current = active_consent(user, purpose)
    version = text_version()
    if current is not None and current.text_version == version:
        return current
    now = utcnow()
    if current is not None:  # agreed to an older text: that one ends, the new one starts
        current.withdrawn_at = now
        db.session.flush()
    consent = Consent(user_id=user.id, purpose=purpose, text_version=version, given_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(consent)
    except exc.IntegrityError:  # the same person's other request recorded it first
        recorded = active_consent(user, purpose)
        if recorded is None:  # recorded and withdrawn again by a third request meanwhile
            raise
        return recorded
    return consent


def withdraw(user, purpose: ConsentPurpose) -> bool:
    """Withdraw the consent in force, if any; the record stays, with the time of withdrawal."""
    current = active_consent(user, purpose)
    if current is None:
        return False
    current.withdrawn_at = utcnow()
    db.session.flush()
    return True


@dataclass
class PurposeState:
    purpose: ConsentPurpose
    text: PurposeText
    consent: Consent | None  # the one in force

    @property
    def is_outdated(self) -> bool:
        return self.consent is not None and self.consent.text_version != text_version()


def overview(user) -> list[PurposeState]:
    """Each optional purpose with the consent in force, if any (one query)."""
    active = {
        c.purpose: c
        for c in db.session.scalars(
            select(Consent).where(Consent.user_id == user.id, Consent.withdrawn_at.is_(None))
        )
    }
    return [PurposeState(p, purpose_text(p), active.get(p)) for p in ConsentPurpose]
