"""Giving or withdrawing a consent from the consent page, with what else that changes.

The consent records (katilim/privacy/consents.py) sit below the domains that ask for
consent; the reactions to a change (e-mail settings, demographic answers) sit here, above
them, so that neither domain imports the other through the consent code. Nothing here commits.
"""

from collections.abc import Callable

from katilim.auth.models import User
from katilim.notifications.services import set_email_frequency
from katilim.privacy import consents
from katilim.privacy.models import ConsentPurpose
from katilim.representation.services import delete_answers
from katilim.volunteers.services import unlist_everywhere


def _email_updates(user: User, giving: bool) -> None:
    # The e-mail choice and its consent move together: withdrawing stops every e-mail about
    # proposals; giving turns on the daily summary (the person can pick "at once" on /me).
    if not giving:
        set_email_frequency(user, "never")
    elif user.email_frequency == "never":
        set_email_frequency(user, "daily")
    else:
        consents.give(user, ConsentPurpose.EMAIL_UPDATES)


def _demographics(user: User, giving: bool) -> None:
    # Withdrawing deletes the answers too (KVKK: special-category data, removable at any time);
    # giving only records the consent: the answers are asked on /me/demographics.
    if giving:
        consents.give(user, ConsentPurpose.DEMOGRAPHICS)
    else:
        delete_answers(user)


def _volunteer_listing(user: User, giving: bool) -> None:
    # Giving only records the consent: the person chooses on /me/volunteering which groups
    # name them. Withdrawing it here means no group's page names them any more.
    if giving:
        consents.give(user, ConsentPurpose.VOLUNTEER_LISTING)
    else:
        unlist_everywhere(user)
        consents.withdraw(user, ConsentPurpose.VOLUNTEER_LISTING)


# What else changes when a consent is given (True) or withdrawn (False).
EFFECTS: dict[ConsentPurpose, Callable[[User, bool], None]] = {
    ConsentPurpose.EMAIL_UPDATES: _email_updates,
    ConsentPurpose.DEMOGRAPHICS: _demographics,
    ConsentPurpose.VOLUNTEER_LISTING: _volunteer_listing,
}


def change(user: User, purpose: ConsentPurpose, giving: bool) -> None:
    """Give or withdraw a consent from the consent page, with its effects."""
    effect = EFFECTS.get(purpose)
    if effect is not None:
        effect(user, giving)
    elif giving:
        consents.give(user, purpose)
    else:
        consents.withdraw(user, purpose)
