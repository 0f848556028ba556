"""The photo fields of the proposal form, and the moderators' hide form."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from katilim.core.forms import BaseForm, single_line

PHOTO_SLOTS = 3  # as many as PHOTOS_PER_PROPOSAL; the service checks the setting
ACCEPT = "image/jpeg,image/png,image/webp,image/heic,image/heif,.jpg,.jpeg,.png,.webp,.heic,.heif"


class HidePhotoForm(BaseForm):
    reason = TextAreaField(
        _l("Public reason for hiding"),
        validators=[DataRequired(_l("This field is required.")), Length(max=2000)],
    )


def add_photo_fields(form_class):
    """Add photo_1..3 with their alt texts. The author's existing photos, which can be
    removed when editing, are not fields: they are not known when the class is built."""
    for slot in range(1, PHOTO_SLOTS + 1):
        setattr(form_class, f"photo_{slot}", FileField(_l("Photo %(num)s", num=slot)))
        setattr(
            form_class,
            f"photo_alt_{slot}",
            StringField(
                _l("What photo %(num)s shows", num=slot),
                description=_l(
                    "For people who cannot see it, e.g. “Broken pavement in front of the school gate”."
                ),
                filters=[single_line],
                validators=[Length(max=250, message=_l("Use at most %(max)d characters."))],
            ),
        )
    return form_class
