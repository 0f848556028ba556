"""Photo files, served after the same checks as their proposal, and hiding one."""

from flask import Blueprint, abort, flash, redirect, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from katilim.extensions import db
from katilim.organization.services import current_council
from katilim.photos import permissions, services
from katilim.photos.forms import HidePhotoForm
from katilim.photos.queries import photo_of_proposal
from katilim.photos.storage import storage

bp = Blueprint("photos", __name__)

YEAR = 365 * 24 * 3600


def _find(proposal_id: int, photo_id: int):
    proposal, photo = photo_of_proposal(current_council().id, proposal_id, photo_id)
    if photo is None:
        abort(404)
    return proposal, photo


SIZES = ("large", "small")


@bp.route("/proposals/<id:proposal_id>/photos/<id:photo_id>/<size>.jpg")
def file(proposal_id: int, photo_id: int, size: str):
    """The picture, if the reader may see its proposal (and, hidden, the photo)."""
    if size not in SIZES:
        abort(404)
    proposal, photo = _find(proposal_id, photo_id)
    if not permissions.can_see_photo(current_user, proposal, photo):
        abort(404)  # as for a draft: nothing tells that it exists
    path = storage().path(photo.large_key if size == "large" else photo.small_key)
    if path is None:
        abort(404)
    # The type is ours (every stored file is a JPEG we wrote), never guessed from the file.
    response = send_file(path, mimetype="image/jpeg", conditional=True, etag=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    if permissions.is_public(proposal, photo):
        # A photo's address never shows another picture (new photos get new ids), so caches
        # may keep it; hiding it removes it from the page and from this route.
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:
        response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/proposals/<id:proposal_id>/photos/<id:photo_id>/hide", methods=["POST"])
@login_required
def hide(proposal_id: int, photo_id: int):
    """A moderator hides a photo that breaks the rules, with a public reason."""
    proposal, photo = _find(proposal_id, photo_id)
    if not permissions.can_hide_photo(current_user, proposal):
        abort(403)
    form = HidePhotoForm()
    if not form.validate_on_submit():
        flash(_("Please give the reason; it is shown in public."), "error")
    else:
        services.hide_photo(current_user, proposal, photo, form.reason.data)
        db.session.commit()
        flash(_("The photo is hidden."), "success")
    return redirect(
        url_for("proposals.detail", proposal_id=proposal.id, _anchor=f"photo-{photo.id}")
    )
