"""The site's form rules (katilim.core.forms), and that every form of the site follows them."""

import json

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Field, IntegerField, RadioField, SelectField
from wtforms.fields.core import UnboundField
from wtforms.validators import NumberRange, Optional

from katilim.core.forms import BaseForm, BoundedIntegerField, OptionalChoice, options
from katilim.extensions import db
from tests.factories import make_proposal


def _site_forms(app) -> list[type]:
    """Every form class of the application (the app fixture has imported every module)."""
    found, todo = [], [BaseForm]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return [cls for cls in found if cls.__module__.startswith("katilim.")]


def _fields(form_class) -> list[tuple[str, UnboundField]]:
    return [
        (name, value)
        for name in dir(form_class)
        if isinstance(value := getattr(form_class, name, None), UnboundField)
    ]


def test_every_form_field_reads_numbers_and_choices_the_sites_way(app):
    """A guard for new forms: IntegerField and NumberRange overflow on a 400-digit number and
    read "٣" as 3; Optional() on a choice field lets "  " through as a value."""
    forms = _site_forms(app)
    assert len(forms) >= 20
    problems = []
    for form_class in forms:
        for name, field in _fields(form_class):
            validators = field.kwargs.get("validators") or (field.args[1:2] or [[]])[0]
            where = f"{form_class.__module__}.{form_class.__name__}.{name}"
            if issubclass(field.field_class, IntegerField) and not issubclass(
                field.field_class, BoundedIntegerField
            ):
                problems.append(f"{where}: use BoundedIntegerField")
            if any(isinstance(v, NumberRange) for v in validators):
                problems.append(f"{where}: NumberRange overflows; use BoundedIntegerField")
            if issubclass(field.field_class, SelectField | RadioField) and any(
                type(v) is Optional for v in validators
            ):
                problems.append(f"{where}: Optional() on a choice field; use OptionalChoice()")
    assert problems == []


class _NumberForm(BaseForm):
    class Meta:
        csrf = False

    count = BoundedIntegerField("Count", min=1, max=365)


@pytest.mark.parametrize(
    "raw", ["9" * 400, "²", "①", "٣", "３", "1_000", "+5", "0", "366", "-1", "5.0", "1e2", " "]
)
def test_bounded_integer_field_refuses_odd_numbers_with_one_message(app, raw):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        form = _NumberForm(formdata=MultiDict({"count": raw}))
        assert not form.validate()
        assert form.count.data is None
        assert [str(e) for e in form.count.errors] == ["Enter a whole number from 1 to 365."]


def test_bounded_integer_field_reads_numbers_and_gives_the_browser_its_bounds(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        form = _NumberForm(formdata=MultiDict({"count": "365"}))
        assert form.validate() and form.count.data == 365
        html = form.count()
        assert 'min="1"' in html and 'max="365"' in html and 'type="number"' in html


def test_bounded_integer_field_message_is_translated(app):
    with app.test_request_context(headers={"Accept-Language": "tr"}):
        form = _NumberForm(formdata=MultiDict({"count": "²"}))
        form.validate()
        assert str(form.count.errors[0]) != "Enter a whole number from 1 to 365."
        assert "365" in str(form.count.errors[0])


class _ChoiceForm(BaseForm):
    class Meta:
        csrf = False

    band = SelectField(
        "Band", choices=options([("", "None"), ("a", "A")]), validators=[OptionalChoice()]
    )


@pytest.mark.parametrize(
    ("data", "valid"), [({}, True), ({"band": ""}, True), ({"band": "a"}, True)]
)
def test_optional_choice_takes_a_missing_field_or_a_choice(app, data, valid):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert _ChoiceForm(formdata=MultiDict(data)).validate() is valid


@pytest.mark.parametrize("value", [" ", "  ", "b", "A", "a "])
def test_optional_choice_refuses_a_value_that_is_no_choice(app, value):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        form = _ChoiceForm(formdata=MultiDict({"band": value}))
        assert not form.validate()
        assert [str(e) for e in form.band.errors] == ["Not a valid choice."]


@pytest.mark.parametrize(
    "payload",
    [
        "a string",
        12,
        ["title", "text"],
        {"text": 12, "stance": ["for", "against"]},
        {"text": {"nested": True}, "stance": "for"},
        None,
    ],
)
def test_a_json_body_is_an_incomplete_form_not_a_server_error(app, login, council, payload):
    """Flask-WTF reads a JSON body as the form; WTForms then fails on anything but an object
    of strings. The site's forms are HTML forms: JSON reads as an empty form."""
    with app.app_context():
        proposal = make_proposal()
        db.session.commit()
        proposal_id, user_id = proposal.id, proposal.author_id
    client = login(user_id)
    for url in (f"/proposals/{proposal_id}/comments", "/proposals/new", "/me/email"):
        response = client.post(url, data=json.dumps(payload), content_type="application/json")
        assert response.status_code in (200, 400), (url, response.status_code)
    anonymous = app.test_client()
    response = anonymous.post(
        "/auth/login", data=json.dumps(payload), content_type="application/json"
    )
    assert response.status_code == 200
    assert "This field is required." in response.get_data(as_text=True)


def test_fields_are_still_wtforms_fields():
    assert issubclass(BoundedIntegerField, Field)
