"""The operator's forms: a council's data file, and its first admin."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField

from katilim.auth.forms import address_field, display_name_field
from katilim.core.forms import BaseForm

DATA_FILE_MAX_BYTES = 256 * 1024  # Kocaeli's file, 24 bodies in four languages, is 30 kB


class CouncilFileForm(BaseForm):
    data_file = FileField(
        _l("The council's data file (YAML)"),
        description=_l(
            "Like katilim/data/kocaeli.yaml: the council, its bodies and districts. A council "
            "already here is updated by its slug."
        ),
        validators=[FileRequired(_l("Choose a file."))],
    )


class FirstAdminForm(BaseForm):
    council = SelectField(_l("Council"), choices=[])
    email = address_field(_l("E-mail address"))
    # Another person's name: the label of one's own ("shown with what you write") is wrong here.
    name = display_name_field(_l("Name of the new administrator"))
