"""Known data for the representation tests: three districts and dated proposals."""

from datetime import timedelta

from katilim.core.models import utcnow
from katilim.extensions import db
from tests.factories import make_district, make_proposal, make_user


def three_districts():
    """Kıyı 100,000, Dağ 100,000 and Ova 200,000 residents: shares ¼, ¼ and ½."""
    return (
        make_district("kiyi", "Kıyı", 100_000),
        make_district("dag", "Dağ", 100_000),
        make_district("ova", "Ova", 200_000),
    )


def proposal(district=None, *, days_ago: int = 1, author=None, **kw):
    """A published proposal about ``district``, published ``days_ago`` days ago."""
    item = make_proposal(author or make_user(), district=district, **kw)
    item.published_at = utcnow() - timedelta(days=days_ago)
    db.session.flush()
    return item
