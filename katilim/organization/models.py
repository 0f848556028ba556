"""The council, its bodies (assemblies and working groups), districts and memberships."""

import enum
from typing import TYPE_CHECKING

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from katilim.core.models import TimestampMixin, str_enum
from katilim.extensions import Model

if TYPE_CHECKING:  # for the relationships' annotations; the mapper resolves the names
    from katilim.auth.models import User


def localized(values: dict | None, locale: str | None = None) -> str:
    """Pick the text for the current locale from a {"tr": ..., "en": ...} dict, else Turkish."""
    if not values:
        return ""
    if locale is None:
        current = get_locale()
        locale = current.language if current else "tr"
    return values.get(locale) or values.get("tr") or next(iter(values.values()), "")


class Council(TimestampMixin, Model):
    """The city council running this instance; bodies and districts belong to it."""

    __tablename__ = "councils"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    names: Mapped[dict] = mapped_column(JSON, default=dict)
    principles: Mapped[dict] = mapped_column(JSON, default=dict)  # {"tr": [...], "en": [...]}
    website: Mapped[str | None] = mapped_column(String(200))
    # The city or district it serves, per language ({"tr": "Kocaeli"}); proper names keep their
    # Turkish spelling in every language unless the data file gives another.
    city_names: Mapped[dict] = mapped_column(JSON, default=dict)
    # Its legal identity and contact (the data controller of KVKK, the content provider of
    # Law 5651), shown on /kunye and /privacy; empty lines are omitted there.
    legal_name: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    # Where KVKK applications go (an e-mail or KEP address); empty: the council's e-mail.
    kvkk_contact: Mapped[str] = mapped_column(String(200), default="")
    # Its own public address when one installation serves several councils (the data file's
    # `site_url`), and that address's host name, lower-cased: a request is served for the
    # council whose host it names. None: the installation's KATILIM_SITE_URL (one council).
    site_url: Mapped[str | None] = mapped_column(String(200))
    host: Mapped[str | None] = mapped_column(String(200), unique=True)
    # A district council names its provincial council (the data file's `parent`), whose
    # /stats/councils page shows its district councils side by side; and the population of
    # its area, for the per-resident figures there.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("councils.id"), index=True)
    population: Mapped[int | None] = mapped_column(Integer)
    population_year: Mapped[int | None] = mapped_column(Integer)

    parent: Mapped["Council | None"] = relationship(remote_side=[id])

    @property
    def name(self) -> str:
        return localized(self.names)

    @property
    def turkish_name(self) -> str:
        """Its name in Turkish, the one it is registered under."""
        return self.names.get("tr") or self.name

    @property
    def city(self) -> str:
        return localized(self.city_names)

    @property
    def principle_list(self) -> list[str]:
        current = get_locale()
        lang = current.language if current else "tr"
        return self.principles.get(lang) or self.principles.get("tr") or []


class BodyKind(enum.StrEnum):
    ASSEMBLY = "assembly"
    WORKING_GROUP = "working_group"
    # The genel kurul (Kent Konseyi Yönetmeliği art. 9): meets at least three times a year and
    # sends its views to the municipal council; it meets and decides like any body.
    GENERAL_ASSEMBLY = "general_assembly"


BODY_KIND_LABELS = {
    BodyKind.ASSEMBLY: _l("Assembly"),
    BodyKind.WORKING_GROUP: _l("Working group"),
    BodyKind.GENERAL_ASSEMBLY: _l("General assembly"),
}


class Body(TimestampMixin, Model):
    """An assembly (meclis) or working group (çalışma grubu) that receives proposals."""

    __tablename__ = "bodies"
    __table_args__ = (UniqueConstraint("council_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), index=True)
    kind: Mapped[BodyKind] = mapped_column(str_enum(BodyKind))
    slug: Mapped[str] = mapped_column(String(60))
    names: Mapped[dict] = mapped_column(JSON, default=dict)
    descriptions: Mapped[dict] = mapped_column(JSON, default=dict)
    # Routing keywords (Turkish); "=word" matches whole words only (docs/rules.md#routing).
    keywords: Mapped[list] = mapped_column(JSON, default=list)
    support_threshold: Mapped[int] = mapped_column(Integer, default=50)
    response_days: Mapped[int] = mapped_column(Integer, default=30)
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Residents may apply to join as volunteers (katilim/volunteers) unless the council's data
    # file says `open_to_volunteers: false` for the body.
    accepts_volunteers: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    council: Mapped[Council] = relationship()

    @property
    def name(self) -> str:
        return localized(self.names)

    @property
    def description(self) -> str:
        return localized(self.descriptions)

    @property
    def kind_label(self) -> str:
        return str(BODY_KIND_LABELS[self.kind])


class District(Model):
    """A district (ilçe) of the city, with its population for per-capita figures."""

    __tablename__ = "districts"
    __table_args__ = (UniqueConstraint("council_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), index=True)
    slug: Mapped[str] = mapped_column(String(60))
    names: Mapped[dict] = mapped_column(JSON, default=dict)
    population: Mapped[int | None] = mapped_column(Integer)
    population_year: Mapped[int | None] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def name(self) -> str:
        # District names keep their Turkish spelling in every language
        # (docs/architecture.md#languages).
        return self.names.get("tr") or self.slug


class MembershipRole(enum.StrEnum):
    MODERATOR = "moderator"
    CHAIR = "chair"


class Membership(TimestampMixin, Model):
    """A person's role in a body: moderators and chairs review the body's proposals."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "body_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"), index=True)
    role: Mapped[MembershipRole] = mapped_column(str_enum(MembershipRole))

    body: Mapped[Body] = relationship()
    user: Mapped["User"] = relationship(back_populates="memberships")  # noqa: F821
