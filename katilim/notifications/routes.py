"""Follow buttons, the notifications page, and the unsubscribe link from e-mails."""

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from katilim.auth.forms import EmptyForm
from katilim.core.pagecache import hole_value
from katilim.core.params import page_arg
from katilim.extensions import db, limiter
from katilim.notifications import emails, permissions, services
from katilim.notifications.models import Notification
from katilim.notifications.tokens import user_from_unsubscribe_token
from katilim.organization.queries import get_body_or_404
from katilim.organization.services import current_council
from katilim.proposals.queries import get_visible_proposal_or_404

bp = Blueprint("notifications", __name__)


@bp.record_once
def _template_helpers(state) -> None:
    # Registered with the blueprint, so that the shared templating module needs no change.
    state.app.jinja_env.globals.update(
        is_following=services.is_following, can_follow=permissions.can_follow
    )


@bp.app_context_processor
def _header_context():
    return {"unread_notification_count": _unread_notification_count}


def _unread_notification_count() -> Any:
    """For the header link: one COUNT per page, only when a template asks for it."""
    if not current_user.is_authenticated:
        return 0
    if "unread_notification_count" not in g:
        g.unread_notification_count = services.unread_count(current_user)
    # On a page kept as a shell for residents, a hole each reader's own count fills.
    return hole_value("unread", g.unread_notification_count)


def _check_form() -> None:
    if not EmptyForm().validate_on_submit():
        abort(400)


@bp.route("/proposals/<id:proposal_id>/follow", methods=["POST"])
@login_required
@limiter.limit("60 per minute")
def follow_proposal(proposal_id: int):
    """Follow a proposal, or stop following it."""
    proposal = get_visible_proposal_or_404(current_council(), proposal_id, current_user)
    _check_form()
    if not permissions.can_follow(current_user):
        abort(403)
    following = services.toggle_proposal_follow(current_user, proposal)
    db.session.commit()
    flash(
        _("You follow this proposal now. We will tell you what happens to it.")
        if following
        else _("You no longer follow this proposal."),
        "success",
    )
    return redirect(url_for("proposals.detail", proposal_id=proposal.id, _anchor="follow"))


@bp.route("/bodies/<slug:slug>/follow", methods=["POST"])
@login_required
@limiter.limit("60 per minute")
def follow_body(slug: str):
    """Follow an assembly or working group (its new proposals and their news), or stop."""
    body = get_body_or_404(current_council(), slug)
    _check_form()
    if not permissions.can_follow(current_user):
        abort(403)
    following = services.toggle_body_follow(current_user, body)
    db.session.commit()
    flash(
        _("You follow %(body)s now. We will tell you about its proposals.", body=body.name)
        if following
        else _("You no longer follow %(body)s.", body=body.name),
        "success",
    )
    return redirect(url_for("organization.body", slug=body.slug, _anchor="follow"))


@bp.route("/me/notifications")
@login_required
def index():
    """My notifications, newest first. Reading this page marks nothing as read."""
    pagination = services.list_notifications(current_user, page_arg())
    return render_template(
        "notifications/index.html",
        pagination=pagination,
        bodies=emails.bodies_named_in(pagination.items),
        describe=emails.describe,
        public_text=emails.public_text,
    )


@bp.route("/me/notifications/<id:notification_id>")
@login_required
def open_notification(notification_id: int):
    """Mark one notification as read and go to its proposal (or its meeting)."""
    notification = db.get_or_404(Notification, notification_id)
    if notification.user_id != current_user.id:
        abort(404)  # someone else's: not found, as if it did not exist
    services.mark_read(current_user, notification)
    db.session.commit()
    if notification.meeting_id is not None:
        return redirect(url_for("meetings.detail", meeting_id=notification.meeting_id))
    if notification.kind in emails.BODY_KINDS and notification.body is not None:
        # A volunteer's application (to the staff page) or the decision on it (to the
        # applicant's own page).
        if notification.kind in emails.BODY_STAFF_KINDS:
            return redirect(url_for("volunteers.staff", slug=notification.body.slug))
        return redirect(url_for("volunteers.mine"))
    if notification.proposal_id is None:
        return redirect(url_for("notifications.index"))
    if notification.kind in emails.STAFF_KINDS:  # it asks a reviewer to act: go where they act
        return redirect(url_for("moderation.review", proposal_id=notification.proposal_id))
    return redirect(url_for("proposals.detail", proposal_id=notification.proposal_id))


@bp.route("/me/notifications/read", methods=["POST"])
@login_required
def mark_all_read():
    """Mark all my notifications as read."""
    _check_form()
    services.mark_all_read(current_user)
    db.session.commit()
    flash(_("All notifications are marked as read."), "success")
    return redirect(url_for("notifications.index"))


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def unsubscribe(token: str):
    """Stop e-mails from the link in any of them, without signing in.

    The GET only asks: mail scanners open links, and must not unsubscribe anyone.
    """
    user = user_from_unsubscribe_token(token)
    if user is None:
        return render_template("notifications/unsubscribe_failed.html"), 400
    form = EmptyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        services.unsubscribe(user)
        db.session.commit()
        return render_template("notifications/unsubscribe.html", done=True, form=form)
    return render_template(
        "notifications/unsubscribe.html",
        done=False,
        form=form,
        masked_email=_mask(user.email),
    )


def _mask(email: str) -> str:
    """a…@example.org: enough to recognise one's address if the link was forwarded."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}…@{domain}"
