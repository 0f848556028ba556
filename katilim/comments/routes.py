"""Adding a comment or a reply."""

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from katilim.comments.forms import CommentForm
from katilim.comments.models import Comment, Stance
from katilim.comments.services import add_comment
from katilim.extensions import db, limiter
from katilim.proposals.routes import _get_visible, render_detail

bp = Blueprint("comments", __name__)


@bp.route("/proposals/<int:proposal_id>/comments", methods=["POST"])
@login_required
@limiter.limit("10 per minute")
def create(proposal_id: int):
    """Post a comment; on an error the page comes back with the text kept."""
    proposal = _get_visible(proposal_id)
    form = CommentForm()
    parent = None
    if form.parent_id.data:
        parent = (
            db.session.get(Comment, int(form.parent_id.data))
            if form.parent_id.data.isdigit()
            else None
        )
        if parent is None or parent.proposal_id != proposal.id:
            form.parent_id.errors.append(_("The comment you answered no longer exists."))
    if not form.validate_on_submit() or form.parent_id.errors:
        return render_detail(proposal, comment_form=form, status=400)
    comment = add_comment(
        current_user, proposal, text=form.text.data, stance=Stance(form.stance.data), parent=parent
    )
    db.session.commit()
    flash(_("Your comment is published."), "success")
    return redirect(
        url_for("proposals.detail", proposal_id=proposal.id, _anchor=f"comment-{comment.id}")
    )
