"""The moderators' queue and review page, report handling, and residents' reports."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from katilim.auth.forms import EmptyForm
from katilim.auth.roles import can_administer
from katilim.comments.models import Comment
from katilim.core.errors import InvalidTransition
from katilim.core.forms import required_options
from katilim.core.limits import rate_limit
from katilim.core.pagecache import not_kept, shared_with_moderators
from katilim.core.params import id_arg
from katilim.extensions import db
from katilim.moderation import answer_templates, permissions, reports, services
from katilim.moderation.forms import (
    ACTION_LABELS,
    AgendaForm,
    AnswerForm,
    AssignForm,
    HideForm,
    MergeForm,
    ReferForm,
    ReportForm,
    RerouteForm,
    ResolveFlagForm,
    StatusForm,
    TemplateForm,
    UnmergeForm,
)
from katilim.moderation.models import AnswerTemplate, Flag, FlagReason, FlagResolution
from katilim.moderation.queries import (
    QueueFilters,
    count_open_flags,
    counts_per_body,
    merge_target_loads,
    open_flags,
    queue,
    reviewers_for_assignment,
    template_body,
    template_for,
    templates_of_body,
)
from katilim.moderation.review import review_page
from katilim.organization.queries import get_body_or_404
from katilim.organization.services import current_council, list_bodies
from katilim.proposals.models import Proposal
from katilim.proposals.queries import action_loads, get_visible_proposal_or_404, proposal_for_page
from katilim.representation.services import under_heard_districts

bp = Blueprint("moderation", __name__, url_prefix="/moderation")
reports_bp = Blueprint("reports", __name__)


def _require_queue_access() -> None:
    if not permissions.can_use_queue(current_user):
        abort(403)


@bp.route("")
@login_required
@shared_with_moderators
def index():
    """One queue across all of the moderator's bodies."""
    _require_queue_access()
    council = current_council()
    body_ids = permissions.moderated_body_ids(current_user)
    bodies = [
        b for b in list_bodies(council, active_only=False) if body_ids is None or b.id in body_ids
    ]
    filters = QueueFilters.from_args(request.args)
    if filters.assigned == "me":
        not_kept()  # what is "mine" differs from one moderator to the next
    page, items = queue(council, body_ids, bodies, filters, viewer_id=current_user.id)
    return render_template(
        "moderation/index.html",
        filters=filters,
        page=page,
        items=items,
        bodies=bodies,
        counts=counts_per_body(council, body_ids),
        is_admin=current_user.is_admin,
        flag_count=count_open_flags(council, body_ids),
        under_heard=under_heard_districts(council),
    )


def _get_moderated(proposal_id: int) -> Proposal:
    proposal = get_visible_proposal_or_404(current_council(), proposal_id, current_user)
    if not permissions.can_moderate(current_user, proposal):
        abort(403)
    return proposal


def _forms(proposal: Proposal, bodies, **given):
    """Every form of the review page; ``given`` replaces one with its submitted state."""
    status_form = given.get("status_form") or StatusForm(formdata=None, seen=proposal.status.value)
    status_form.action.choices = required_options(
        [(a, ACTION_LABELS[a]) for a in services.allowed_actions(proposal)]
    )
    reroute_form = given.get("reroute_form") or RerouteForm(formdata=None)
    reroute_form.body.choices = required_options(
        [(b.slug, b.name) for b in bodies if b.is_active and b.id != proposal.body_id]
    )
    assign_form = given.get("assign_form") or AssignForm(
        formdata=None, assignee=str(proposal.reviewer_id or current_user.id)
    )
    assign_form.assignee.choices = required_options(
        [(str(u.id), u.display_name) for u in reviewers_for_assignment(proposal)]
    )
    answer_form = given.get("answer_form") or AnswerForm(formdata=None)
    template = None if given.get("answer_form") else template_for(proposal, id_arg("template"))
    if template is not None:
        answer_form.text.data = template.text
    return {
        "status_form": status_form,
        "answer_form": answer_form,
        "agenda_form": given.get("agenda_form") or AgendaForm(formdata=None),
        "reroute_form": reroute_form,
        "merge_form": given.get("merge_form") or MergeForm(formdata=None),
        "hide_form": given.get("hide_form") or HideForm(formdata=None),
        "unmerge_form": given.get("unmerge_form") or UnmergeForm(formdata=None),
        "assign_form": assign_form,
        "refer_form": given.get("refer_form") or ReferForm(formdata=None),
    }


def render_review(proposal: Proposal, status: int = 200, **given):
    council = current_council()
    page = review_page(council, proposal, services.utcnow())
    # A district council's moderators may refer it to their provincial council.
    refer_to = (
        council.parent if permissions.can_refer(current_user, proposal, council.parent_id) else None
    )
    return render_template(
        "moderation/review.html",
        proposal=proposal,
        marks=page.marks,
        flags=page.flags,
        comments=page.comments,
        templates=page.templates,
        event_bodies=page.event_bodies,
        button_form=EmptyForm(formdata=None),
        resolve_form=ResolveFlagForm(formdata=None),
        action_labels=ACTION_LABELS,
        refer_to=refer_to,
        **_forms(proposal, page.bodies, **given),
    ), status


@bp.route("/proposals/<id:proposal_id>")
@login_required
def review(proposal_id: int):
    """Everything a moderator needs to act on one proposal."""
    return render_review(_get_moderated(proposal_id))


def _done(proposal: Proposal, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("moderation.review", proposal_id=proposal.id))


@bp.route("/proposals/<id:proposal_id>/status", methods=["POST"])
@login_required
def change_status(proposal_id: int):
    """Claim, accept, reject, forward, mark implemented or close, with a public text."""
    proposal = _get_moderated(proposal_id)
    form = StatusForm()
    form.action.choices = required_options(
        [(a, ACTION_LABELS[a]) for a in services.allowed_actions(proposal)]
    )
    if form.seen.data and form.seen.data != proposal.status.value:
        # Another moderator changed the status since this page was loaded: keep the text.
        form.action.errors = [_("Someone changed this proposal meanwhile. Please reload the page.")]
        form.seen.data = proposal.status.value
        return render_review(proposal, 409, status_form=form)
    if not form.validate_on_submit():
        return render_review(proposal, 400, status_form=form)
    try:
        services.change_status(
            current_user,
            proposal,
            form.action.data,
            text=form.text.data or "",
            forwarded_on=form.forwarded_on.data,
        )
    except services.ReasonRequired as error:
        db.session.rollback()
        target = (
            form.forwarded_on
            if form.action.data == "forward" and not form.forwarded_on.data
            else form.text
        )
        target.errors = [error.message]
        return render_review(_get_moderated(proposal_id), 400, status_form=form)
    return _done(proposal, _("The status is changed and the followers are told."))


@bp.route("/proposals/<id:proposal_id>/answer", methods=["POST"])
@login_required
def answer(proposal_id: int):
    """Publish the body's answer."""
    proposal = _get_moderated(proposal_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        return render_review(proposal, 400, answer_form=form)
    services.answer(current_user, proposal, form.text.data)
    return _done(proposal, _("Your answer is published."))


@bp.route("/proposals/<id:proposal_id>/agenda", methods=["POST"])
@login_required
def agenda(proposal_id: int):
    """Record that the municipal council had it on its agenda."""
    proposal = _get_moderated(proposal_id)
    form = AgendaForm()
    if not form.validate_on_submit():
        return render_review(proposal, 400, agenda_form=form)
    try:
        services.record_agenda(
            current_user,
            proposal,
            agenda_on=form.agenda_on.data,
            decision_reference=form.decision_reference.data or "",
        )
    except services.ReasonRequired as error:
        db.session.rollback()
        form.agenda_on.errors = [error.message]
        return render_review(_get_moderated(proposal_id), 400, agenda_form=form)
    return _done(proposal, _("The agenda date is recorded."))


@bp.route("/proposals/<id:proposal_id>/confirm-routing", methods=["POST"])
@login_required
def confirm_routing(proposal_id: int):
    """Confirm the group suggested from the text."""
    proposal = _get_moderated(proposal_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.confirm_routing(current_user, proposal)
    return _done(proposal, _("The group is confirmed."))


@bp.route("/proposals/<id:proposal_id>/reroute", methods=["POST"])
@login_required
def reroute(proposal_id: int):
    """Send the proposal to another group, with a public reason."""
    proposal = _get_moderated(proposal_id)
    form = RerouteForm()
    bodies = {b.slug: b for b in list_bodies(current_council()) if b.id != proposal.body_id}
    form.body.choices = required_options([(slug, b.name) for slug, b in bodies.items()])
    if not form.validate_on_submit():
        return render_review(proposal, 400, reroute_form=form)
    services.reroute(current_user, proposal, bodies[form.body.data], form.reason.data)
    db.session.commit()
    flash(_("The proposal is moved to %(body)s.", body=bodies[form.body.data].name), "success")
    if permissions.can_moderate(current_user, proposal):
        return redirect(url_for("moderation.review", proposal_id=proposal.id))
    return redirect(url_for("moderation.index"))


@bp.route("/proposals/<id:proposal_id>/refer", methods=["POST"])
@login_required
def refer(proposal_id: int):
    """Refer the proposal to the provincial council, with a public reason."""
    proposal = _get_moderated(proposal_id)
    council = current_council()
    if not permissions.can_refer(current_user, proposal, council.parent_id):
        abort(403)
    form = ReferForm()
    if not form.validate_on_submit():
        return render_review(proposal, 400, refer_form=form)
    services.refer_to_parent(current_user, proposal, form.reason.data)
    db.session.commit()
    parent_name = council.parent.name if council.parent else ""
    flash(
        _("The proposal is referred to %(council)s; its timeline says why.", council=parent_name),
        "success",
    )
    return redirect(url_for("moderation.index"))


@bp.route("/proposals/<id:proposal_id>/merge", methods=["POST"])
@login_required
def merge(proposal_id: int):
    """Merge a duplicate into another proposal: first a page that shows the target and asks
    for confirmation (a one-digit typo must not merge into the wrong proposal), then the merge."""
    proposal = _get_moderated(proposal_id)
    form = MergeForm()
    if not form.validate_on_submit():
        return render_review(proposal, 400, merge_form=form)
    target = proposal_for_page(current_council(), form.target_id.data, loads=merge_target_loads())
    if target is None:
        form.target_id.errors = [_("There is no proposal with this number.")]
        return render_review(proposal, 400, merge_form=form)
    try:
        services.check_merge(current_user, proposal, target)
    except InvalidTransition as error:
        form.target_id.errors = [error.message]
        return render_review(proposal, 409, merge_form=form)
    if form.confirmed.data != "yes":
        form.confirmed.data = "yes"
        return render_template(
            "moderation/merge_confirm.html", proposal=proposal, target=target, form=form
        )
    services.merge(current_user, proposal, target, form.reason.data)
    return _done(proposal, _("The proposal is merged; its supporters are told."))


@bp.route("/proposals/<id:proposal_id>/unmerge", methods=["POST"])
@login_required
def unmerge(proposal_id: int):
    """Undo a merge (admins): the votes go back exactly where they were."""
    proposal = _get_moderated(proposal_id)
    if not can_administer(current_user):
        abort(403)
    form = UnmergeForm()
    if not form.validate_on_submit():
        return render_review(proposal, 400, unmerge_form=form)
    services.unmerge(current_user, proposal, form.reason.data)
    return _done(proposal, _("The merge is undone; the votes are back."))


@bp.route("/proposals/<id:proposal_id>/assign", methods=["POST"])
@login_required
def assign(proposal_id: int):
    """Take the proposal, or hand it to another reviewer of its body."""
    proposal = _get_moderated(proposal_id)
    form = AssignForm()
    candidates = reviewers_for_assignment(proposal)
    form.assignee.choices = required_options([(str(u.id), u.display_name) for u in candidates])
    if not form.validate_on_submit():
        return render_review(proposal, 400, assign_form=form)
    assignee = next(u for u in candidates if str(u.id) == form.assignee.data)
    services.assign(current_user, proposal, assignee)
    if assignee.id == current_user.id:
        return _done(proposal, _("The proposal is assigned to you."))
    return _done(
        proposal, _("The proposal is handed to %(name)s, who is told.", name=assignee.display_name)
    )


@bp.route("/proposals/<id:proposal_id>/hide", methods=["POST"])
@login_required
def hide(proposal_id: int):
    """Hide a proposal that breaks the rules (never deleted)."""
    proposal = _get_moderated(proposal_id)
    form = HideForm()
    if not form.validate_on_submit():
        return render_review(proposal, 400, hide_form=form)
    services.hide_proposal(current_user, proposal, form.reason.data)
    return _done(proposal, _("The proposal is hidden."))


@bp.route("/comments/<id:comment_id>/hide", methods=["POST"])
@login_required
def hide_comment(comment_id: int):
    """Hide a comment that breaks the rules."""
    comment = db.get_or_404(Comment, comment_id)
    proposal = _get_moderated(comment.proposal_id)
    form = HideForm()
    if not form.validate_on_submit():
        flash(_("Please give the reason; it is shown in public."), "error")
        return redirect(
            url_for("moderation.review", proposal_id=proposal.id, _anchor=f"c{comment.id}")
        )
    services.hide_comment(current_user, comment, form.reason.data)
    return _done(proposal, _("The comment is hidden."))


@bp.route("/flags")
@login_required
def flags():
    """Reports waiting for a decision on the moderator's bodies."""
    _require_queue_access()
    council = current_council()
    return render_template(
        "moderation/flags.html",
        flags=open_flags(council, permissions.moderated_body_ids(current_user)),
        resolve_form=ResolveFlagForm(formdata=None),
    )


@bp.route("/flags/<id:flag_id>/resolve", methods=["POST"])
@login_required
def resolve_flag(flag_id: int):
    """Hide the reported content or dismiss the report, with a note."""
    flag = db.get_or_404(Flag, flag_id)
    proposal = _get_moderated(reports.flag_target_proposal(flag).id)
    form = ResolveFlagForm()
    if not form.validate_on_submit():
        flash(_("Choose a decision and write why."), "error")
        return redirect(request.referrer or url_for("moderation.flags"))
    reports.resolve_flag(current_user, flag, FlagResolution(form.resolution.data), form.note.data)
    db.session.commit()
    flash(_("The report is handled."), "success")
    return redirect(url_for("moderation.review", proposal_id=proposal.id, _anchor="flags"))


@bp.route("/bodies/<slug:slug>/templates", methods=["GET", "POST"])
@login_required
def templates(slug: str):
    """A body's answer templates: list, add."""
    # An inactive body's moderators still keep its templates.
    body = get_body_or_404(current_council(), slug, active_only=False)
    if not (current_user.is_admin or any(m.body_id == body.id for m in current_user.memberships)):
        abort(403)
    form = TemplateForm()
    if form.validate_on_submit():
        answer_templates.add_template(
            current_user, body, title=form.title.data, text=form.text.data
        )
        db.session.commit()
        flash(_("The template is saved."), "success")
        return redirect(url_for("moderation.templates", slug=body.slug))
    items = templates_of_body(body.id)
    return render_template(
        "moderation/templates.html",
        body=body,
        form=form,
        items=items,
        button_form=EmptyForm(formdata=None),
    ), (400 if form.errors else 200)


@bp.route("/templates/<id:template_id>/delete", methods=["POST"])
@login_required
def delete_template(template_id: int):
    """Remove an answer template."""
    template = db.get_or_404(AnswerTemplate, template_id)
    body = template_body(template)  # 404 for another council's template
    if not EmptyForm().validate_on_submit():
        abort(400)
    answer_templates.delete_template(current_user, template)
    db.session.commit()
    flash(_("The template is removed."), "success")
    return redirect(url_for("moderation.templates", slug=body.slug))


def _report(proposal: Proposal, comment: Comment | None):
    form = ReportForm()
    if form.validate_on_submit():
        reports.report_content(
            current_user,
            reason=FlagReason(form.reason.data),
            note=form.note.data or "",
            proposal=None if comment else proposal,
            comment=comment,
        )
        db.session.commit()
        flash(
            _(
                "Thank you. The moderators will look at your report; it was received at the time shown in their queue."
            ),
            "success",
        )
        return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    status = 400 if form.errors else 200
    return render_template(
        "moderation/report.html", form=form, proposal=proposal, comment=comment
    ), status


def _visible_proposal(proposal_id: int) -> Proposal:
    proposal = get_visible_proposal_or_404(
        current_council(), proposal_id, current_user, action_loads()
    )
    if not permissions.can_report(current_user):
        abort(403)
    return proposal


@reports_bp.route("/proposals/<id:proposal_id>/flag", methods=["GET", "POST"])
@login_required
@rate_limit("report", by="user")
def report_proposal(proposal_id: int):
    """Report a proposal to the moderators."""
    return _report(_visible_proposal(proposal_id), None)


@reports_bp.route("/comments/<id:comment_id>/flag", methods=["GET", "POST"])
@login_required
@rate_limit("report", by="user")
def report_comment(comment_id: int):
    """Report a comment to the moderators."""
    comment = db.get_or_404(Comment, comment_id)
    return _report(_visible_proposal(comment.proposal_id), comment)
