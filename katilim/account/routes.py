"""The account page: who I am, my drafts and proposals."""

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from katilim.proposals.queries import proposals_of_author

bp = Blueprint("account", __name__, url_prefix="/me")


@bp.route("")
@login_required
def index():
    """My account and my proposals, drafts included."""
    return render_template("account/index.html", proposals=proposals_of_author(current_user))
