"""Who may file for someone else, and who may see what the person told the facilitator."""

from katilim.auth.models import SiteRole


def can_assist(user) -> bool:
    """Facilitators (and admins, who may also sit at the desk) with an active, verified account."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_verified
        and user.site_role in (SiteRole.FACILITATOR, SiteRole.ADMIN)
    )


def can_see_submission(user, submission) -> bool:
    """The contact and the letter: the facilitator who filed it, while still a facilitator,
    and admins. Another facilitator has no business with this person's details."""
    if not can_assist(user):
        return False
    return user.site_role == SiteRole.ADMIN or submission.proposal.assisted_by_id == user.id
