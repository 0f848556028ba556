"""What a notification says, on the page and in e-mails, in the reader's language.

``describe`` is called while the reader's locale is active: the page's for
/me/notifications, the recipient's (force_locale in send_email) for e-mails, so the same
notification reads in Turkish for one person and in English for another.
"""

from collections.abc import Iterable, Mapping

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from katilim.core.params import parse_id
from katilim.core.urls import absolute_url
from katilim.extensions import db
from katilim.i18n import format_datetime
from katilim.mail import send_email
from katilim.mail.unsubscribe import unsubscribe_url
from katilim.notifications.models import Notification
from katilim.organization.models import Body
from katilim.organization.services import council_named
from katilim.proposals.models import STATUS_LABELS, ProposalStatus

# What the people who review proposals are told (katilim/notifications/services.py
# notify_reviewers, and handing a proposal over): the e-mail says why they get it.
STAFF_KINDS = frozenset({"for_review", "reported", "deadline_near", "assigned", "merged_in"})
# What a meeting's registered people, and its body's followers and volunteers, are told
# (katilim/meetings/services.py).
MEETING_KINDS = frozenset(
    {"meeting_scheduled", "meeting_moved", "meeting_cancelled", "meeting_reminder"}
)
# News about a body rather than one proposal (Notification.body_id): a volunteer's
# application goes to the body's chairs and moderators, the decision to the applicant.
BODY_STAFF_KINDS = frozenset({"volunteer_applied"})
BODY_KINDS = BODY_STAFF_KINDS | {"volunteer_accepted", "volunteer_declined"}
DIGEST_MAX_ITEMS = 50  # a longer list helps nobody; the rest is on /me/notifications


def bodies_named_in(notifications: Iterable[Notification]) -> dict[str, Body]:
    """The bodies that events name by slug (routing, re-routing), in one query."""
    slugs: set[str] = set()
    for notification in notifications:
        if notification.event is not None:
            slugs.update(
                v for v in (notification.event.from_value, notification.event.to_value) if v
            )
    if not slugs:
        return {}
    return {b.slug: b for b in db.session.scalars(select(Body).where(Body.slug.in_(slugs)))}


def describe_meeting(notification: Notification) -> str:
    """One line about a meeting's news, in the current language."""
    meeting = notification.meeting
    if meeting is None:
        return _("There is news about a meeting.")
    body = meeting.body.name
    when = format_datetime(meeting.starts_at)
    match notification.kind:
        case "meeting_scheduled":
            return _("%(body)s will meet on %(date)s.", body=body, date=when)
        case "meeting_moved":
            return _("The meeting of %(body)s is moved to %(date)s.", body=body, date=when)
        case "meeting_cancelled":
            return _("The meeting of %(body)s on %(date)s is cancelled.", body=body, date=when)
        case "meeting_reminder":
            return _(
                "Reminder: you registered for the meeting of %(body)s on %(date)s.",
                body=body,
                date=when,
            )
    return _("There is news about a meeting.")


def describe(notification: Notification, bodies: Mapping[str, Body]) -> str:
    """One line about what happened, in the current language."""
    if notification.kind in MEETING_KINDS:
        return describe_meeting(notification)
    event = notification.event
    proposal = notification.proposal
    own_body = proposal.body.name if proposal is not None and proposal.body is not None else ""

    def body_name(slug: str | None) -> str:
        body = bodies.get(slug or "")
        return body.name if body is not None else (slug or own_body)

    to_value = event.to_value if event is not None else None
    from_value = event.from_value if event is not None else None
    group = notification.body.name if notification.body is not None else ""
    match notification.kind:
        case "volunteer_applied":
            return _("Someone applied to join %(body)s as a volunteer.", body=group)
        case "volunteer_accepted":
            return _("Your application was accepted: you are a member of %(body)s.", body=group)
        case "volunteer_declined":
            return _(
                "Your application to %(body)s was declined; the reason is on your "
                "volunteering page.",
                body=group,
            )
        case "published":
            return _("New proposal in %(body)s.", body=own_body) if own_body else _("Published.")
        case "routed":
            return _("Sent to %(body)s.", body=body_name(to_value))
        case "referred":
            return _(
                "Referred by %(old)s to %(new)s.",
                old=council_named(from_value),
                new=council_named(to_value),
            )
        case "rerouted":
            return _(
                "Moved from %(old)s to %(new)s.", old=body_name(from_value), new=body_name(to_value)
            )
        case "routing_confirmed":
            return _("A moderator confirmed that it goes to %(body)s.", body=body_name(to_value))
        case "edited":
            return _("The author edited the proposal.")
        case "withdrawn":
            return _("The author withdrew the proposal.")
        case "status_changed":
            try:
                status = str(STATUS_LABELS[ProposalStatus(to_value or "")])
            except ValueError:
                status = to_value or ""
            return _("Status changed to: %(status)s.", status=status)
        case "answered":
            return _("The group answered.")
        case "on_agenda":
            return _("It is on the agenda of the municipal council.")
        case "merged":
            return _("Merged into another proposal.")
        case "discussed":
            return _(
                "%(body)s discussed it at a meeting and decided; the decision is below.",
                body=body_name(to_value),
            )
        case "unmerged":
            return _("The merge was undone: it is open again and its votes came back.")
        case "merged_vote":
            return _("A proposal you supported was merged into another one; your vote moved there.")
        case "hidden":
            return _("Hidden by the moderators.")
        case "threshold" | "threshold_reached":
            return _("It has the support needed to go on the agenda of %(body)s.", body=own_body)
        case "for_review":
            return _("It waits for review in %(body)s.", body=own_body or _("the general queue"))
        case "reported":
            return _("Someone reported it or one of its comments to the moderators.")
        case "deadline_near":
            return _("Its answer is due soon: %(body)s has not answered it yet.", body=own_body)
        case "assigned":
            return _("A moderator handed it to you.")
        case "merged_in":
            return _("Another proposal was merged into this one; its supporters' votes moved here.")
    return _("There is news about this proposal.")


def public_text(notification: Notification) -> str | None:
    """The public text that came with the event (an answer, a reason), if it has one."""
    if notification.kind == "meeting_cancelled" and notification.meeting is not None:
        return notification.meeting.cancel_reason
    event = notification.event
    # A routing event's text is how the body was chosen, not words for people.
    if event is None or not event.text or notification.kind in ("routed", "routing_confirmed"):
        return None
    return event.text


def merged_into_url(notification: Notification) -> str | None:
    """Where a merged proposal goes on (the merge event names the target's id)."""
    event = notification.event
    target_id = parse_id(event.to_value) if event else None
    if notification.kind in ("merged", "merged_vote") and target_id is not None:
        return absolute_url("proposals.detail", proposal_id=target_id)
    return None


def _unsubscribe_headers(user) -> dict[str, str]:
    # Mail programs show their own "unsubscribe" button for this header (RFC 2369).
    return {"List-Unsubscribe": f"<{unsubscribe_url(user)}>"}


def body_notification_url(notification: Notification) -> str | None:
    """Where news about a body leads: the staff to the applications, the applicant to their
    own volunteering page."""
    if notification.kind not in BODY_KINDS or notification.body is None:
        return None
    if notification.kind in BODY_STAFF_KINDS:
        return absolute_url("volunteers.staff", slug=notification.body.slug)
    return absolute_url("volunteers.mine")


def _item(notification: Notification) -> dict:
    meeting = notification.meeting if notification.meeting_id else None
    if meeting is not None:
        return {
            "notification": notification,
            "title": meeting.title,
            "text": public_text(notification),
            "url": absolute_url("meetings.detail", meeting_id=meeting.id),
            "merged_into_url": None,
            "for_staff": False,
            "review_url": None,
            "is_meeting": True,
        }
    body_url = body_notification_url(notification)
    if body_url is not None:
        return {
            "notification": notification,
            "title": notification.body.name if notification.body else "",
            "about_body": True,
            "text": None,
            "url": body_url,
            "merged_into_url": None,
            "for_staff": notification.kind in BODY_STAFF_KINDS,
            "review_url": body_url,
        }
    return {
        "notification": notification,
        "title": notification.proposal.title if notification.proposal else "",
        "text": public_text(notification),
        "url": absolute_url("proposals.detail", proposal_id=notification.proposal_id)
        if notification.proposal_id
        else absolute_url("notifications.index"),
        "merged_into_url": merged_into_url(notification),
        "for_staff": notification.kind in STAFF_KINDS and notification.proposal_id is not None,
        "review_url": absolute_url("moderation.review", proposal_id=notification.proposal_id)
        if notification.proposal_id
        else None,
    }


def queue_notification_email(user, notification: Notification, bodies: Mapping[str, Body]):
    """One e-mail about one notification, in the recipient's language (the caller commits)."""
    item = _item(notification)
    subject = (
        _l("News about the meeting “%(title)s”", title=item["title"])
        if item.get("is_meeting")
        else _l("News about the group “%(title)s”", title=item["title"])
        if item.get("about_body")
        else _l("News about the proposal “%(title)s”", title=item["title"])
    )
    return send_email(
        user.email,
        subject,
        "notification",
        locale=user.locale,
        headers=_unsubscribe_headers(user),
        user=user,
        item=item,
        describe=describe,
        bodies=bodies,
        account_url=absolute_url("account.index"),
    )


def queue_digest_email(user, notifications: list[Notification], bodies: Mapping[str, Body]):
    """The daily summary: every notification not e-mailed yet, in one message."""
    shown = notifications[:DIGEST_MAX_ITEMS]
    return send_email(
        user.email,
        _l("Your daily summary from Katılım"),
        "digest",
        locale=user.locale,
        headers=_unsubscribe_headers(user),
        user=user,
        items=[_item(n) for n in shown],
        more=len(notifications) - len(shown),
        describe=describe,
        bodies=bodies,
        notifications_url=absolute_url("notifications.index"),
        account_url=absolute_url("account.index"),
    )
