"""Accounts, site roles and consent records."""

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from katilim.core.models import TimestampMixin, TZDateTime, str_enum, utcnow
from katilim.extensions import Model

if TYPE_CHECKING:  # for the relationships' annotations; the mapper resolves the names
    from katilim.organization.models import District, Membership


class SiteRole(enum.StrEnum):
    RESIDENT = "resident"
    FACILITATOR = "facilitator"  # records proposals for people without internet
    ADMIN = "admin"


class User(UserMixin, TimestampMixin, Model):
    """An account of one council: the same address may hold an account on each council of an
    installation, and they share nothing (docs/rules.md#accounts-per-council)."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("council_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), index=True)
    # Stored lower-cased, so the unique constraint is case-insensitive on every database.
    email: Mapped[str] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(80))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    site_role: Mapped[SiteRole] = mapped_column(str_enum(SiteRole), default=SiteRole.RESIDENT)
    email_verified_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    privacy_notice_version: Mapped[str] = mapped_column(String(20), default="")
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    # E-mails about followed proposals: immediately, once a day, or never (in-app only).
    email_frequency: Mapped[str] = mapped_column(String(10), default="never")
    # The installation's operator (an account of its own council, marked from the command
    # line): adds councils and their first admins at /operator (katilim/operator).
    is_operator: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    last_digest_at: Mapped[datetime | None] = mapped_column(TZDateTime())

    district: Mapped["District | None"] = relationship()  # noqa: F821
    memberships: Mapped[list["Membership"]] = relationship(  # noqa: F821
        back_populates="user", cascade="all, delete-orphan"
    )

    # The token of the sign-in session this object was loaded for (katilim/auth/sessions.py);
    # not a column: the database keeps only its hash.
    if TYPE_CHECKING:  # declared for the checker only: an annotation would make it a column
        session_token: str | None
    else:
        session_token = None

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.is_active_account

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the remember-me cookie: the session's
        token, never the account number, so that the server can end each session."""
        if not self.session_token:
            raise RuntimeError("Sign in through katilim.auth.sessions.sign_in")
        return self.session_token

    # Two objects are the same person when they are the same account (UserMixin compares
    # get_id(), which is now per session).
    def __eq__(self, other) -> bool:
        if not isinstance(other, User):
            return NotImplemented
        return self is other or (self.id is not None and self.id == other.id)

    __hash__ = object.__hash__

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_admin(self) -> bool:
        return self.site_role == SiteRole.ADMIN

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserSession(Model):
    """One signed-in browser. Signing in adds a row, signing out deletes it; a password reset,
    "sign out on every device", deactivation and deletion delete them all. The session cookie
    and the remember-me cookie carry a random token whose SHA-256 is kept here (a copy of the
    table cannot sign anyone in); a cookie whose row is gone opens nothing
    (katilim/auth/sessions.py)."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    # As long as its cookie could live: a browser session's or a remember-me cookie's.
    expires_at: Mapped[datetime] = mapped_column(TZDateTime(), index=True)


class LoginThrottle(Model):
    """Failed sign-ins for one e-mail address typed by anyone, whether or not it has an
    account: from everywhere, from one visitor address, or from one known browser. Keyed by a
    keyed hash, so the lockout answers the same for both and no address of a non-member, nor
    any IP, is kept in clear (katilim/auth/lockout.py)."""

    __tablename__ = "login_throttles"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_digest: Mapped[str] = mapped_column(String(64), unique=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(TZDateTime())
