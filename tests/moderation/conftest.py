"""Fixtures of the moderation tests."""

import pytest

from tests.moderation.helpers import make_cast


@pytest.fixture
def cast(ctx):
    """The people around one body, inside the test's app context (service tests)."""
    return make_cast()
