"""Memberships: who moderates what. Adding, changing the role and removing take effect at
once on is_moderator_of, which the moderation queue uses."""

from sqlalchemy import select

from katilim.audit.models import AuditLog
from katilim.auth.models import User
from katilim.extensions import db
from katilim.organization.models import Body, Membership, MembershipRole
from katilim.organization.services import is_moderator_of


def _moderates(app, user_id, body_id) -> bool:
    with app.app_context():
        result = is_moderator_of(db.session.get(User, user_id), db.session.get(Body, body_id))
        db.session.remove()
        return result


def _entries(app, action):
    with app.app_context():
        entries = list(db.session.scalars(select(AuditLog).where(AuditLog.action == action)))
        db.session.expunge_all()
        return entries


def test_the_page_lists_members_with_their_roles(world, login):
    page = login(world.admin_id).get("/admin/bodies/test-group/members").get_data(as_text=True)
    assert "Moderator Murat" in page and "member@<wbr>example.org" in page
    assert f'<label for="role-{world.membership_id}" class="visually-hidden">' in page
    assert '<option value="moderator" selected>' in page


def test_an_admin_adds_a_member_by_email(app, world, login):
    assert not _moderates(app, world.candidate_id, world.body_id)
    response = login(world.admin_id).post(
        "/admin/bodies/test-group/members",
        data={"email": "  Candidate@Example.org ", "role": "chair"},
        follow_redirects=True,
    )
    assert "Candidate Can is now a chair of" in response.get_data(as_text=True)
    assert _moderates(app, world.candidate_id, world.body_id)
    assert not _moderates(app, world.candidate_id, world.other_body_id)
    [entry] = _entries(app, "membership.add")
    assert entry.actor_id == world.admin_id and entry.target_type == "membership"
    assert entry.details == {
        "user": "candidate@example.org",
        "user_id": world.candidate_id,
        "body": "test-group",
        "role": "chair",
    }


def test_adding_refuses_unknown_unconfirmed_and_existing_members(app, world, login):
    client = login(world.admin_id)
    cases = {
        "nobody@example.org": "No account uses this address",
        "unverified@example.org": "has not confirmed the e-mail address yet",
        "member@example.org": "is already a member of this group",
        "not-an-address": "Enter a valid e-mail address",
    }
    for email, message in cases.items():
        response = client.post(
            "/admin/bodies/test-group/members", data={"email": email, "role": "moderator"}
        )
        page = response.get_data(as_text=True)
        assert response.status_code == 200, email
        assert 'id="email-error"' in page and message in page, email
        assert f'value="{email}"' in page, email
    assert not _moderates(app, world.unverified_id, world.body_id)
    assert _entries(app, "membership.add") == []


def test_an_admin_changes_a_role(app, world, login):
    url = f"/admin/bodies/test-group/members/{world.membership_id}/role"
    client = login(world.admin_id)
    response = client.post(url, data={"role": "chair"}, follow_redirects=True)
    assert "is now a chair" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Membership, world.membership_id).role == MembershipRole.CHAIR
    [entry] = _entries(app, "membership.update")
    assert entry.details["changes"] == {"role": ["moderator", "chair"]}
    # The same role again is not a change, and an unknown role is refused.
    assert "Nothing was changed." in client.post(
        url, data={"role": "chair"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Please choose one of the roles." in client.post(
        url, data={"role": "king"}, follow_redirects=True
    ).get_data(as_text=True)
    assert len(_entries(app, "membership.update")) == 1


def test_an_admin_removes_a_member(app, world, login):
    assert _moderates(app, world.member_id, world.body_id)
    response = login(world.admin_id).post(
        f"/admin/bodies/test-group/members/{world.membership_id}/remove", follow_redirects=True
    )
    assert "Member Melek is no longer a member" in response.get_data(as_text=True)
    assert not _moderates(app, world.member_id, world.body_id)
    [entry] = _entries(app, "membership.remove")
    assert entry.target_id == world.membership_id
    assert entry.details["user"] == "member@example.org" and entry.details["role"] == "moderator"


def test_a_membership_is_reached_only_through_its_own_body(world, login):
    client = login(world.admin_id)
    url = f"/admin/bodies/other-group/members/{world.membership_id}"
    assert client.post(url + "/remove").status_code == 404
    assert client.post(url + "/role", data={"role": "chair"}).status_code == 404
    assert client.post("/admin/bodies/test-group/members/99999/remove").status_code == 404
