"""The moderators' hide form, and what the file fields accept (the fields themselves are in
katilim/proposals/forms.py: the proposal form is the proposals' own)."""

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from katilim.core.forms import BaseForm

ACCEPT = "image/jpeg,image/png,image/webp,image/heic,image/heif,.jpg,.jpeg,.png,.webp,.heic,.heif"


class HidePhotoForm(BaseForm):
    reason = TextAreaField(
        _l("Public reason for hiding"),
        validators=[DataRequired(_l("This field is required.")), Length(max=2000)],
    )
