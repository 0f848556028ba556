"""Room for photos in the forms that carry them, and what a too-large request is told.

Every other request stays under MAX_CONTENT_LENGTH (256 kB): only the proposal form may send
its photos on top of that. The limit is read when the body is parsed, and CSRF protection
parses it before any view runs, so it is decided on the request object by endpoint.
"""

from flask import Flask, current_app, request
from flask.wrappers import Request
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.exceptions import RequestEntityTooLarge

from katilim.photos.forms import ACCEPT
from katilim.photos.services import Upload, prepare
from katilim.proposals.forms import PHOTO_SLOTS

UPLOAD_ENDPOINTS = frozenset({"proposals.new", "proposals.edit"})


def upload_limit() -> int:
    config = current_app.config
    return config["MAX_CONTENT_LENGTH"] + config["PHOTOS_PER_PROPOSAL"] * config["PHOTO_MAX_BYTES"]


class UploadAwareRequest(Request):
    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is None and self.endpoint in UPLOAD_ENDPOINTS:
            return upload_limit()
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value  # as Flask's own setter does


def has_files() -> bool:
    return any(f.filename for f in request.files.values())


def init_app(app: Flask) -> None:
    from PIL import Image

    app.request_class = UploadAwareRequest
    # Pillow's own guard against decompression bombs, at our limit (the photo services check
    # the size explicitly too, with a message for the person).
    Image.MAX_IMAGE_PIXELS = app.config["PHOTO_MAX_PIXELS"]

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error):
        from katilim.core.errors import error_headers, render_error

        message = None
        if request.endpoint in UPLOAD_ENDPOINTS:
            message = _(
                "The photos you chose are too large: each may be at most %(num)s MB. Go back, choose smaller photos and send the form again; the text you typed is still in the form if your browser kept it.",
                num=current_app.config["PHOTO_MAX_BYTES"] // (1024 * 1024),
            )
        body, status = render_error(413, message)
        return body, status, error_headers(error)


def uploads_from(form) -> list:
    """The photos chosen in the proposal form, each with the alt text typed beside it."""
    limit = current_app.config["PHOTO_MAX_BYTES"]
    uploads = []
    for slot in range(1, PHOTO_SLOTS + 1):
        chosen = getattr(form, f"photo_{slot}").data
        if chosen is None or not getattr(chosen, "filename", ""):
            continue
        # One byte past the limit is enough to say it is too large.
        data = chosen.stream.read(limit + 1)
        uploads.append(Upload(data, getattr(form, f"photo_alt_{slot}").data or "", slot))
    return uploads


def show_photo_errors(form, errors: dict[int, str]) -> None:
    for slot, message in errors.items():
        getattr(form, f"photo_{slot}").errors = [message]


def photos_to_remove(proposal) -> list:
    """The proposal's photos whose "remove" box the author ticked on the edit form; ids of
    other proposals' photos are ignored."""
    ticked = set(request.form.getlist("remove_photo"))
    return [photo for photo in proposal.photos if str(photo.id) in ticked]


def cleaned_photos(form, existing: int = 0) -> list | None:
    """The proposal form's photos, cleaned; or None after putting the errors on the form
    (a file that is not a usable photo, a missing description, more than the limit)."""
    prepared, errors = prepare(uploads_from(form))
    limit = current_app.config["PHOTOS_PER_PROPOSAL"]
    if not errors and existing + len(prepared) > limit:
        errors = {
            1: ngettext(
                "A proposal can have at most %(num)s photo.",
                "A proposal can have at most %(num)s photos.",
                limit,
            )
        }
    if errors:
        show_photo_errors(form, errors)
        return None
    return prepared


def form_page_context() -> dict:
    """What the proposal form's photo fields show."""
    config = current_app.config
    return {
        # A browser never fills a file field again: say so when the form comes back.
        "photos_dropped": request.method == "POST" and has_files(),
        "photo_limit": config["PHOTOS_PER_PROPOSAL"],
        "photo_max_mb": config["PHOTO_MAX_BYTES"] // (1024 * 1024),
        "photo_accept": ACCEPT,
    }
