"""The self-described groups form: four questions and their own consent box."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField
from wtforms.validators import DataRequired, InputRequired

from katilim.core.forms import BaseForm, options
from katilim.representation.models import DIMENSIONS, PREFER_NOT


def _question(dimension) -> RadioField:
    return RadioField(
        dimension.label,
        choices=options(dimension.choices),
        default=PREFER_NOT,
        validators=[InputRequired(_l("Please choose one answer."))],
    )


class DemographicsForm(BaseForm):
    age_band = _question(DIMENSIONS[0])
    gender = _question(DIMENSIONS[1])
    disability = _question(DIMENSIONS[2])
    mother_tongue = _question(DIMENSIONS[3])
    # Its own box, never ticked in advance, asked for nothing else (KVKK art. 6: special data).
    consent = BooleanField(
        _l(
            "I give my explicit consent to store these answers for the anonymous figures "
            "described above."
        ),
        validators=[DataRequired(_l("To save your answers, tick this box to give consent."))],
    )

    def answers(self) -> dict[str, str]:
        return {dimension.name: self[dimension.name].data for dimension in DIMENSIONS}


class DeleteDemographicsForm(BaseForm):
    """Only the CSRF token: deleting needs no confirmation beyond the button."""
