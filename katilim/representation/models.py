"""Self-described groups (docs/rules.md#anonymity-and-pseudonyms).

Disability and mother tongue are special-category data under KVKK (art. 6): they are kept in
their own table, only while the person's explicit consent for exactly this purpose is live, and
they leave the database when the person deletes them. The questions and their answers are data
(``DIMENSIONS``): adding an answer needs no migration, since the columns hold short strings.
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from katilim.core.models import TZDateTime, utcnow
from katilim.extensions import Model

PREFER_NOT = "prefer_not"


@dataclass(frozen=True)
class Dimension:
    """One question: the column it fills, its wording, its answers (value, label) in order."""

    name: str
    label: object
    choices: tuple[tuple[str, object], ...]

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(value for value, _label in self.choices)

    def label_of(self, value: str) -> object:
        # Kept lazy: the figures are cached across readers of every language.
        return dict(self.choices).get(value, value)


_PREFER_NOT = (PREFER_NOT, _l("I prefer not to say"))

DIMENSIONS: tuple[Dimension, ...] = (
    Dimension(
        "age_band",
        _l("Age"),
        (
            ("under_18", _l("Under 18")),
            ("18_29", _l("18 to 29")),
            ("30_44", _l("30 to 44")),
            ("45_64", _l("45 to 64")),
            ("65_plus", _l("65 or older")),
            _PREFER_NOT,
        ),
    ),
    Dimension(
        "gender",
        _l("Gender"),
        (
            ("woman", _l("Woman")),
            ("man", _l("Man")),
            ("other", _l("In another way")),
            _PREFER_NOT,
        ),
    ),
    Dimension(
        "disability",
        _l("Do you have a disability?"),
        (("yes", _l("Yes")), ("no", _l("No")), _PREFER_NOT),
    ),
    Dimension(
        "mother_tongue",
        _l("Mother tongue"),
        (
            ("turkish", _l("Turkish")),
            ("kurdish", _l("Kurdish")),
            ("arabic", _l("Arabic")),
            ("zazaki", _l("Zazaki")),
            ("other", _l("Another language")),
            _PREFER_NOT,
        ),
    ),
)
DIMENSION_NAMES = tuple(d.name for d in DIMENSIONS)


class Demographics(Model):
    """One person's answers; the row exists only while their consent is live."""

    __tablename__ = "demographics"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    age_band: Mapped[str] = mapped_column(String(20), default=PREFER_NOT)
    gender: Mapped[str] = mapped_column(String(20), default=PREFER_NOT)
    disability: Mapped[str] = mapped_column(String(20), default=PREFER_NOT)
    mother_tongue: Mapped[str] = mapped_column(String(20), default=PREFER_NOT)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow, onupdate=utcnow)
