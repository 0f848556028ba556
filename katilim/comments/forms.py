"""The comment form, and the form that changes one's own comment."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, RadioField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from katilim.core.forms import BaseForm, HoneypotForm, OptionalChoice, options
from katilim.proposals.forms import _length, not_blank

NO_STANCE = ""


def _text_field():
    return TextAreaField(
        _l("Your comment"),
        validators=[DataRequired(_l("This field is required.")), not_blank, _length(2, 5000)],
    )


def _stance_field():
    # A plain comment needs no position: none is chosen unless the person picks one.
    return RadioField(
        _l("Your position (optional)"),
        choices=options(
            [
                (NO_STANCE, _l("No position, just a comment")),
                ("for", _l("For")),
                ("against", _l("Against")),
                ("question", _l("Question")),
            ]
        ),
        default=NO_STANCE,
        validators=[OptionalChoice()],
    )


class CommentForm(HoneypotForm):
    text = _text_field()
    stance = _stance_field()
    is_pseudonymous = BooleanField(_l("Publish without my name"))
    # Hidden: a hidden input may carry no maxlength (HTML), which a StringField would add.
    parent_id = HiddenField(validators=[Optional(), Length(max=12)])


class CommentEditForm(BaseForm):
    text = _text_field()
    stance = _stance_field()
