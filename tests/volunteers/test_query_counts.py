"""The body page's volunteer section, the staff page and my volunteering page run a fixed
number of statements, whatever the number of members and applications.

Run with -s to see the counts.
"""

import pytest

from katilim.auth.models import User
from katilim.extensions import db
from katilim.volunteers import services
from tests.factories import get_body, make_user
from tests.volunteers.helpers import cast


def setup(app) -> dict[str, int]:
    with app.app_context():
        c = cast()
        db.session.commit()
        return {k: v.id for k, v in c.items()}


def add_members(app, chair_id: int, how_many: int, start: int = 0) -> None:
    """Members (half of them named) and as many open applications, each a new person."""
    with app.app_context():
        chair = db.session.get(User, chair_id)
        body = get_body("ulasim")
        for i in range(start, start + how_many):
            member = make_user(f"Gönüllü {i}")
            row = services.apply(member, body, f"Motivasyon {i}")
            services.decide(chair, row, True)
            if i % 2:
                services.set_listed(member, body, True)
            services.apply(make_user(f"Başvuran {i}"), body, f"Neden {i}")
        db.session.commit()


def measure(client, count_queries, url: str) -> int:
    client.get(url)
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("visitor", "/bodies/ulasim"),
        ("resident", "/bodies/ulasim"),
        ("moderator", "/bodies/ulasim"),
        ("moderator", "/bodies/ulasim/volunteers"),
        ("admin", "/bodies/ulasim/volunteers"),
    ],
)
def test_same_statements_for_2_and_20_members(app, council, client, login, count_queries, who, url):
    ids = setup(app)
    web = client if who == "visitor" else login(ids[who])
    add_members(app, ids["chair"], 2)
    small = measure(web, count_queries, url)
    add_members(app, ids["chair"], 18, start=2)
    large = measure(web, count_queries, url)
    print(f"\n{who} {url}: {small} statements with 2 members, {large} with 20")
    assert small == large
    if url.endswith("/volunteers"):
        assert web.get(url).get_data(as_text=True).count('class="card application"') == 20


def test_my_volunteering_page_runs_the_same_statements_for_2_and_20_groups(
    app, council, login, count_queries
):
    from katilim.organization.services import current_council, list_bodies

    ids = setup(app)
    with app.app_context():
        bodies = list_bodies(current_council())
        user = db.session.get(User, ids["resident"])
        admin = db.session.get(User, ids["admin"])

        def join(few: list) -> None:
            for i, body in enumerate(few):
                row = services.apply(user, body, "")
                if i % 2:
                    services.decide(admin, row, True)

        join([b for b in bodies if b.accepts_volunteers][:2])
        db.session.commit()
    web = login(ids["resident"])
    small = measure(web, count_queries, "/me/volunteering")
    with app.app_context():
        user = db.session.get(User, ids["resident"])
        admin = db.session.get(User, ids["admin"])
        join([b for b in list_bodies(current_council()) if b.accepts_volunteers][2:20])
        db.session.commit()
    large = measure(web, count_queries, "/me/volunteering")
    print(f"\n/me/volunteering: {small} statements with 2 groups, {large} with 20")
    assert small == large
