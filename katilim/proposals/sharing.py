"""Sharing a proposal: plain links to the usual apps and the tags that make a shared link show
its title and summary. No outside script: each link opens the app's own share page."""

from dataclasses import dataclass
from urllib.parse import quote

from flask_babel import lazy_gettext as _l

from katilim.core.urls import absolute_url
from katilim.proposals.models import Proposal

# Open Graph wants language_TERRITORY; the council is in Türkiye.
OG_LOCALES = {"tr": "tr_TR", "en": "en_GB", "ar": "ar_AR", "ku": "ku_TR"}


@dataclass(frozen=True)
class ShareLink:
    key: str  # also the CSS class and the test's handle
    label: str
    href: str


def _q(value: str) -> str:
    return quote(value, safe="")


def proposal_url(proposal: Proposal) -> str:
    """The proposal's public address, from the configured site address (never the request)."""
    return absolute_url("proposals.detail", proposal_id=proposal.id)


def share_links(proposal: Proposal) -> list[ShareLink]:
    """WhatsApp first: it is how most people in Türkiye pass a link on."""
    url, title = proposal_url(proposal), proposal.title
    message = f"{title} {url}"
    return [
        ShareLink("whatsapp", str(_l("WhatsApp")), f"https://wa.me/?text={_q(message)}"),
        ShareLink(
            "telegram",
            str(_l("Telegram")),
            f"https://t.me/share/url?url={_q(url)}&text={_q(title)}",
        ),
        ShareLink(
            "x",
            str(_l("X (Twitter)")),
            f"https://twitter.com/intent/tweet?url={_q(url)}&text={_q(title)}",
        ),
        ShareLink(
            "facebook",
            str(_l("Facebook")),
            f"https://www.facebook.com/sharer/sharer.php?u={_q(url)}",
        ),
        ShareLink("email", str(_l("E-mail")), f"mailto:?subject={_q(title)}&body={_q(message)}"),
    ]


def can_share(proposal: Proposal) -> bool:
    """Public proposals only: a draft or a hidden proposal has nothing to pass on."""
    return proposal.published_at is not None and not proposal.is_hidden
