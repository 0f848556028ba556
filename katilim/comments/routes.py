"""Adding a comment or a reply."""

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from katilim.comments.forms import CommentForm
from katilim.comments.models import Stance
from katilim.comments.services import add_comment, comment_of
from katilim.core.limits import rate_limit
from katilim.core.params import parse_id
from katilim.extensions import db
from katilim.i18n import current_locale
from katilim.organization.services import current_council
from katilim.proposals.queries import get_visible_proposal_or_404
from katilim.proposals.routes import render_detail

bp = Blueprint("comments", __name__)


@bp.route("/proposals/<id:proposal_id>/comments", methods=["POST"])
@login_required
@rate_limit("comment", by="user")
def create(proposal_id: int):
    """Post a comment; on an error the page comes back with the text kept."""
    proposal = get_visible_proposal_or_404(current_council(), proposal_id, current_user)
    form = CommentForm()
    valid = form.validate_on_submit()  # validation resets errors, so it comes first
    parent = comment_of(proposal, parse_id(form.parent_id.data))
    if form.parent_id.data and parent is None:
        form.parent_id.errors.append(_("The comment you answered no longer exists."))
    if not valid or form.parent_id.errors:
        return render_detail(proposal, comment_form=form, status=400)
    comment = add_comment(
        current_user,
        proposal,
        text=form.text.data,
        stance=Stance(form.stance.data),
        parent=parent,
        pseudonymous=bool(form.is_pseudonymous.data),
        language=current_locale(),
    )
    db.session.commit()
    flash(_("Your comment is published."), "success")
    return redirect(
        url_for("proposals.detail", proposal_id=proposal.id, _anchor=f"comment-{comment.id}")
    )
