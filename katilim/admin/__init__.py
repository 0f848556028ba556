"""The admin area: bodies, districts, memberships, site roles and the audit log.

The blueprint lives here, not in a views module, so that every module with admin pages
(``routes``, ``reveal``) hangs its views on it without importing another's.
"""

from flask import Blueprint, abort, current_app
from flask_login import current_user

from katilim.auth.roles import can_administer

bp = Blueprint("admin", __name__, url_prefix="/admin")

bp.add_app_template_global(can_administer, "can_administer")


@bp.before_request
def admins_only():
    """Every page here is for admins. Checked once for the blueprint, so that no route can
    forget it: visitors are sent to sign in, everyone else is refused."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not can_administer(current_user):
        abort(403)
    return None
