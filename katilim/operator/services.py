"""What the operator does from the web: add or update a council from its data file, and give a
council its first admin. The same rules as the command line (`load-council`, `create-admin
--council`), with an audit entry in the installation's own council's log."""

import secrets
from dataclasses import dataclass

import yaml
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from katilim.audit.services import record
from katilim.auth.models import SiteRole, User
from katilim.auth.services import find_user_by_email, normalize_email
from katilim.auth.tokens import make_reset_token
from katilim.core.errors import DomainError
from katilim.core.text import clean_line
from katilim.core.urls import absolute_url
from katilim.extensions import db
from katilim.mail import send_email
from katilim.organization.models import Council
from katilim.organization.services import Loaded, for_council, load_council_data
from katilim.proposals.models import Proposal, ProposalStatus


class DataFileRefused(DomainError):
    status_code = 400


@dataclass
class CouncilRow:
    council: Council
    accounts: int
    admins: int
    proposals: int


def council_rows() -> list[CouncilRow]:
    """Every council of the installation with its accounts, admins and public proposals, in
    three queries however many councils there are."""
    councils = list(db.session.scalars(select(Council).order_by(Council.id)))
    accounts = dict(
        db.session.execute(select(User.council_id, func.count()).group_by(User.council_id)).all()
    )
    admins = dict(
        db.session.execute(
            select(User.council_id, func.count())
            .where(User.site_role == SiteRole.ADMIN, User.is_active_account.is_(True))
            .group_by(User.council_id)
        ).all()
    )
    proposals = dict(
        db.session.execute(
            select(Proposal.council_id, func.count())
            .where(Proposal.status != ProposalStatus.DRAFT)
            .group_by(Proposal.council_id)
        ).all()
    )
    return [
        CouncilRow(c, accounts.get(c.id, 0), admins.get(c.id, 0), proposals.get(c.id, 0))
        for c in councils
    ]


def add_council(operator, data: bytes) -> Loaded:
    """Create or update the council a data file describes. A file that cannot be loaded
    changes nothing (the caller rolls back) and says why.

    :raises DataFileRefused: with the loader's reason.
    """
    try:
        parsed = yaml.safe_load(data.decode("utf-8"))
        loaded = load_council_data(parsed)
    except UnicodeDecodeError as error:
        raise DataFileRefused(_l("The file is not UTF-8 text.")) from error
    except yaml.YAMLError as error:
        raise DataFileRefused(
            _l("The file is not valid YAML: %(why)s", why=str(error)[:300])
        ) from error
    except KeyError as error:
        raise DataFileRefused(_l("A required key is missing: %(key)s", key=str(error))) from error
    except (ValueError, TypeError, AttributeError) as error:
        raise DataFileRefused(
            _l("The file was not loaded: %(why)s", why=str(error)[:300])
        ) from error
    record(operator, "council.load", loaded.council, slug=loaded.council.slug)
    return loaded


def invite_first_admin(operator, council: Council, email: str, name: str) -> User:
    """Make ``email`` an admin of ``council``: its account there if it has one, else a new one,
    and e-mail a link (at the council's own address) to choose a password."""
    with for_council(council):
        user = find_user_by_email(email)
        if user is None:
            user = User(
                council_id=council.id,
                email=normalize_email(email),
                display_name=clean_line(name),
                privacy_notice_version="",
            )
            user.set_password(secrets.token_urlsafe(32))  # nobody knows it: the link sets one
            db.session.add(user)
        user.site_role = SiteRole.ADMIN
        user.is_active_account = True
        db.session.flush()
        link = absolute_url("auth.reset_with_token", token=make_reset_token(user))
        send_email(
            user.email,
            _l("You are an admin of %(council)s on Katılım", council=council.turkish_name),
            "first_admin",
            locale=user.locale,
            user=user,
            link=link,
            council=council,
            reset_url=absolute_url("auth.reset"),
        )
        record(operator, "council.first_admin", user, email=user.email, council=council.slug)
    record(operator, "council.first_admin", user, email=user.email, council=council.slug)
    return user
