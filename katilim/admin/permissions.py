"""Who may use the admin area: site admins (council staff), nobody else."""

from katilim.auth.models import SiteRole


def can_administer(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.site_role == SiteRole.ADMIN
    )
