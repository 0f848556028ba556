"""Explicit consents (açık rıza, KVKK art. 3 and 5/1): given, withdrawn, given again.

A record is never rewritten: withdrawing stamps ``withdrawn_at``; giving again (or agreeing
to a newer text) adds a new record. Nothing here commits.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import exc, select

from katilim.auth.models import Consent, ConsentPurpose, User
from katilim.core.models import utcnow
from katilim.extensions import db
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


def _email_updates(user: User, giving: bool) -> None:
    # The e-mail choice and its consent move together: withdrawing stops every e-mail about
    # proposals; giving turns on the daily summary (the person can pick "at once" on /me).
    from katilim.notifications.services import set_email_frequency

    if not giving:
        set_email_frequency(user, "never")
    elif user.email_frequency == "never":
        set_email_frequency(user, "daily")
    else:
        give(user, ConsentPurpose.EMAIL_UPDATES)


def _demographics(user: User, giving: bool) -> None:
    # Withdrawing deletes the answers too (KVKK: special-category data, removable at any time);
    # giving only records the consent: the answers are asked on /me/demographics.
    from katilim.representation.services import delete_answers

    if giving:
        give(user, ConsentPurpose.DEMOGRAPHICS)
    else:
        delete_answers(user)


# What else changes when a consent is given (True) or withdrawn (False).
EFFECTS: dict[ConsentPurpose, Callable[[User, bool], None]] = {
    ConsentPurpose.EMAIL_UPDATES: _email_updates,
    ConsentPurpose.DEMOGRAPHICS: _demographics,
}


def change(user: User, purpose: ConsentPurpose, giving: bool) -> None:
    """Give or withdraw a consent from the consent page, with its effects."""
    effect = EFFECTS.get(purpose)
    if effect is not None:
        effect(user, giving)
    elif giving:
        give(user, purpose)
    else:
        withdraw(user, purpose)


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
