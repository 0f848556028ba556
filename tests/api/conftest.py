"""Known data for the open-data tests: who wrote what, so that tests can look for leaks."""

import pytest

from katilim.extensions import db
from katilim.moderation.services import answer, change_status, hide_proposal
from katilim.proposals.models import ProposalStatus
from tests.factories import get_body, get_district, make_proposal, make_user

AUTHOR_NAME = "Zeynep Gizlisoy"
AUTHOR_EMAIL = "zeynep.gizlisoy@example.org"
MODERATOR_NAME = "Murat Moderatör"
MODERATOR_EMAIL = "murat.moderator@example.org"


@pytest.fixture
def data(app, council):
    """Known proposals: two in İzmit (one answered and accepted), one in Gebze in English,
    one hidden, one draft, one withdrawn."""
    with app.app_context():
        author = make_user(AUTHOR_NAME, email=AUTHOR_EMAIL)
        transport = get_body("ulasim")
        moderator = make_user(MODERATOR_NAME, email=MODERATOR_EMAIL, moderates=transport)
        izmit, gebze = get_district("izmit"), get_district("gebze")
        ramp = make_proposal(
            author,
            body=transport,
            district=izmit,
            title="Tramvay durağına rampa",
            tags=("erişilebilirlik",),
        )
        answer(moderator, ramp, "Teşekkürler, inceliyoruz.")
        change_status(moderator, ramp, "accept", text="Kabul edildi.")
        bench = make_proposal(
            author,
            body=transport,
            district=izmit,
            title="Durağa bank",
            summary="Otobüs durağında oturacak yer yok.",
            text="Yaşlılar ayakta bekliyor; bir bank koyulsun.",
        )
        english = make_proposal(
            author,
            body=get_body("cevre-iklim"),
            district=gebze,
            title="More trees in Gebze",
            summary="Plant trees along the main street.",
            text="The main street has no shade in summer.",
        )
        english.language = "en"
        hidden = make_proposal(author, body=transport, title="Gizli öneri")
        hide_proposal(moderator, hidden, "Hakaret içeriyor.")
        draft = make_proposal(author, body=transport, title="Taslak öneri", publish=False)
        withdrawn = make_proposal(author, body=transport, title="Geri çekilen öneri")
        withdrawn.status = ProposalStatus.WITHDRAWN
        db.session.commit()
        return {
            "ramp": ramp.id,
            "bench": bench.id,
            "english": english.id,
            "hidden": hidden.id,
            "draft": draft.id,
            "withdrawn": withdrawn.id,
            "author": author.id,
            "moderator": moderator.id,
        }
