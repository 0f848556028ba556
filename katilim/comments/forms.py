"""The comment form."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, RadioField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from katilim.core.forms import HoneypotForm, options
from katilim.proposals.forms import _length, _not_blank


class CommentForm(HoneypotForm):
    text = TextAreaField(
        _l("Your comment"),
        validators=[DataRequired(_l("This field is required.")), _not_blank, _length(2, 5000)],
    )
    stance = RadioField(
        _l("Your position"),
        choices=options(
            [("for", _l("For")), ("against", _l("Against")), ("question", _l("Question"))]
        ),
        default="for",
        validators=[DataRequired(_l("Choose one."))],
    )
    is_pseudonymous = BooleanField(_l("Publish without my name"))
    # Hidden: a hidden input may carry no maxlength (HTML), which a StringField would add.
    parent_id = HiddenField(validators=[Optional(), Length(max=12)])
