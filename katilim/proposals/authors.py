"""Who wrote it, as each audience may see it: the single source of author labels.

Every page, e-mail, export and API answer that names the author of a proposal or comment asks
``public_author_label``; a template that reads ``author.display_name`` itself would leak the
name of someone who chose to publish without it (docs/rules.md#anonymity-and-pseudonyms).

Moderators need to tell the same person apart across proposals (repeated abuse, duplicates)
without learning who it is: ``moderator_author_label`` gives a stable pseudonym, an HMAC of
the user id under a key derived from SECRET_KEY. Without the key it cannot be turned back into
the account (ids are small numbers, so a plain hash could be reversed by trying them all).
Only an admin, through the audited action in katilim/admin/reveal.py, sees the account.
"""

import hashlib
import hmac

from flask import current_app
from flask_babel import gettext as _

# A separate purpose string: the pseudonym key is never the key that signs sessions.
_KEY_PURPOSE = b"katilim.pseudonym.v1"
# 8 hex digits (32 bits): two users of one council share a code about once in four billion
# pairs, short enough to read aloud in a moderators' meeting.
PSEUDONYM_LENGTH = 8


def _pseudonym_key() -> bytes:
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, _KEY_PURPOSE, hashlib.sha256).digest()


def pseudonym_code(user_id: int) -> str:
    """The stable, non-reversible code of one account, e.g. ``4F2A9C1B``."""
    digest = hmac.new(_pseudonym_key(), str(user_id).encode(), hashlib.sha256).hexdigest()
    return digest[:PSEUDONYM_LENGTH].upper()


def pseudonym(user_id: int) -> str:
    return _("Resident-%(code)s", code=pseudonym_code(user_id))


def _district_of(item):
    # A comment has no district of its own; only a proposal's (chosen for the proposal, not
    # the account's) is shown, so the label never says more than the proposal already does.
    return getattr(item, "district", None)


def is_anonymous(item) -> bool:
    """Published without a name: chosen by the author, or filed by a facilitator for a person
    who has no account (an assisted proposal always reads as an anonymous resident)."""
    return bool(getattr(item, "is_pseudonymous", False) or getattr(item, "assisted_by_id", None))


def anonymous_label(item) -> str:
    district = _district_of(item)
    if district is not None:
        return _("Anonymous resident (%(district)s)", district=district.name)
    return _("Anonymous resident")


def public_author_label(item) -> str:
    """The author of a proposal or comment as the public, e-mails and exports show it."""
    if is_anonymous(item):
        return anonymous_label(item)
    author = getattr(item, "author", None)
    if author is not None:
        return author.display_name
    return _("A resident")  # the account was deleted


def moderator_author_label(item) -> str:
    """What a moderator sees: the name, or for an anonymous author the stable pseudonym."""
    if is_anonymous(item):
        author_id = getattr(item, "author_id", None)
        if author_id is None:
            return anonymous_label(item)  # assisted: there is no account to tell apart
        return pseudonym(author_id)
    return public_author_label(item)


def moderator_actor_label(event, proposal) -> str | None:
    """The actor of a timeline event for the review page; the author's own events (publish,
    edit, withdraw) must not give away a pseudonymous author's name."""
    if event.actor is None:
        return None
    if event.actor_id == proposal.author_id and is_anonymous(proposal):
        return pseudonym(event.actor_id)
    return event.actor.display_name


def init_app(app) -> None:
    app.add_template_global(public_author_label, "public_author_label")
    app.add_template_global(moderator_author_label, "moderator_author_label")
    app.add_template_global(moderator_actor_label, "moderator_actor_label")
