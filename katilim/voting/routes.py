"""The vote action."""

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from katilim.auth.forms import EmptyForm
from katilim.core.limits import rate_limit
from katilim.extensions import db
from katilim.organization.services import current_council
from katilim.proposals.queries import get_visible_proposal_or_404, vote_loads
from katilim.voting.services import cast_new_vote, cast_vote, parse_vote

bp = Blueprint("voting", __name__)

MESSAGES = {
    1: lambda: _("Your vote for this proposal is counted."),
    -1: lambda: _("Your vote against this proposal is counted."),
    0: lambda: _("Your vote is taken back."),
}


@bp.route("/proposals/<id:proposal_id>/vote", methods=["POST"])
@login_required
@rate_limit("vote", by="user")
def vote(proposal_id: int):
    """Vote for (1) or against (-1), or take the vote back (0)."""
    council = current_council()
    value = parse_vote(request.form.get("value"))
    # Most votes are a person's first on an open proposal: one statement, the proposal not
    # read first. Anything else goes the whole way below, which answers 404, 400, 403 or 409.
    if not (
        value is not None
        and EmptyForm().validate_on_submit()
        and cast_new_vote(current_user, council.id, proposal_id, value)
    ):
        # A vote reads a few columns of the proposal, not its body, timeline, tags or author.
        proposal = get_visible_proposal_or_404(council, proposal_id, current_user, vote_loads())
        if not EmptyForm().validate_on_submit():
            abort(400)
        if value is None:
            abort(400)
        cast_vote(current_user, proposal, value)
    # Translated before the commit, which expires the account: its language would be read
    # again from the database. Flashed after it: only a counted vote is announced.
    message = MESSAGES[value]()
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("proposals.detail", proposal_id=proposal_id, _anchor="vote"))
