"""Adding, removing, hiding and deleting proposal photos.

Like every service: permissions checked again, never a commit (the route commits). Files are
written before the commit (a rolled-back upload leaves a file nobody refers to, removed by
``flask --app katilim photos prune``) and deleted only after the commit that removed their
rows: a rollback must not leave rows pointing at deleted files.
"""

import time
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, event, func, select
from sqlalchemy.orm import Session

from katilim.audit.services import record
from katilim.core.errors import DomainError, PermissionDenied
from katilim.core.models import utcnow
from katilim.core.text import clean_line
from katilim.extensions import db
from katilim.photos import permissions
from katilim.photos.images import CleanPhoto, PhotoRejected, clean_photo
from katilim.photos.models import ProposalPhoto
from katilim.photos.storage import new_key, storage
from katilim.proposals.models import Proposal

ALT_TEXT_MAX = 250
ALT_TEXT_MIN = 3
_PENDING = "katilim_photo_files_to_delete"


class TooManyPhotos(DomainError):
    status_code = 400


@dataclass(frozen=True)
class Upload:
    """One chosen file and the alt text typed next to it."""

    data: bytes
    alt_text: str
    slot: int  # which field of the form, to put an error next to it


Prepared = tuple[Upload, CleanPhoto]  # an upload and its cleaned pictures


def check_alt_text(value: str | None) -> str:
    text = clean_line(value or "")
    if len(text) < ALT_TEXT_MIN:
        raise PhotoRejected(_("Describe the photo in a few words for people who cannot see it."))
    return text[:ALT_TEXT_MAX]


def prepare(uploads: list[Upload]) -> tuple[list[Prepared], dict[int, str]]:
    """Clean every upload; returns the cleaned ones and an error message per failed slot.

    Done before anything is written, so that a form with one bad photo changes nothing.
    """
    config = current_app.config
    ready: list[Prepared] = []
    errors: dict[int, str] = {}
    for upload in uploads:
        try:
            alt = check_alt_text(upload.alt_text)
            clean = clean_photo(
                upload.data,
                max_bytes=config["PHOTO_MAX_BYTES"],
                max_pixels=config["PHOTO_MAX_PIXELS"],
            )
        except PhotoRejected as refused:
            errors[upload.slot] = str(refused)
            continue
        ready.append((Upload(upload.data, alt, upload.slot), clean))
    return ready, errors


def count_photos(proposal_id: int) -> int:
    return db.session.execute(
        select(func.count())
        .select_from(ProposalPhoto)
        .where(ProposalPhoto.proposal_id == proposal_id)
    ).scalar_one()


def add_photos(user, proposal: Proposal, prepared: list[Prepared]) -> list:
    """Store cleaned photos for a proposal (after create_proposal or during an edit).

    :raises PermissionDenied: if the user may not add photos to it.
    :raises TooManyPhotos: past PHOTOS_PER_PROPOSAL, counting the photos it already has.
    """
    if not permissions.can_add_photos(user, proposal):
        raise PermissionDenied
    limit = current_app.config["PHOTOS_PER_PROPOSAL"]
    existing = count_photos(proposal.id) if proposal.id else 0
    if existing + len(prepared) > limit:
        raise TooManyPhotos(
            ngettext(
                "A proposal can have at most %(num)s photo.",
                "A proposal can have at most %(num)s photos.",
                limit,
            )
        )
    return attach_photos(proposal, prepared)


def attach_photos(proposal: Proposal, prepared: list[Prepared]) -> list:
    """Store cleaned photos after the current ones, without checks: for add_photos, and for
    the demo data (katilim/seed.py), whose proposals are past the author's editing."""
    store = storage()
    last = (
        db.session.scalar(
            select(func.max(ProposalPhoto.position)).where(ProposalPhoto.proposal_id == proposal.id)
        )
        if proposal.id
        else None
    )
    position = (last if last is not None else -1) + 1
    photos = []
    for upload, clean in prepared:
        large_key, small_key = new_key(), new_key()
        store.save(large_key, clean.large)
        store.save(small_key, clean.small)
        photo = ProposalPhoto(
            proposal_id=proposal.id,
            position=position,
            alt_text=upload.alt_text,
            large_key=large_key,
            small_key=small_key,
            width=clean.width,
            height=clean.height,
            small_width=clean.small_width,
            small_height=clean.small_height,
            bytes=len(clean.large) + len(clean.small),
        )
        db.session.add(photo)
        photos.append(photo)
        position += 1
    db.session.flush()
    return photos


def _delete_after_commit(keys: list[str]) -> None:
    store = storage()  # read now: the commit may happen outside this application's context
    db.session.info.setdefault(_PENDING, []).extend((store, key) for key in keys)


def remove_photo(user, proposal: Proposal, photo: ProposalPhoto) -> None:
    """The author takes a photo off while the proposal is editable."""
    if photo.proposal_id != proposal.id or not permissions.can_remove_photo(user, proposal):
        raise PermissionDenied
    _delete_after_commit([photo.large_key, photo.small_key])
    db.session.delete(photo)
    db.session.flush()


def hide_photo(moderator, proposal: Proposal, photo: ProposalPhoto, reason: str) -> None:
    """Hide a photo that breaks the rules, with a public reason; audited. Never deleted: the
    author and the moderators still see it, marked."""
    if photo.proposal_id != proposal.id or not permissions.can_hide_photo(moderator, proposal):
        raise PermissionDenied(_("Only the moderators of this group can do this."))
    if not (reason or "").strip():
        from katilim.moderation.services import ReasonRequired

        raise ReasonRequired(_("Please give the reason; it is shown in public."))
    if photo.is_hidden:
        return
    photo.hidden_at = utcnow()
    photo.hidden_reason = reason.strip()
    photo.hidden_by_id = moderator.id
    record(
        moderator,
        "photo.hide",
        photo,
        proposal=proposal.id,
        reason=reason.strip()[:500],
    )
    db.session.flush()


def delete_photos_of_proposals(proposal_ids) -> int:
    """Delete the photos (rows now, files after the commit) of the given proposals, e.g. a
    deleted account's. ``proposal_ids`` may be a list or a select of ids."""
    rows = db.session.execute(
        select(ProposalPhoto.large_key, ProposalPhoto.small_key).where(
            ProposalPhoto.proposal_id.in_(proposal_ids)
        )
    ).all()
    if not rows:
        return 0
    _delete_after_commit([key for row in rows for key in row])
    db.session.execute(
        delete(ProposalPhoto).where(ProposalPhoto.proposal_id.in_(proposal_ids)),
        execution_options={"synchronize_session": False},
    )
    return len(rows)


def delete_photos_of_author(user_id: int) -> int:
    """On account deletion: the author's photos go, from every proposal of theirs.

    The proposals' text stays as "a resident"'s (katilim/privacy/deletion.py), but a photo can
    show the person, their family, their house or their street, and was taken by them: it is
    personal data that the public record does not need (KVKK art. 7), so it is deleted.
    """
    return delete_photos_of_proposals(select(Proposal.id).where(Proposal.author_id == user_id))


def prune_files() -> int:
    """Delete stored files that no row refers to (left by an upload whose transaction failed)."""
    store = storage()
    root = getattr(store, "root", None)
    if root is None or not root.exists():
        return 0
    known = set(db.session.scalars(select(ProposalPhoto.large_key))) | set(
        db.session.scalars(select(ProposalPhoto.small_key))
    )
    removed = 0
    # An upload writes its files before its transaction commits: only files older than an
    # hour can be leftovers rather than an upload in progress.
    cutoff = time.time() - 3600
    for path in root.glob("*/*.jpg"):
        if path.name not in known and path.stat().st_mtime < cutoff:
            store.delete(path.name)
            removed += 1
    return removed


@event.listens_for(Session, "after_commit")
def _delete_files(session) -> None:
    for store, key in session.info.pop(_PENDING, ()):
        store.delete(key)


@event.listens_for(Session, "after_rollback")
def _keep_files(session) -> None:
    session.info.pop(_PENDING, None)
