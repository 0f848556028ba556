"""Accounts: registration, verification, sign-in checks and password reset."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from katilim.auth import lockout, sessions, tokens
from katilim.auth.models import User
from katilim.core.errors import DomainError
from katilim.core.models import utcnow
from katilim.core.tenancy import current_council_id
from katilim.core.text import clean_line
from katilim.core.urls import absolute_url
from katilim.extensions import db
from katilim.mail import send_email
from katilim.privacy.models import Consent, ConsentPurpose


class EmailTaken(DomainError):
    pass


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    """The account with this address on the council this request is for."""
    return db.session.scalar(
        select(User).where(
            User.council_id == current_council_id(), User.email == normalize_email(email)
        )
    )


def register_user(
    *,
    email: str,
    display_name: str,
    password: str,
    district=None,
    locale: str | None = None,
    consents: tuple[ConsentPurpose, ...] = (),
) -> User:
    """Create an unverified account and record the notice version and any optional consents.

    :raises EmailTaken: if the address already has an account.
    """
    # Hashed before the look-up, so a taken address answers as slowly as a new one.
    probe = User()
    probe.set_password(password)
    if find_user_by_email(email) is not None:
        raise EmailTaken
    user = User(
        council_id=current_council_id(),
        password_hash=probe.password_hash,
        email=normalize_email(email),
        display_name=clean_line(display_name),
        district=district,
        locale=locale,
        privacy_notice_version=current_app.config["PRIVACY_NOTICE_VERSION"],
        email_frequency="immediate" if ConsentPurpose.EMAIL_UPDATES in consents else "never",
    )
    db.session.add(user)
    db.session.flush()
    for purpose in consents:
        db.session.add(
            Consent(
                user_id=user.id,
                purpose=purpose,
                text_version=current_app.config["PRIVACY_NOTICE_VERSION"],
            )
        )
    db.session.flush()
    return user


def send_verification_email(user: User) -> None:
    link = absolute_url("auth.verify", token=tokens.make_verify_token(user))
    send_email(
        user.email,
        _l("Confirm your e-mail address"),
        "verify",
        locale=user.locale,
        user=user,
        link=link,
    )


def verify_email(user: User) -> None:
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        db.session.flush()


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None; the same answer for every kind of failure."""
    user = find_user_by_email(email)
    if user is None:
        # Check a password anyway: a quick "no" would tell which addresses have accounts.
        _timing_twin().check_password(password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    return user


_TWIN: dict[str, User] = {}


def _timing_twin() -> User:
    """An unsaved user with a hash of the current kind, to spend the same time checking."""
    if "user" not in _TWIN:
        twin = User()
        twin.set_password("no account has this password")
        _TWIN["user"] = twin
    return _TWIN["user"]


def send_password_reset(email: str) -> None:
    """Mail a reset link if the address has an account; say nothing either way."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return
    link = absolute_url("auth.reset_with_token", token=tokens.make_reset_token(user))
    send_email(
        user.email, _l("Reset your password"), "reset", locale=user.locale, user=user, link=link
    )


def reset_password(user: User, password: str) -> None:
    """Set a new password. Every session of the account ends, on every device and every
    remember-me cookie: whoever knew the old password (or held a cookie) is out."""
    user.set_password(password)
    sessions.end_all(user)
    lockout.clear(user.email)  # the owner proved it: no need to wait out a lock
    db.session.flush()
