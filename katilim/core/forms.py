"""The base form every form inherits: cleans text input before validation."""

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from katilim.core.text import clean_input


def _clean(value):
    return clean_input(value) if isinstance(value, str) else value


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            # Every text field drops NUL bytes and CRLF; PostgreSQL would refuse the first.
            filters = list(unbound_field.kwargs.get("filters", ())) + [_clean]
            return unbound_field.bind(form=form, filters=filters, **options)


def options(pairs, optgroup=None) -> list[SelectChoice]:
    """Select or radio options from (value, label) pairs, optionally inside one <optgroup>."""
    return [SelectChoice(value, label, optgroup=optgroup) for value, label in pairs]
