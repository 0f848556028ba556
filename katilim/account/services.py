"""Changing one's own account: profile, e-mail address (confirmed by a link), password.

The e-mail change never tells the person whether the new address already has an account:
the answer and the mail to the old address are the same either way, and the owner of the
taken address is told instead, as registration does (katilim/auth/routes.py).
"""

from flask import current_app
from flask_babel import lazy_gettext as _l

from katilim.auth import lockout, sessions, tokens
from katilim.auth.models import User
from katilim.auth.services import find_user_by_email, normalize_email
from katilim.core.errors import DomainError
from katilim.core.models import utcnow
from katilim.core.text import clean_line
from katilim.core.urls import absolute_url
from katilim.extensions import db
from katilim.mail import send_email
from katilim.organization.models import District


class WrongPassword(DomainError):
    pass


class SameEmail(DomainError):
    pass


class EmailChangeFailed(DomainError):
    """The link is spent, expired or names an address that another account took meanwhile."""


def update_profile(
    user: User, *, display_name: str, district: District | None, locale: str | None
) -> None:
    user.display_name = clean_line(display_name)
    user.district = district
    if locale in current_app.config["LANGUAGES"]:
        user.locale = locale
    db.session.flush()


def masked(email: str) -> str:
    """ayse.yilmaz@example.org → a***z@example.org: enough to recognise, not to harvest."""
    local, _, domain = email.partition("@")
    if len(local) <= 2:
        return f"{local[:1]}***@{domain}"
    return f"{local[0]}***{local[-1]}@{domain}"


def request_email_change(user: User, new_email: str, password: str) -> None:
    """Send a confirming link to ``new_email`` and tell the current address; nothing changes
    until the link is opened.

    :raises WrongPassword: the current password is wrong.
    :raises SameEmail: it is the address the account already has.
    """
    if not user.check_password(password):
        raise WrongPassword
    new_email = normalize_email(new_email)
    if new_email == user.email:
        raise SameEmail
    holder = find_user_by_email(new_email)
    if holder is None:
        link = absolute_url(
            "account.confirm_email", token=tokens.make_email_change_token(user, new_email)
        )
        send_email(
            new_email,
            _l("Confirm your new e-mail address"),
            "email_change_confirm",
            locale=user.locale,
            user=user,
            link=link,
            hours=current_app.config["EMAIL_CHANGE_TOKEN_MAX_AGE"] // 3600,
        )
    else:
        # The holder learns that someone tried; the person asking sees the usual answer.
        send_email(
            holder.email,
            _l("Someone tried to use your e-mail address for another account"),
            "email_change_taken",
            locale=holder.locale,
            user=holder,
            login_link=absolute_url("auth.login"),
            reset_link=absolute_url("auth.reset"),
        )
    send_email(
        user.email,
        _l("A change of your e-mail address was asked for"),
        "email_change_notice",
        locale=user.locale,
        user=user,
        new_email=masked(new_email),
        account_link=absolute_url("account.index"),
        reset_link=absolute_url("auth.reset"),
    )
    db.session.flush()


def confirm_email_change(token: str) -> User:
    """Move the account to the address of the link (which also proves the address).

    :raises EmailChangeFailed: see the class.
    """
    found = tokens.email_change_from_token(token)
    if found is None:
        raise EmailChangeFailed
    user, new_email = found
    if find_user_by_email(new_email) is not None:
        raise EmailChangeFailed
    old_email = user.email
    user.email = new_email
    user.email_verified_at = utcnow()
    lockout.clear(old_email)  # no throttle row stays keyed to the old address
    db.session.flush()
    return user


def change_password(user: User, current: str, new: str) -> int:
    """Set a new password after checking the current one; every other session ends, this
    browser's stays. Returns how many sessions ended.

    :raises WrongPassword: the current password is wrong.
    """
    if not user.check_password(current):
        raise WrongPassword
    user.set_password(new)
    ended = sessions.end_others(user, user.session_token)
    db.session.flush()
    return ended
