"""The search's cost against the plain list's, in-process (queries and ORM, no template, no
HTTP): the median of 20 runs of each, and the ratio to the list. Not part of the tests.

    .venv/bin/python bench/search.py postgresql+psycopg://postgres@127.0.0.1:5432/bench

"park" is in the titles of 4% of the generated proposals, "yagmur" in two thirds of them.
"""

import statistics
import sys
import time

from katilim import create_app
from katilim.extensions import db
from katilim.organization.models import Council
from katilim.proposals.queries import ProposalFilters, list_proposals

CASES = {
    "list": {},
    "list, page 10": {"page": "10"},
    "two words": {"q": "yenikent bisiklet"},
    "park": {"q": "park"},
    "park, page 10": {"q": "park", "page": "10"},
    "yagmur (2/3 of all)": {"q": "yagmur"},
    "yagmur, page 10": {"q": "yagmur", "page": "10"},
    "yagmur, newest": {"q": "yagmur", "sort": "newest"},
}


def main(url: str) -> None:
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "CACHE_TYPE": "NullCache"}
    )
    with app.app_context():
        council = db.session.query(Council).order_by(Council.id).first()
        medians = {}
        for name, args in CASES.items():
            times = []
            for _ in range(25):
                filters = ProposalFilters.from_args(args)
                start = time.perf_counter()
                page = list_proposals(council, filters, 20)
                times.append(time.perf_counter() - start)
                db.session.rollback()
            medians[name] = statistics.median(times[5:])
            print(
                f"{name:22s} {medians[name] * 1000:7.1f} ms  x{medians[name] / medians['list']:.2f}"
                f"  ({page.total} found, sort {filters.sort})"
            )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "postgresql+psycopg://postgres@127.0.0.1:5432/bench")
