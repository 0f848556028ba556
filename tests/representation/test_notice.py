"""The moderation queue names districts far below their share of recent proposals."""

import pytest

from katilim.extensions import db
from katilim.representation import services
from tests.factories import get_council, make_body, make_user
from tests.representation.helpers import proposal, three_districts

NOTICE = "Some districts are heard far less than their population:"


@pytest.fixture
def moderator(app):
    with app.app_context():
        get_council()
        user = make_user("Moderatör", moderates=make_body())
        db.session.commit()
        return user.id


def fill(kiyi: int, dag: int, ova: int, *, days_ago: int = 10) -> None:
    districts = three_districts()
    for district, count in zip(districts, (kiyi, dag, ova), strict=True):
        for _ in range(count):
            proposal(district, days_ago=days_ago)


def test_districts_below_half_their_share_are_named(ctx):
    # 20 proposals; shares of residents ¼, ¼, ½. Dağ 2/20 = 0.1 → index 0.4: named.
    # Ova 6/20 = 0.3 → 0.6: below its share but not far below.
    fill(12, 2, 6)
    assert [d.slug for d in services.under_heard_districts(get_council())] == ["dag"]


def test_no_notice_while_too_few_proposals_came_in(ctx):
    fill(12, 0, 7)  # 19: shares of so few proposals mean little
    assert services.under_heard_districts(get_council()) == []


def test_only_the_last_90_days_count(ctx):
    fill(12, 2, 6, days_ago=100)
    assert services.under_heard_districts(get_council()) == []
    fill(5, 5, 10)  # recent and in proportion
    assert services.under_heard_districts(get_council()) == []


def test_moderators_see_the_notice_on_the_queue(app, login, moderator):
    client = login(moderator)
    assert NOTICE not in client.get("/moderation").get_data(as_text=True)
    with app.app_context():
        fill(12, 2, 6)
        db.session.commit()
    page = client.get("/moderation").get_data(as_text=True)
    assert NOTICE in page
    notice = page[page.index(NOTICE) :]
    assert "Dağ." in notice[: notice.index("</p>")]
    assert "Ova" not in notice[: notice.index("</p>")]
