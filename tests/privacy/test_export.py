"""/me/data: everything about the person, as a JSON download, and nobody else's data."""

import json

from katilim.audit.services import record
from katilim.extensions import db
from katilim.mail.models import OutboxMessage
from katilim.moderation.models import Flag, FlagReason
from katilim.notifications.services import follow_body, notify_users, set_email_frequency
from katilim.privacy.models import TrafficRecord
from katilim.proposals.models import ProposalStatus
from katilim.voting.services import cast_vote
from tests.factories import make_body, make_comment, make_proposal, make_user


def test_export_holds_everything_about_the_person(login, app):
    with app.app_context():
        body = make_body("ulasim")
        me = make_user("Deniz Veri", email="deniz@example.org", moderates=body)
        other = make_user("Başka Biri", email="baska@example.org")
        mine = make_proposal(me, body=body, title="Benim önerim", tags=("rampa",))
        make_proposal(me, body=body, title="Taslağım", status=ProposalStatus.DRAFT)
        theirs = make_proposal(other, body=body, title="Onun önerisi")
        cast_vote(me, theirs, -1)
        cast_vote(other, mine, 1)
        make_comment(theirs, me, text="Benim yorumum")
        make_comment(mine, other, text="Onun yorumu")
        follow_body(me, body)
        notify_users([me.id], theirs, "answered")
        set_email_frequency(me, "daily")
        set_email_frequency(me, "never")
        db.session.add(OutboxMessage(recipient=me.email, subject="Doğrulama", body_text="token"))
        db.session.add(Flag(proposal_id=theirs.id, reporter_id=me.id, reason=FlagReason.SPAM))
        record(me, "proposal.answer", theirs)
        record(other, "user.role", me, role="admin")
        db.session.add(
            TrafficRecord(
                address="192.0.2.7", method="POST", path="/x", status_code=302, user_id=me.id
            )
        )
        db.session.commit()
        me_id, theirs_id, mine_id = me.id, theirs.id, mine.id

    response = login(me_id).get("/me/data")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    text = response.get_data(as_text=True)

    assert data["account"]["email"] == "deniz@example.org"
    assert data["account"]["display_name"] == "Deniz Veri"
    assert "password" not in text and "pbkdf2" not in text and "scrypt" not in text
    assert [m["body"] for m in data["memberships"]] == ["ulasim"]
    assert [(c["purpose"], c["withdrawn_at"] is not None) for c in data["consents"]] == [
        ("email_updates", True)
    ]
    titles = sorted(p["title"] for p in data["proposals"])
    assert titles == ["Benim önerim", "Taslağım"]
    assert next(p for p in data["proposals"] if p["id"] == mine_id)["tags"] == ["rampa"]
    assert [c["text"] for c in data["comments"]] == ["Benim yorumum"]
    assert [(v["proposal_id"], v["value"]) for v in data["votes"]] == [(theirs_id, "against")]
    assert any(f["body"] == "ulasim" for f in data["follows"])
    assert [n["kind"] for n in data["notifications"]] == [
        "for_review",
        "answered",
    ]  # told of the proposal in their body, then the news
    assert [e["subject"] for e in data["emails"]] == ["Doğrulama"]
    assert "token" not in json.dumps(data["emails"])  # no e-mail bodies
    assert [r["reason"] for r in data["reports"]] == ["spam"]
    audit = {(e["action"], e["by_me"]) for e in data["audit_entries"]}
    assert audit == {("proposal.answer", True), ("user.role", False)}
    assert [t["address"] for t in data["traffic_records"]] == ["192.0.2.7"]
    # nothing of the other person
    assert "Onun yorumu" not in text and "baska@example.org" not in text
    assert "Başka Biri" not in text


def test_export_needs_signing_in(client):
    assert client.get("/me/data").status_code == 302


def test_rows_of_tables_owned_through_a_cascading_key_are_exported(ctx, monkeypatch):
    """A later feature's table that cascades from users is exported without a line of code."""
    from katilim.privacy import export

    me = make_user()
    follow_body(me, make_body("cevre"))
    monkeypatch.setattr(export, "EXPORTED_TABLES", export.EXPORTED_TABLES - {"follows"})
    (row,) = export.personal_data(me)["other_records"]["follows"]
    assert row["user_id"] == me.id and row["created_at"].startswith("20")
