"""The review page of one proposal, its forms and errors, and what the public page then shows."""

import re
from collections import Counter
from datetime import date

import pytest

from katilim.comments.models import Comment
from katilim.extensions import db
from katilim.moderation import reports, services
from katilim.moderation.models import AnswerTemplate, FlagReason
from katilim.proposals.models import Proposal, ProposalStatus
from katilim.voting.services import cast_vote
from tests.factories import make_comment, make_user
from tests.moderation.helpers import (
    general_proposal,
    make_cast,
    proposal_in,
    select_options,
    suggested,
)

S = ProposalStatus

# docs/rules.md#lifecycle, as the review page must offer it.
ACTIONS = {
    S.NEW: ["claim", "accept", "reject"],
    S.UNDER_REVIEW: ["accept", "reject"],
    S.ACCEPTED: ["reject", "forward", "implement", "close"],
    S.FORWARDED: ["implement", "close"],
    S.REJECTED: [],
    S.IMPLEMENTED: [],
    S.CLOSED: [],
    S.WITHDRAWN: [],
}


def setup_proposal(app, status=S.NEW, **changes) -> tuple[int, int, int]:
    """(proposal id, its body's moderator id, author id)."""
    with app.app_context():
        cast = make_cast()
        proposal = proposal_in(cast, status, commit=False)
        for name, value in changes.items():
            setattr(proposal, name, value)
        db.session.commit()
        return proposal.id, cast.moderator.id, cast.author.id


def review_page(client, proposal_id: int, query: str = "") -> str:
    response = client.get(f"/moderation/proposals/{proposal_id}{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def textarea(html: str, name: str, form_action: str) -> str:
    """The content of a textarea inside the form posting to ``form_action``."""
    form = html.split(f'action="{form_action}"')[1].split("</form>")[0]
    return re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', form, re.S)[1]


@pytest.mark.parametrize("status", list(ACTIONS))
def test_review_page_offers_only_the_allowed_steps(app, login, status):
    proposal_id, moderator_id, _ = setup_proposal(app, status, forwarded_on=date(2025, 3, 3))
    html = review_page(login(moderator_id), proposal_id)

    offered = [v for v in select_options(html, r"[\w-]*action") if v]
    assert offered == ACTIONS[status]
    assert ("Next step" in html) == bool(ACTIONS[status])
    assert ('name="forwarded_on"' in html) == ("forward" in ACTIONS[status])
    before_decision = status in (S.NEW, S.UNDER_REVIEW)
    assert ("Move to another group" in html) == before_decision
    assert ("Merge a duplicate" in html) == before_decision
    agenda = status in (S.FORWARDED, S.IMPLEMENTED, S.CLOSED)
    assert ("Municipal council agenda" in html) == agenda
    assert "Confirm the suggested group" not in html  # the author chose the body
    assert "Hide for breaking the rules" in html


def test_review_page_offers_confirmation_only_for_a_suggested_routing(app, login):
    with app.app_context():
        cast = make_cast()
        proposal_id = suggested(proposal_in(cast)).id
        moderator_id = cast.moderator.id
        db.session.commit()
    client = login(moderator_id)
    assert "Confirm the suggested group" in review_page(client, proposal_id)
    client.post(f"/moderation/proposals/{proposal_id}/confirm-routing")
    assert "Confirm the suggested group" not in review_page(client, proposal_id)


def test_review_page_of_a_hidden_proposal_offers_no_hiding(app, login):
    proposal_id, moderator_id, _ = setup_proposal(app, is_hidden=True, hidden_reason="Spam.")
    assert "Hide for breaking the rules" not in review_page(login(moderator_id), proposal_id)


def test_review_page_has_unique_ids_for_its_fields(app, login):
    """Every label must point at its own field: the page holds many forms."""
    proposal_id, moderator_id, _ = setup_proposal(app)
    html = review_page(login(moderator_id), proposal_id)
    ids = re.findall(r'<(?:textarea|select|input)(?![^>]*type="hidden")[^>]*\bid="([^"]+)"', html)
    duplicates = [i for i, n in Counter(ids).items() if n > 1]
    assert duplicates == []
    for target in re.findall(r'<label for="([^"]+)"', html):
        assert target in ids, target


# --- templates ---------------------------------------------------------------------------------


def test_a_template_fills_the_answer_but_not_one_of_another_body(app, login):
    with app.app_context():
        cast = make_cast()
        proposal_id = proposal_in(cast).id
        own = AnswerTemplate(body_id=cast.body.id, title="Teşekkür", text="Sağ olun, bakıyoruz.")
        foreign = AnswerTemplate(body_id=cast.other_body.id, title="Yabancı", text="Başka grup.")
        db.session.add_all([own, foreign])
        db.session.commit()
        own_id, foreign_id, moderator_id = own.id, foreign.id, cast.moderator.id
    client = login(moderator_id)
    action = f"/moderation/proposals/{proposal_id}/answer"

    html = review_page(client, proposal_id, f"?template={own_id}")
    assert textarea(html, "text", action).strip() == "Sağ olun, bakıyoruz."
    assert select_options(html, "template") == [str(own_id)]  # only this body's templates

    arabic_indic = str(own_id).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    odd = ("abc", "99999999999999", "²", "①", "9" * 400, arabic_indic, "%00")
    for query in [f"?template={foreign_id}", ""] + [f"?template={value}" for value in odd]:
        html = review_page(client, proposal_id, query)
        assert textarea(html, "text", action).strip() == "", query
        assert "Başka grup." not in html


# --- errors --------------------------------------------------------------------------------------------


def field_error(html: str, field_name: str) -> str:
    """The error text shown beside the field named ``field_name`` (linked by aria-describedby)."""
    control = re.search(
        rf'<(?:textarea|input|select)[^>]*name="{field_name}"[^>]*aria-invalid="true"[^>]*>'
        rf'|<(?:textarea|input|select)[^>]*aria-invalid="true"[^>]*name="{field_name}"[^>]*>',
        html,
    )
    assert control, f"{field_name} is not marked invalid"
    described = re.search(r'aria-describedby="([^"]+)"', control[0])[1].split()
    error_id = next(i for i in described if i.endswith("-error"))
    return re.search(rf'id="{error_id}">(.*?)</p>', html, re.S)[1]


def test_reject_without_reason_comes_back_with_the_error_beside_the_text(app, login):
    proposal_id, moderator_id, _ = setup_proposal(app)
    response = login(moderator_id).post(
        f"/moderation/proposals/{proposal_id}/status", data={"action": "reject", "text": "   "}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Please give the reason; it is shown in public." in field_error(html, "text")
    assert re.search(r'<option selected value="reject">|<option value="reject" selected', html)
    with app.app_context():
        assert db.session.get(Proposal, proposal_id).status == S.NEW


def test_forward_without_date_keeps_the_typed_text(app, login):
    proposal_id, moderator_id, _ = setup_proposal(app, S.ACCEPTED)
    typed = "Belediye meclisine iletiyoruz; <b>gündem</b> bekleniyor."
    response = login(moderator_id).post(
        f"/moderation/proposals/{proposal_id}/status", data={"action": "forward", "text": typed}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Please give the date it went to the municipal council." in field_error(
        html, "forwarded_on"
    )
    action = f"/moderation/proposals/{proposal_id}/status"
    assert textarea(html, "text", action).strip() == typed.replace("<", "&lt;").replace(">", "&gt;")
    with app.app_context():
        assert db.session.get(Proposal, proposal_id).status == S.ACCEPTED


def test_a_step_not_allowed_from_the_status_keeps_the_typed_text(app, login):
    proposal_id, moderator_id, _ = setup_proposal(app)
    response = login(moderator_id).post(
        f"/moderation/proposals/{proposal_id}/status",
        data={"action": "implement", "text": "Yapıldı."},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert field_error(html, "action")
    assert "Yapıldı." in textarea(html, "text", f"/moderation/proposals/{proposal_id}/status")


def test_empty_answer_comes_back_with_the_error(app, login):
    proposal_id, moderator_id, _ = setup_proposal(app)
    response = login(moderator_id).post(
        f"/moderation/proposals/{proposal_id}/answer", data={"text": " "}
    )
    assert response.status_code == 400
    assert "This field is required." in field_error(response.get_data(as_text=True), "text")


def test_agenda_before_forwarding_comes_back_with_the_error_beside_the_date(app, login):
    proposal_id, moderator_id, _ = setup_proposal(app, S.FORWARDED, forwarded_on=date(2025, 3, 3))
    response = login(moderator_id).post(
        f"/moderation/proposals/{proposal_id}/agenda",
        data={"agenda_on": "2025-03-01", "decision_reference": "2025/9"},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "cannot be before the date it was forwarded" in field_error(html, "agenda_on")
    assert 'value="2025/9"' in html
    with app.app_context():
        assert db.session.get(Proposal, proposal_id).agenda_on is None


@pytest.mark.parametrize("target", ["999999", "0", "abc", "", "²", "٣", "9" * 400, " "])
def test_merge_into_an_unknown_proposal_comes_back_with_the_error(app, login, target):
    proposal_id, moderator_id, _ = setup_proposal(app)
    response = login(moderator_id).post(
        f"/moderation/proposals/{proposal_id}/merge",
        data={"target_id": target, "reason": "Aynısı."},
    )
    assert response.status_code == 400
    assert field_error(response.get_data(as_text=True), "target_id")


def test_merge_into_itself_is_refused(app, login):
    proposal_id, moderator_id, _ = setup_proposal(app)
    response = login(moderator_id).post(
        f"/moderation/proposals/{proposal_id}/merge",
        data={"target_id": str(proposal_id), "reason": "Aynısı."},
    )
    assert response.status_code == 409
    with app.app_context():
        assert db.session.get(Proposal, proposal_id).merged_into_id is None


def test_rerouting_after_a_decision_gives_a_conflict_page(app, login):
    with app.app_context():
        cast = make_cast()
        proposal_id = proposal_in(cast, S.REJECTED).id
        moderator_id, spare, own = cast.moderator.id, cast.spare_body.slug, cast.body.slug
    response = login(moderator_id).post(
        f"/moderation/proposals/{proposal_id}/reroute",
        data={"body": spare, "reason": "Başka grubun konusu."},
    )
    assert response.status_code == 409
    assert "only before a decision" in response.get_data(as_text=True)
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        assert (proposal.status, proposal.body.slug) == (S.REJECTED, own)


def test_hiding_a_comment_without_reason_keeps_it(app, login):
    with app.app_context():
        cast = make_cast()
        proposal = proposal_in(cast, commit=False)
        comment_id = make_comment(proposal).id
        proposal_id, moderator_id = proposal.id, cast.moderator.id
        db.session.commit()
    response = login(moderator_id).post(
        f"/moderation/comments/{comment_id}/hide", data={"reason": " "}, follow_redirects=True
    )
    assert "Please give the reason; it is shown in public." in response.get_data(as_text=True)
    with app.app_context():
        assert not db.session.get(Comment, comment_id).is_hidden
        assert db.session.get(Proposal, proposal_id).status == S.NEW


# --- after the step: the review page and the public page ------------------------------------------------


def test_a_status_change_shows_on_the_review_page_after_the_redirect(app, login):
    proposal_id, moderator_id, _ = setup_proposal(app)
    response = login(moderator_id).post(
        f"/moderation/proposals/{proposal_id}/status",
        data={"action": "accept", "text": "Kabul ettik, bütçeye koyuyoruz."},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "The status is changed and the followers are told." in html
    assert "Status changed to: Accepted." in html
    assert "Kabul ettik, bütçeye koyuyoruz." in html


def test_public_page_shows_the_answer_on_the_timeline(app, login, client):
    proposal_id, moderator_id, _ = setup_proposal(app)
    login(moderator_id).post(
        f"/moderation/proposals/{proposal_id}/answer",
        data={"text": "Grubumuz bu ay toplanıp karar verecek."},
    )
    html = client.get(f"/proposals/{proposal_id}").get_data(as_text=True)
    timeline = html.split('id="timeline-heading"')[1].split("</section>")[0]
    assert "The group answered." in timeline
    assert "Grubumuz bu ay toplanıp karar verecek." in timeline


def test_public_page_shows_the_threshold_notice(app, client):
    with app.app_context():
        cast = make_cast()
        proposal = proposal_in(cast, commit=False)  # threshold 3
        below = proposal_in(cast, commit=False)
        for _ in range(3):
            cast_vote(make_user(), proposal, 1)
        for _ in range(2):
            cast_vote(make_user(), below, 1)
        proposal_id, below_id = proposal.id, below.id
        db.session.commit()
    assert "notice-success" not in client.get(f"/proposals/{below_id}").get_data(as_text=True)
    html = client.get(f"/proposals/{proposal_id}").get_data(as_text=True)
    notice = re.search(r'<p class="notice notice-success">(.*?)</p>', html, re.S)
    assert notice, "no threshold notice"
    assert "support threshold: the group must put it on its agenda." in notice[1]
    assert "It reached 3 supports: the group must put it on its agenda." in html


def test_public_page_shows_the_merged_notice_with_a_link(app, login, client):
    with app.app_context():
        cast = make_cast()
        duplicate = proposal_in(cast, commit=False)
        target = proposal_in(cast, commit=False)
        ids = duplicate.id, target.id, cast.moderator.id
        db.session.commit()
    duplicate_id, target_id, moderator_id = ids
    response = login(moderator_id).post(
        f"/moderation/proposals/{duplicate_id}/merge",
        data={
            "target_id": str(target_id),
            "reason": "Aynı durak için iki öneri.",
            "confirmed": "yes",
        },
    )
    assert response.status_code == 302
    html = client.get(f"/proposals/{duplicate_id}").get_data(as_text=True)
    assert "This proposal was merged into another one, where its votes now count." in html
    assert f'href="/proposals/{target_id}"' in html
    assert f"Merged into proposal #{target_id}; its votes moved there." in html
    assert "Aynı durak için iki öneri." in html
    assert "Voting is closed for this proposal." in html


def test_public_page_of_a_hidden_proposal_shows_the_reason(app, login, client):
    proposal_id, moderator_id, _ = setup_proposal(app)
    login(moderator_id).post(
        f"/moderation/proposals/{proposal_id}/hide", data={"reason": "Kişisel veri içeriyor."}
    )
    html = client.get(f"/proposals/{proposal_id}").get_data(as_text=True)
    assert "Moderators hid this proposal for breaking the rules." in html
    assert "Kişisel veri içeriyor." in html
    assert "Rampa yapılmasını öneriyoruz." not in html  # the text itself is not shown


# --- reports on the review page ---------------------------------------------------------------------------


def test_review_page_lists_reports_and_handles_them(app, login):
    with app.app_context():
        cast = make_cast()
        proposal = proposal_in(cast, commit=False)
        comment = make_comment(proposal, text="Çok kaba bir yorum.")
        flag = reports.report_content(
            cast.resident, reason=FlagReason.INSULT, note="Hakaret var.", comment=comment
        )
        db.session.commit()
        proposal_id, moderator_id, comment_id = proposal.id, cast.moderator.id, comment.id
        flag_id = flag.id
    client = login(moderator_id)
    html = review_page(client, proposal_id)
    assert f"about comment #{comment_id}" in html
    assert "Hakaret var." in html
    response = client.post(
        f"/moderation/flags/{flag_id}/resolve",
        data={"resolution": "hidden", "note": "Hakaret içeriyor."},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/moderation/proposals/{proposal_id}#flags")
    html = review_page(client, proposal_id)
    assert "Decision: hidden — Hakaret içeriyor." in html


# --- query count -----------------------------------------------------------------------------------------


def grow(proposal_id: int, moderator_id: int, how_many: int, start: int) -> None:
    from katilim.auth.models import User

    proposal = db.session.get(Proposal, proposal_id)
    moderator = db.session.get(User, moderator_id)
    for i in range(start, start + how_many):
        commenter = make_user(f"Yorumcu {i}")
        comment = make_comment(proposal, commenter)
        reports.report_content(commenter, reason=FlagReason.SPAM, comment=comment)
        services.answer(moderator, proposal, f"Ara cevap {i}.")
    db.session.commit()


def test_review_page_runs_the_same_number_of_queries_for_3_and_30_items(app, login, count_queries):
    with app.app_context():
        cast = make_cast()
        proposal_id = proposal_in(cast).id
        moderator_id = cast.moderator.id
        db.session.add(AnswerTemplate(body_id=cast.body.id, title="T", text="Metin"))
        grow(proposal_id, moderator_id, 3, 0)
    client = login(moderator_id)

    def measure() -> int:
        review_page(client, proposal_id)
        with count_queries() as counter:
            review_page(client, proposal_id)
        return counter.count

    small = measure()
    with app.app_context():
        grow(proposal_id, moderator_id, 27, 3)
    large = measure()
    print(f"\nGET /moderation/proposals/<id>: {small} statements with 3 items, {large} with 30")
    assert small == large


# --- two moderators on the same page -----------------------------------------------------------------------


def test_a_step_chosen_on_a_stale_page_is_refused_and_the_text_kept(app, login):
    """Both moderators loaded the page while it was new; the second one's reject must not
    land on top of the first one's accept (reject is also allowed from accepted)."""
    with app.app_context():
        cast = make_cast()
        second = make_user("İkinci Moderatör", moderates=cast.body)
        proposal_id = proposal_in(cast).id
        first_id, second_id = cast.moderator.id, second.id
    first, late = login(first_id), login(second_id)
    for client in (first, late):
        html = review_page(client, proposal_id)
        assert re.search(r'<input[^>]*name="seen"[^>]*value="new"', html)

    first.post(
        f"/moderation/proposals/{proposal_id}/status",
        data={"action": "accept", "text": "Kabul.", "seen": "new"},
    )
    response = late.post(
        f"/moderation/proposals/{proposal_id}/status",
        data={"action": "reject", "text": "Bütçe yok, reddediyoruz.", "seen": "new"},
    )

    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone changed this proposal meanwhile." in field_error(html, "action")
    action = f"/moderation/proposals/{proposal_id}/status"
    assert textarea(html, "text", action).strip() == "Bütçe yok, reddediyoruz."
    assert re.search(r'<input[^>]*name="seen"[^>]*value="accepted"', html)  # may now decide
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        decisions = [e.to_value for e in proposal.events if e.kind.value == "status_changed"]
        assert (proposal.status, decisions) == (S.ACCEPTED, ["accepted"])

    # Having seen the new status, the moderator may still reject the accepted proposal.
    response = late.post(
        action, data={"action": "reject", "text": "Bütçe yok.", "seen": "accepted"}
    )
    assert response.status_code == 302


def test_public_page_shows_the_reason_of_routing_from_the_general_queue(app, login, client):
    with app.app_context():
        cast = make_cast()
        proposal_id = general_proposal(cast.author).id
        admin_id, slug = cast.admin.id, cast.body.slug
        db.session.commit()
    response = login(admin_id).post(
        f"/moderation/proposals/{proposal_id}/reroute",
        data={"body": slug, "reason": "Ulaşım konusu olduğu için bu gruba gönderdik."},
    )
    assert response.status_code == 302
    html = client.get(f"/proposals/{proposal_id}").get_data(as_text=True)
    assert "Ulaşım konusu olduğu için bu gruba gönderdik." in html
