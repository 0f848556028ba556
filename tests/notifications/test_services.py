"""Follows, who is told about an event, immediate e-mails, digests and the e-mail consent."""

from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from katilim.core.models import utcnow
from katilim.extensions import db
from katilim.mail.models import OutboxMessage
from katilim.notifications import emails, services
from katilim.notifications.models import Follow, Notification
from katilim.privacy.models import Consent, ConsentPurpose
from katilim.proposals.models import EventKind
from tests.factories import get_council, make_body, make_proposal, make_user
from tests.notifications.helpers import add_event, make_reader, notifications_of, queued

pytestmark = pytest.mark.usefixtures("ctx")


def follow_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Follow))


# --- following ------------------------------------------------------------------------------


def test_following_twice_keeps_one_follow_and_unfollowing_twice_is_harmless():
    proposal = make_proposal()
    reader = make_reader()
    services.follow_proposal(reader, proposal)
    services.follow_proposal(reader, proposal)
    services.follow_body(reader, proposal.body)
    services.follow_body(reader, proposal.body)
    assert follow_count() == 3  # the author's own follow, and the reader's two
    assert services.is_following(reader, proposal=proposal)
    assert services.is_following(reader, body=proposal.body)
    services.unfollow_proposal(reader, proposal)
    services.unfollow_proposal(reader, proposal)
    assert not services.is_following(reader, proposal=proposal)
    assert services.toggle_body_follow(reader, proposal.body) is False
    assert services.toggle_body_follow(reader, proposal.body) is True


def test_author_follows_their_proposal_when_it_is_published():
    author = make_user()
    draft = make_proposal(author, publish=False)
    assert not services.is_following(author, proposal=draft)
    published = make_proposal(author)
    assert services.is_following(author, proposal=published)


# --- who is told ----------------------------------------------------------------------------


def test_event_reaches_author_and_followers_of_proposal_and_body_but_not_the_actor():
    body = make_body()
    author = make_user("Yazar")
    proposal = make_proposal(author, body=body)
    proposal_follower, body_follower, moderator, stranger = (
        make_reader(n) for n in ("Takipçi", "Grup takipçisi", "Moderatör", "Yabancı")
    )
    services.follow_proposal(proposal_follower, proposal)
    services.follow_body(body_follower, body)
    services.follow_proposal(moderator, proposal)  # the actor, following too
    other = make_proposal(body=make_body())
    services.follow_proposal(stranger, other)

    add_event(proposal, EventKind.ANSWERED, actor=moderator, text="Teşekkürler.")

    told = {n.user_id for n in db.session.scalars(select(Notification))}
    assert told == {author.id, proposal_follower.id, body_follower.id}


def test_a_new_proposal_is_told_to_the_followers_of_its_body_only():
    body = make_body()
    body_follower = make_reader("Grup takipçisi")
    services.follow_body(body_follower, body)
    author = make_user("Yazar")
    proposal = make_proposal(author, body=body)
    (notification,) = db.session.scalars(select(Notification)).all()
    assert (notification.user_id, notification.kind) == (body_follower.id, "published")
    assert notification.proposal_id == proposal.id


# --- immediate e-mails ----------------------------------------------------------------------


def test_immediate_email_is_queued_in_the_same_transaction_and_rolled_back_with_it(app):
    proposal = make_proposal()
    reader = make_reader("Hemen", frequency="immediate", locale="en")
    services.follow_proposal(reader, proposal)
    db.session.commit()

    add_event(
        proposal, EventKind.STATUS_CHANGED, from_value="new", to_value="accepted", text="Kabul."
    )
    (notification,) = notifications_of(reader)
    assert notification.emailed_at is not None
    (message,) = queued(reader.email)
    assert message.sent_at is None and message.attempts == 0
    assert "Status changed to: Accepted." in message.body_text
    assert "Kabul." in message.body_text
    assert f"http://localhost/proposals/{proposal.id}" in message.body_text
    assert "List-Unsubscribe: <http://localhost/unsubscribe/" in message.headers

    db.session.rollback()
    assert notifications_of(reader) == [] and queued() == []


def test_immediate_email_is_written_in_the_recipients_language():
    proposal = make_proposal()
    turkish = make_reader("Ayşe", frequency="immediate", locale="tr")
    services.follow_proposal(turkish, proposal)
    add_event(
        proposal, EventKind.STATUS_CHANGED, from_value="new", to_value="rejected", text="Yok."
    )
    (message,) = queued(turkish.email)
    assert "Merhaba Ayşe" in message.body_text


@pytest.mark.parametrize(
    "frequency, verified", [("daily", True), ("never", True), ("immediate", False)]
)
def test_no_immediate_email_for_digest_readers_nor_unconfirmed_addresses(frequency, verified):
    proposal = make_proposal()
    reader = make_reader(frequency=frequency, verified=verified)
    services.follow_proposal(reader, proposal)
    add_event(proposal, EventKind.ANSWERED, text="Yanıt")
    (notification,) = notifications_of(reader)
    assert notification.emailed_at is None
    assert queued(reader.email) == []


# --- digests --------------------------------------------------------------------------------


def test_digest_lists_two_notifications_in_one_email_and_a_second_run_sends_nothing():
    proposal = make_proposal(title="Sahil yoluna bisiklet yolu")
    reader = make_reader("Günlük", frequency="daily", locale="en")
    services.follow_proposal(reader, proposal)
    add_event(proposal, EventKind.STATUS_CHANGED, from_value="new", to_value="under_review")
    add_event(proposal, EventKind.ANSWERED, text="Belediyeye ilettik.")
    assert queued(reader.email) == []  # nothing at once for a digest reader

    now = utcnow()
    assert services.send_digests(get_council(), now=now) == 1
    (message,) = queued(reader.email)
    assert message.subject == "Your daily summary from Katılım"
    assert message.body_text.count("Sahil yoluna bisiklet yolu") == 2
    assert "Status changed to: Under review." in message.body_text
    assert "The group answered." in message.body_text
    assert "Belediyeye ilettik." in message.body_text
    assert "List-Unsubscribe:" in message.headers
    assert all(n.emailed_at == now for n in notifications_of(reader))
    assert reader.last_digest_at == now

    assert services.send_digests(get_council(), now=now + timedelta(days=1)) == 0
    assert len(queued(reader.email)) == 1


def test_digest_goes_out_at_most_once_a_day_per_person():
    proposal = make_proposal()
    reader = make_reader(frequency="daily")
    services.follow_proposal(reader, proposal)
    add_event(proposal, EventKind.ANSWERED, text="Bir")
    now = utcnow()
    assert services.send_digests(get_council(), now=now) == 1
    add_event(proposal, EventKind.ANSWERED, text="İki")
    assert services.send_digests(get_council(), now=now + timedelta(hours=2)) == 0
    assert services.send_digests(get_council(), now=now + timedelta(hours=23)) == 1
    assert len(queued(reader.email)) == 2


def test_digest_is_per_person_and_skips_other_choices():
    proposal = make_proposal()
    daily_a, daily_b = make_reader("A", frequency="daily"), make_reader("B", frequency="daily")
    never = make_reader("C", frequency="never")
    for reader in (daily_a, daily_b, never):
        services.follow_proposal(reader, proposal)
    add_event(proposal, EventKind.ANSWERED, text="Yanıt")
    assert services.send_digests(get_council()) == 2
    assert sorted(m.recipient for m in queued()) == sorted([daily_a.email, daily_b.email])
    assert notifications_of(never)[0].emailed_at is None


# --- what a notification says ----------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, values, expected",
    [
        (EventKind.STATUS_CHANGED, {"to_value": "implemented"}, "Status changed to: Implemented."),
        (EventKind.ANSWERED, {"text": "x"}, "The group answered."),
        (
            EventKind.REROUTED,
            {"from_value": "old-group", "to_value": "new-group"},
            "Moved from Eski to Yeni.",
        ),
        (EventKind.MERGED, {"to_value": "1"}, "Merged into another proposal."),
        (EventKind.HIDDEN, {"text": "Hakaret"}, "Hidden by the moderators."),
        (
            EventKind.THRESHOLD_REACHED,
            {"to_value": "50"},
            "It has the support needed to go on the agenda of Ulaşım.",
        ),
    ],
)
def test_each_event_reads_as_one_line_in_the_readers_language(kind, values, expected):
    for slug, name in (("old-group", "Eski"), ("new-group", "Yeni"), ("ulasim-x", "Ulaşım")):
        make_body(slug).names = {"tr": name, "en": name}
    body = make_body("ulasim-x")
    proposal = make_proposal(body=body)
    reader = make_reader()
    services.follow_proposal(reader, proposal)
    add_event(proposal, kind, **values)
    (notification,) = notifications_of(reader)
    with force_locale("en"):
        assert emails.describe(notification, emails.bodies_named_in([notification])) == expected


# --- the e-mail choice and its consent ---------------------------------------------------------


def email_consent(user) -> Consent | None:
    return db.session.scalar(
        select(Consent)
        .where(Consent.user_id == user.id, Consent.purpose == ConsentPurpose.EMAIL_UPDATES)
        .order_by(Consent.id.desc())
        .limit(1)
    )


def test_choosing_emails_records_consent_and_never_withdraws_it(app):
    user = make_reader()
    services.set_email_frequency(user, "daily")
    consent = email_consent(user)
    assert user.email_frequency == "daily"
    assert consent.withdrawn_at is None
    assert consent.text_version == app.config["PRIVACY_NOTICE_VERSION"]

    services.set_email_frequency(user, "never")
    assert user.email_frequency == "never"
    assert email_consent(user).withdrawn_at is not None

    services.set_email_frequency(user, "immediate")
    # Given again: a new record; the withdrawn one stays as proof of the history.
    records = db.session.scalars(select(Consent).order_by(Consent.id)).all()
    assert [r.withdrawn_at is None for r in records] == [False, True]


def test_unsubscribe_withdraws_consent_and_stops_emails():
    user = make_reader()
    services.set_email_frequency(user, "immediate")
    services.unsubscribe(user)
    assert user.email_frequency == "never"
    assert email_consent(user).withdrawn_at is not None
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


@pytest.mark.parametrize(
    "locale, body_name",
    [("ar", "فريق عمل البيئة"), ("ku", "Koma Xebatê ya Jîngehê"), ("tr", "Çevre Grubu")],
)
def test_an_email_names_the_body_in_the_recipients_language_and_says_which(locale, body_name):
    body = make_body("cevre-test")
    body.names = {"tr": "Çevre Grubu", "en": "Environment Group", "ar": "فريق عمل البيئة"}
    body.names = {**body.names, "ku": "Koma Xebatê ya Jîngehê"}
    proposal = make_proposal()
    reader = make_reader("Leyla", frequency="immediate", locale=locale)
    services.follow_proposal(reader, proposal)
    add_event(proposal, EventKind.ROUTED, to_value="cevre-test")
    (message,) = queued(reader.email)
    assert body_name in message.body_text
    assert f"Content-Language: {locale}" in message.headers.splitlines()


def test_a_notification_line_names_the_body_in_kurmanji():
    body = make_body("kurmanci-test")
    body.names = {"tr": "Türkçe Ad", "ku": "Navê Kurmancî"}
    proposal = make_proposal()
    reader = make_reader("Rojda", frequency="daily", locale="ku")
    services.follow_proposal(reader, proposal)
    add_event(proposal, EventKind.ROUTED, to_value="kurmanci-test")
    with force_locale("ku"):
        line = emails.describe(notifications_of(reader)[-1], {"kurmanci-test": body})
    assert "Navê Kurmancî" in line and "Türkçe Ad" not in line
