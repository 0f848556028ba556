"""The meetings pages: every body's meetings, one body's, one meeting; scheduling, changing and
cancelling (the body's chairs and moderators); registering; calendar files."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from katilim.core.limits import rate_limit
from katilim.core.pagecache import shared_with_residents, shared_with_visitors
from katilim.core.params import page_arg, text_arg
from katilim.extensions import db
from katilim.meetings import decisions, permissions, queries, services
from katilim.meetings.calendar import calendar_file
from katilim.meetings.forms import (
    ButtonForm,
    CancelForm,
    MeetingForm,
    RegisterForm,
    minutes_form,
)
from katilim.meetings.services import MeetingRefused
from katilim.organization.queries import get_body, get_body_or_404
from katilim.organization.services import current_council, list_bodies

bp = Blueprint("meetings", __name__)
bp.add_app_template_global(permissions.can_schedule, "can_schedule_meeting")
bp.add_app_template_global(permissions.can_manage, "can_manage_meeting")
bp.add_app_template_global(permissions.can_register, "can_register_meeting")
bp.add_app_template_global(permissions.can_record, "can_record_meeting")

CALENDAR_TYPE = "text/calendar; charset=utf-8"


@bp.route("/meetings")
@shared_with_visitors
@shared_with_residents
def index():
    """Every body's meetings: those to come, soonest first, then the past ones."""
    council = current_council()
    body = get_body(council, text_arg("body", 60)) if text_arg("body", 60) else None
    return render_template(
        "meetings/index.html",
        body=body,
        bodies=list_bodies(council),
        upcoming=queries.upcoming_meetings(council, body),
        past=queries.past_meetings(council, body, page=page_arg()),
    )


@bp.route("/bodies/<slug:slug>/meetings")
@shared_with_visitors
def body_meetings(slug: str):
    """One body's meetings."""
    council = current_council()
    body = get_body_or_404(council, slug)
    return render_template(
        "meetings/body.html",
        body=body,
        upcoming=queries.upcoming_meetings(council, body),
        past=queries.past_meetings(council, body, page=page_arg()),
    )


@bp.route("/meetings/<id:meeting_id>")
@shared_with_visitors
def detail(meeting_id: int):
    """One meeting: when, where, how to reach it, the agenda, and afterwards the minutes."""
    meeting = queries.get_meeting_or_404(current_council(), meeting_id)
    staff = permissions.can_schedule(current_user, meeting.body)
    return render_template(
        "meetings/detail.html",
        meeting=meeting,
        registration=queries.registration_of(current_user, meeting),
        sign_language_requests=queries.sign_language_requests(meeting) if staff else None,
        is_staff=staff,
        register_form=RegisterForm(formdata=None),
        cancel_form=CancelForm(formdata=None),
        unregister_form=ButtonForm(formdata=None),
    )


def _agenda_choices(form: MeetingForm, body, meeting=None) -> None:
    keep = [i.proposal_id for i in meeting.agenda_items if i.proposal_id] if meeting else []
    form.set_candidates(queries.agenda_candidates(body, keep=keep))


@bp.route("/bodies/<slug:slug>/meetings/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    """Schedule a meeting of the body."""
    body = get_body_or_404(current_council(), slug)
    if not permissions.can_schedule(current_user, body):
        abort(403)
    form = MeetingForm()
    _agenda_choices(form, body)
    if form.validate_on_submit():
        try:
            meeting = services.schedule_meeting(current_user, body, form.to_data())
        except MeetingRefused as refused:
            db.session.rollback()
            form.form_errors.append(refused.message)
        else:
            db.session.commit()
            flash(_("The meeting is scheduled."), "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return render_template("meetings/form.html", form=form, body=body, meeting=None)


@bp.route("/meetings/<id:meeting_id>/edit", methods=["GET", "POST"])
@login_required
def edit(meeting_id: int):
    """Change a scheduled meeting; a new start tells the registered people."""
    meeting = queries.get_meeting_or_404(current_council(), meeting_id)
    if not permissions.can_schedule(current_user, meeting.body):
        abort(403)
    if not permissions.can_manage(current_user, meeting):
        abort(409)
    form = MeetingForm()
    _agenda_choices(form, meeting.body, meeting)
    if not form.is_submitted():
        form.fill_from(meeting)
    if form.validate_on_submit():
        try:
            moved = services.update_meeting(current_user, meeting, form.to_data())
        except MeetingRefused as refused:
            db.session.rollback()
            form.form_errors.append(refused.message)
        else:
            db.session.commit()
            flash(
                _("The meeting is moved; the registered people are told.")
                if moved
                else _("The meeting is changed."),
                "success",
            )
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return render_template("meetings/form.html", form=form, body=meeting.body, meeting=meeting)


@bp.route("/meetings/<id:meeting_id>/cancel", methods=["POST"])
@login_required
def cancel(meeting_id: int):
    """Cancel a meeting with a public reason (the form is on the meeting's page)."""
    meeting = queries.get_meeting_or_404(current_council(), meeting_id)
    if not permissions.can_schedule(current_user, meeting.body):
        abort(403)
    form = CancelForm()
    if not form.validate_on_submit():
        return render_template("meetings/cancel.html", meeting=meeting, cancel_form=form), 400
    services.cancel_meeting(current_user, meeting, form.reason.data or "")
    db.session.commit()
    flash(_("The meeting is cancelled; the registered people are told."), "success")
    return redirect(url_for("meetings.detail", meeting_id=meeting.id))


@bp.route("/meetings/<id:meeting_id>/register", methods=["POST"])
@login_required
@rate_limit("meeting_registration", by="user")
def register(meeting_id: int):
    """Take a place at the meeting."""
    meeting = queries.get_meeting_or_404(current_council(), meeting_id)
    form = RegisterForm()
    if not form.validate_on_submit():
        abort(400)
    services.register(
        current_user, meeting, needs_sign_language=bool(form.needs_sign_language.data)
    )
    db.session.commit()
    flash(_("You are registered for this meeting."), "success")
    return redirect(url_for("meetings.detail", meeting_id=meeting.id))


@bp.route("/meetings/<id:meeting_id>/unregister", methods=["POST"])
@login_required
@rate_limit("meeting_registration", by="user")
def unregister(meeting_id: int):
    """Give one's place back."""
    meeting = queries.get_meeting_or_404(current_council(), meeting_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    services.unregister(current_user, meeting)
    db.session.commit()
    flash(_("Your place is given back."), "info")
    return redirect(url_for("meetings.detail", meeting_id=meeting.id))


@bp.route("/meetings/<id:meeting_id>/record", methods=["GET", "POST"])
@login_required
def record(meeting_id: int):
    """After the meeting: the minutes, who came, and the decision on each agenda item."""
    meeting = queries.get_meeting_or_404(current_council(), meeting_id)
    if not permissions.can_schedule(current_user, meeting.body):
        abort(403)
    if not permissions.can_record(current_user, meeting):
        abort(409)  # cancelled, or not started yet: the page says so
    form = minutes_form(
        meeting, decisions.applicable_actions, from_request=request.method == "POST"
    )
    if form.validate_on_submit():
        try:
            told = decisions.record_meeting(
                current_user,
                meeting,
                minutes=form.minutes.data or "",
                attendance=form.attendance.data,
                decisions=form.decisions(meeting),
            )
        except decisions.DecisionRefused as refused:
            db.session.rollback()
            meeting = queries.get_meeting_or_404(current_council(), meeting_id)
            target = form._fields.get(f"apply_{refused.item_id}") or form._fields.get(
                f"decision_{refused.item_id}"
            )
            (target.errors if target is not None else form.form_errors).append(refused.message)
        else:
            db.session.commit()
            flash(
                ngettext(
                    "The minutes are saved; %(num)s proposal's people are told of its decision.",
                    "The minutes are saved; %(num)s proposals' people are told of their decisions.",
                    len(told),
                ),
                "success",
            )
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return render_template("meetings/record.html", meeting=meeting, form=form), (
        400 if form.errors else 200
    )


def _calendar(meetings, name: str, filename: str) -> Response:
    response = Response(calendar_file(meetings, name), content_type=CALENDAR_TYPE)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@bp.route("/meetings.ics")
def calendar():
    """Every body's meetings as a calendar to subscribe to."""
    council = current_council()
    return _calendar(queries.feed_meetings(council), council.name, "meetings.ics")


@bp.route("/bodies/<slug:slug>/meetings.ics")
def body_calendar(slug: str):
    council = current_council()
    body = get_body_or_404(council, slug)
    return _calendar(queries.feed_meetings(council, body), body.name, f"{body.slug}.ics")


@bp.route("/meetings/<id:meeting_id>.ics")
def meeting_calendar(meeting_id: int):
    meeting = queries.get_meeting_or_404(current_council(), meeting_id)
    return _calendar([meeting], meeting.title, f"meeting-{meeting.id}.ics")
