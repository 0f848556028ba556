"""Adding a comment or a reply; changing one's own; its earlier versions for moderators."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from katilim.comments import permissions
from katilim.comments.forms import CommentEditForm, CommentForm
from katilim.comments.models import Comment, Stance
from katilim.comments.services import (
    add_comment,
    comment_of,
    comment_place,
    comment_revisions,
    edit_comment,
    find_comment,
    has_replies,
)
from katilim.core.errors import PermissionDenied
from katilim.core.limits import rate_limit
from katilim.core.params import parse_id
from katilim.extensions import db
from katilim.i18n import current_locale
from katilim.organization.services import current_council
from katilim.proposals.models import Proposal
from katilim.proposals.queries import get_visible_proposal_or_404
from katilim.proposals.routes import render_detail

bp = Blueprint("comments", __name__)
bp.add_app_template_global(permissions.can_edit_comment)
bp.add_app_template_global(permissions.can_see_revisions)


def _stance(value: str | None) -> Stance | None:
    return Stance(value) if value else None


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
        stance=_stance(form.stance.data),
        parent=parent,
        pseudonymous=bool(form.is_pseudonymous.data),
        language=current_locale(),
    )
    db.session.commit()
    flash(_("Your comment is published."), "success")
    return redirect(comment_url(comment))


def comment_url(comment: Comment) -> str:
    """The proposal's page that shows this comment (its thread's page, the thread in full when
    the comment is a late reply), at the comment."""
    page, thread = comment_place(comment, current_app.config["COMMENTS_PER_PAGE"])
    return url_for(
        "proposals.detail",
        proposal_id=comment.proposal_id,
        page=page if page > 1 else None,
        thread=thread,
        _anchor=f"comment-{comment.id}",
    )


@bp.route("/comments/<id:comment_id>")
def permalink(comment_id: int):
    """A comment's lasting address: on a busy proposal its page changes as comments come, so
    this finds the page that holds it (404 where its proposal may not be seen)."""
    comment, _proposal = _get_comment(comment_id)
    return redirect(comment_url(comment))


def _get_comment(comment_id: int) -> tuple[Comment, Proposal]:
    """The comment and its proposal, if the reader may see the proposal; else 404."""
    comment = find_comment(comment_id)
    if comment is None:
        abort(404)
    proposal = get_visible_proposal_or_404(current_council(), comment.proposal_id, current_user)
    return comment, proposal


@bp.route("/comments/<id:comment_id>/edit", methods=["GET", "POST"])
@login_required
@rate_limit("comment_edit", by="user")
def edit(comment_id: int):
    """The author changes the comment, until a reply or the end of the time allowed."""
    comment, proposal = _get_comment(comment_id)
    replied = has_replies(comment)
    if not permissions.can_edit_comment(current_user, comment, has_replies=replied):
        abort(403)
    form = CommentEditForm()
    if request.method == "GET":
        form.text.data = comment.text
        form.stance.data = comment.stance.value if comment.stance else ""
    if form.validate_on_submit():
        try:
            edit_comment(
                current_user, comment, text=form.text.data, stance=_stance(form.stance.data)
            )
        except PermissionDenied:
            db.session.rollback()
            abort(403)
        db.session.commit()
        flash(_("Your comment is changed."), "success")
        return redirect(comment_url(comment))
    return render_template(
        "comments/edit.html",
        form=form,
        comment=comment,
        proposal=proposal,
        deadline=permissions.edit_deadline(comment),
    ), (400 if form.errors else 200)


@bp.route("/comments/<id:comment_id>/history")
@login_required
def history(comment_id: int):
    """Every version of an edited comment, for the moderators of its proposal's body."""
    comment, proposal = _get_comment(comment_id)
    if not permissions.can_see_revisions(current_user, proposal):
        abort(403)
    return render_template(
        "comments/history.html",
        comment=comment,
        proposal=proposal,
        revisions=comment_revisions(comment),
    )
