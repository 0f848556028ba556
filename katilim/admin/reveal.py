"""Revealing who wrote an anonymous proposal or comment: admins only, with a reason, audited.

Publishing without one's name is a promise (docs/rules.md#anonymity-and-pseudonyms): the
public sees "Anonymous resident", moderators a pseudonym. Some cases still need the account
(a court order, a threat in a comment, a KVKK request), so an admin may look, but never
silently: the reason is required and goes to the audit log before the account is shown, and
the answer is only the response to that one POST (nothing is stored or cached that shows the
account later).

The views hang on the admin blueprint, so its ``admins_only`` guard covers them: visitors are
sent to sign in and everyone else gets 403. The service checks the role again.
"""

from dataclasses import dataclass

from flask import abort, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from katilim.admin import bp
from katilim.assist.models import AssistedSubmission
from katilim.audit.services import record
from katilim.auth.roles import can_administer
from katilim.comments.models import Comment
from katilim.core.errors import PermissionDenied
from katilim.core.forms import BaseForm
from katilim.extensions import db, limiter
from katilim.organization.services import current_council
from katilim.proposals.authors import is_anonymous, moderator_author_label
from katilim.proposals.models import Proposal


class RevealForm(BaseForm):
    reason = TextAreaField(
        _l("Why do you need to see the account?"),
        description=_l(
            "For example: a court order, a threat that must be reported, a data-protection"
            " request. The reason is kept in the audit log."
        ),
        validators=[
            DataRequired(_l("This field is required.")),
            Length(min=10, max=1000, message=_l("Use between %(min)d and %(max)d characters.")),
        ],
    )


@dataclass
class Revealed:
    """What the admin learns: the author's account, or for an assisted proposal the
    facilitator who filed it (the person has no account)."""

    account: object | None
    facilitator: object | None
    submission: object | None = None  # channel and contact of an assisted proposal


def reveal_author(actor, item: Proposal | Comment, reason: str) -> Revealed:
    """Show an admin who is behind an anonymous item, and write that they looked and why.

    :raises PermissionDenied: if the actor is not an admin.
    """
    if not can_administer(actor):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise PermissionDenied
    kind = "comment" if isinstance(item, Comment) else "proposal"
    # The entry names the item, not the account: reading the audit log must not itself be a
    # way around the reason.
    record(actor, f"{kind}.reveal_author", item, reason=reason)
    submission = None
    if isinstance(item, Proposal) and item.assisted_by_id is not None:
        submission = db.session.scalar(
            select(AssistedSubmission).where(AssistedSubmission.proposal_id == item.id)
        )
    return Revealed(
        account=item.author, facilitator=getattr(item, "assisted_by", None), submission=submission
    )


def _anonymous_or_404(model, item_id: int):
    item = db.session.get(model, item_id)
    if item is None:
        abort(404)
    proposal = item if isinstance(item, Proposal) else db.session.get(Proposal, item.proposal_id)
    if proposal is None or proposal.council_id != current_council().id:
        abort(404)  # another council's item is not found here
    if not is_anonymous(item):
        abort(404)  # nothing to reveal: a named item's author is on its page already
    return item


def _reveal(item, kind: str):
    form = RevealForm()
    context = {"item": item, "kind": kind, "form": form, "label": moderator_author_label(item)}
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("admin/reveal.html", **context), status
    revealed = reveal_author(current_user, item, form.reason.data)
    db.session.commit()
    response = render_template("admin/revealed.html", revealed=revealed, **context)
    # The account is shown once, to this admin: no copy in any cache or browser history.
    return response, 200, {"Cache-Control": "no-store"}


@bp.route("/proposals/<id:proposal_id>/reveal", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def reveal_proposal_author(proposal_id: int):
    return _reveal(_anonymous_or_404(Proposal, proposal_id), "proposal")


@bp.route("/comments/<id:comment_id>/reveal", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def reveal_comment_author(comment_id: int):
    return _reveal(_anonymous_or_404(Comment, comment_id), "comment")
