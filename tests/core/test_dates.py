"""Dates read the same way on every page, in each language, and <time datetime> is valid
HTML: ISO 8601 to the second with its zone, never Python's microseconds."""

import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from katilim.i18n import format_date, format_datetime, iso_datetime, time_tag

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_iso_datetime_has_seconds_and_a_zone_and_no_microseconds():
    stored = datetime(2026, 3, 15, 9, 5, 7, 123456, tzinfo=UTC)
    assert iso_datetime(stored) == "2026-03-15T09:05:07Z"
    # SQLite gives stored UTC times back without a zone
    assert iso_datetime(stored.replace(tzinfo=None)) == "2026-03-15T09:05:07Z"
    istanbul = timezone(timedelta(hours=3))
    assert iso_datetime(datetime(2026, 3, 15, 12, 5, 7, tzinfo=istanbul)) == "2026-03-15T09:05:07Z"
    assert iso_datetime(date(2026, 3, 15)) == "2026-03-15"


@pytest.mark.parametrize(
    ("language", "day", "moment"),
    [
        ("tr", "15 Mart 2026", "15 Mart 2026 12:05"),  # Istanbul time
        ("ar", "15 مارس 2026", "15 مارس 2026، 12:05 م"),
        ("ku", "15ê adara 2026an", "15ê adara 2026an 12:05"),
        ("en", "March 15, 2026", "March 15, 2026, 12:05 PM"),
    ],
)
def test_one_date_form_per_language(app, language, day, moment):
    stored = datetime(2026, 3, 15, 9, 5, 59, 999999, tzinfo=UTC)
    with app.test_request_context(headers={"Accept-Language": language}):
        assert format_date(stored) == day
        assert format_datetime(stored).replace("\u202f", " ") == moment
        tag = str(time_tag(stored, with_time=True))
        assert tag.startswith('<time datetime="2026-03-15T09:05:59Z">')
        assert str(time_tag(stored)) == f'<time datetime="2026-03-15T09:05:59Z">{day}</time>'


def test_templates_show_dates_only_through_the_shared_helpers():
    """No template picks its own date form or writes a datetime attribute by hand: a page
    that did would read differently from the others (or carry microseconds)."""
    found = []
    for path in TEMPLATES.rglob("*.html"):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(
                r"isoformat\(|format_date(time)?\([^)]*,\s*[\"']|\bstrftime\((?!'%Y-%m')", line
            ):
                found.append(f"{path.relative_to(TEMPLATES)}:{n}: {line.strip()}")
    assert not found, "\n".join(found)
