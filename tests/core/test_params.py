"""Reading numbers and choices from a request (katilim.core.params)."""

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from katilim.core.params import (
    MAX_ID,
    MAX_PAGE,
    choice_arg,
    id_arg,
    int_arg,
    page_arg,
    parse_id,
    parse_int,
    parse_iso_date,
    text_arg,
)

# Each is refused: Python's int() reads several of them, isdigit() accepts others, and the
# 400 digits overflow whatever turns them into a float or a database integer.
NOT_INTEGERS = [
    "²",  # isdigit() is True, int() refuses it
    "①",
    "٣",  # Arabic-Indic three: int() reads 3
    "３",  # full-width three: int() reads 3
    "1_000",  # int() reads 1000
    " 7",
    "7 ",
    "+7",
    "1e3",
    "0x1f",
    "",
    " ",
    "-",
    "\x00",
    "7\x00",
    "\u202e7",
    "9" * 400,
    "9" * 19,  # longer than MAX_DIGITS
    None,
    True,
    7.0,
    [7],
]


@pytest.mark.parametrize("raw", NOT_INTEGERS)
def test_parse_int_refuses_what_is_not_an_ascii_integer(raw):
    assert parse_int(raw) is None


@pytest.mark.parametrize(
    ("raw", "value"),
    [("0", 0), ("42", 42), ("-3", -3), ("007", 7), (12, 12), ("9" * 18, 10**18 - 1)],
)
def test_parse_int_reads_ascii_integers_and_ints(raw, value):
    assert parse_int(raw) == value


def test_parse_int_keeps_to_its_bounds():
    assert parse_int("5", min=1, max=5) == 5
    assert parse_int("6", min=1, max=5) is None
    assert parse_int("0", min=1) is None
    assert parse_int("-1", max=0) == -1


def test_parse_id_is_one_to_the_database_integer():
    assert parse_id(str(MAX_ID)) == MAX_ID
    assert parse_id(str(MAX_ID + 1)) is None
    assert parse_id("0") is None and parse_id("1") == 1


def test_request_helpers_read_the_query_string(app):
    query = "page=3&reply=12&sort=equity&q=%00%20bisiklet%20&n=%C2%B2&page=9"
    with app.test_request_context(f"/?{query}"):
        assert page_arg() == 3  # a repeated parameter counts with its first value
        assert id_arg("reply") == 12
        assert int_arg("n", 5) == 5
        assert int_arg("missing") is None
        assert choice_arg("sort", {"newest", "equity"}, "newest") == "equity"
        assert text_arg("q", 200) == "bisiklet"
        assert text_arg("q", 3) == "bis"


@pytest.mark.parametrize(
    "page",
    ["0", "-1", "²", "٣", "9" * 400, str(MAX_PAGE + 1), "", "%FF%FE", "1.5"],
)
def test_page_arg_is_the_first_page_for_anything_odd(app, page):
    with app.test_request_context(f"/?page={page}"):
        assert page_arg() == 1


@pytest.mark.parametrize("value", [" equity", "EQUITY", "equity\x00", "", "%FF", "equity "])
def test_choice_arg_takes_exact_choices_only(app, value):
    with app.test_request_context(f"/?sort={value}"):
        assert choice_arg("sort", ("newest", "equity"), "newest") == "newest"


def test_helpers_read_a_mapping_given_to_them():
    args = MultiDict([("page", "2"), ("status", "new"), ("lang", "xx")])
    assert page_arg(args) == 2
    assert choice_arg("status", {"new"}, args=args) == "new"
    assert choice_arg("lang", {"tr", "en"}, "tr", args=args) == "tr"
    assert page_arg({"page": 4}) == 4  # what a schema already converted


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-03-09", date(2026, 3, 9)),
        ("2026-02-30", None),
        ("2026-3-9", None),
        ("٢٠٢٦-٠٣-٠٩", None),
        ("", None),
        (None, None),
        (20260309, None),
        ("2026-03-09T10:00", None),
    ],
)
def test_parse_iso_date(raw, expected):
    assert parse_iso_date(raw) == expected
