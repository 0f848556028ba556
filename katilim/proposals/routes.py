"""Proposal pages: the list, the form (with routing suggestions), the page, withdraw."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from katilim.comments.forms import CommentForm
from katilim.comments.services import comment_threads
from katilim.core.forms import options
from katilim.core.limits import rate_limit
from katilim.core.pagecache import not_for, shared_with_residents, shared_with_visitors
from katilim.core.params import id_arg, page_arg, parse_id
from katilim.core.urls import absolute_url
from katilim.extensions import db
from katilim.i18n import current_locale, language_options
from katilim.organization.models import BodyKind
from katilim.organization.queries import bodies_by_slug
from katilim.organization.services import current_council, list_bodies, list_districts
from katilim.photos import services as photo_services
from katilim.photos.forms import HidePhotoForm
from katilim.photos.queries import first_public_photo, shown_photos
from katilim.photos.uploads import (
    cleaned_photos,
    form_page_context,
    has_files,
    photos_to_remove,
)
from katilim.proposals import permissions, services
from katilim.proposals.forms import (
    SUGGEST,
    ProposalForm,
    WithdrawForm,
    routing_from_form,
    similar_step,
)
from katilim.proposals.models import (
    STATUS_LABELS,
    Proposal,
    ProposalStatus,
)
from katilim.proposals.queries import (
    ProposalFilters,
    get_visible_proposal_or_404,
    list_proposals,
    list_tags,
    referred_address,
    related_proposals,
    visible_proposal,
)
from katilim.proposals.sharing import OG_LOCALES, can_share, proposal_url, share_links
from katilim.proposals.tracker import latest_answer, status_steps, support_progress
from katilim.voting.services import get_vote_value

bp = Blueprint("proposals", __name__, url_prefix="/proposals")


@bp.route("")
@shared_with_visitors
@shared_with_residents
def index():
    """All proposals: search, filters, sorts, pages."""
    council = current_council()
    filters = ProposalFilters.from_args(request.args)
    pagination = list_proposals(council, filters, current_app.config["PROPOSALS_PER_PAGE"])
    return render_template(
        "proposals/index.html",
        filters=filters,
        pagination=pagination,
        bodies=list_bodies(council),
        districts=list_districts(council),
        tags=list_tags(council),
        statuses=[
            (s.value, label) for s, label in STATUS_LABELS.items() if s != ProposalStatus.DRAFT
        ],
    ), (404 if pagination.beyond else 200)


def _prepare_form(form: ProposalForm, council):
    bodies = list_bodies(council)
    districts = list_districts(council)
    form.language.choices = language_options()
    form.district.choices = options(
        [("", _("— whole province —"))] + [(d.slug, d.name) for d in districts]
    )
    form.body.choices = (
        options([(SUGGEST, _("I don't know: suggest where it should go"))])
        + options(
            [(b.slug, b.name) for b in bodies if b.kind == BodyKind.ASSEMBLY], _("Assemblies")
        )
        + options(
            [(b.slug, b.name) for b in bodies if b.kind == BodyKind.WORKING_GROUP],
            _("Working groups"),
        )
    )
    return {b.slug: b for b in bodies}, {d.slug: d for d in districts}


def _content(
    form: ProposalForm, districts, language: str | None = None
) -> services.ProposalContent:
    return services.ProposalContent(
        title=form.title.data,
        summary=form.summary.data,
        text=form.text.data,
        district=districts.get(form.district.data or ""),
        tag_names=services.parse_tags(form.tags.data or ""),
        language=form.language.data or language or current_locale(),
        pseudonymous=bool(form.is_pseudonymous.data),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
@rate_limit("proposal", by="user")
@rate_limit("photo_upload", by="user", exempt_when=lambda: not has_files())
def new():
    """Write a proposal, with up to three photos; publish it or keep it as a draft."""
    if not permissions.can_submit(current_user):
        return render_template("proposals/verify_first.html"), 403
    council = current_council()
    form = ProposalForm()
    bodies, districts = _prepare_form(form, council)
    if request.method == "GET":
        form.language.data = current_locale()  # most people write in the language they read
        # Most proposals are about one's own neighbourhood.
        form.district.data = current_user.district.slug if current_user.district else ""
    suggestions = None
    similar: list = []
    if form.validate_on_submit():
        publish = not form.save_draft.data
        photos = cleaned_photos(form)
        similar = similar_step(form, council.id) if publish else []
        decision = None if similar else routing_from_form(form, bodies, needs_body=publish)
        if decision is not None:
            suggestions = decision.suggestions
        if decision is not None and decision.ready and photos is not None:
            proposal = services.create_proposal(
                current_user,
                council,
                _content(form, districts),
                body=decision.body,
                routing_method=decision.method,
                publish=publish,
            )
            photo_services.add_photos(current_user, proposal, photos)
            db.session.commit()
            flash(
                _("Your proposal is published.")
                if publish
                else _("Your draft is saved. Only you can see it."),
                "success",
            )
            return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    return render_template(
        "proposals/form.html",
        form=form,
        suggestions=suggestions,
        similar=similar,
        proposal=None,
        **form_page_context(),
    )


@bp.route("/<id:proposal_id>/edit", methods=["GET", "POST"])
@login_required
@rate_limit("proposal_edit", by="user")
@rate_limit("photo_upload", by="user", exempt_when=lambda: not has_files())
def edit(proposal_id: int):
    """Change a proposal until review starts (its photos too); publish a draft."""
    proposal = get_visible_proposal_or_404(current_council(), proposal_id, current_user)
    if not permissions.can_edit(current_user, proposal):
        abort(403)
    council = current_council()
    form = ProposalForm(obj=proposal) if request.method == "GET" else ProposalForm()
    bodies, districts = _prepare_form(form, council)
    if request.method == "GET":
        form.district.data = proposal.district.slug if proposal.district else ""
        form.tags.data = ", ".join(t.name for t in proposal.tags)
        form.body.data = proposal.body.slug if proposal.body else SUGGEST
    suggestions = None
    similar: list = []
    if form.validate_on_submit():
        is_draft = proposal.status == ProposalStatus.DRAFT
        publish = is_draft and bool(form.publish.data)
        similar = similar_step(form, proposal.council_id, proposal.id) if publish else []
        decision = None
        if not similar:
            decision = routing_from_form(
                form,
                bodies,
                needs_body=publish or not is_draft,
                current=(proposal.body, proposal.routing_method),
            )
            suggestions = decision.suggestions
        removed = photos_to_remove(proposal)
        photos = cleaned_photos(form, existing=len(proposal.photos) - len(removed))
        if decision is not None and decision.ready and photos is not None:
            services.update_proposal(
                current_user,
                proposal,
                _content(form, districts, proposal.language),
                body=decision.body,
                routing_method=decision.method,
            )
            for photo in removed:
                photo_services.remove_photo(current_user, proposal, photo)
            photo_services.add_photos(current_user, proposal, photos)
            if publish:
                services.publish_proposal(current_user, proposal)
            db.session.commit()
            flash(
                _("Your proposal is published.") if publish else _("Your changes are saved."),
                "success",
            )
            return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    return render_template(
        "proposals/form.html",
        form=form,
        suggestions=suggestions,
        similar=similar,
        proposal=proposal,
        **form_page_context(),
    )


def render_detail(proposal: Proposal, comment_form: CommentForm | None = None, status: int = 200):
    """The proposal page; also used to show a comment form again with its errors."""
    roots, replies, more_replies = comment_threads(
        proposal, page_arg(), current_app.config["COMMENTS_PER_PAGE"], id_arg("thread")
    )
    form = comment_form or CommentForm(formdata=None)
    reply_to = (parse_id(form.parent_id.data) if comment_form else id_arg("reply")) or 0
    shown = {
        c.id
        for c in [*roots.items, *(c for thread in replies.values() for c in thread)]
        if not c.is_hidden
    }
    if reply_to not in shown:
        reply_to = 0  # gone or never here: the form (with its error and text) goes on top
    form.parent_id.data = str(reply_to) if reply_to else ""
    body_slugs = {e.to_value for e in proposal.events if e.to_value} | {
        e.from_value for e in proposal.events if e.from_value
    }
    event_bodies = bodies_by_slug(proposal.council_id, body_slugs)
    # Kept as a shell for residents: never for its author or someone who wrote on this page,
    # whose page has edit links.
    not_for(
        {
            proposal.author_id,
            *(c.author_id for c in roots.items),
            *(c.author_id for thread in replies.values() for c in thread),
        }
    )
    shareable = can_share(proposal)
    og_photo = first_public_photo(proposal) if shareable else None
    photos = shown_photos(current_user, proposal)
    return render_template(
        "proposals/detail.html",
        proposal=proposal,
        my_vote=get_vote_value(current_user, proposal),
        roots=roots,
        replies=replies,
        more_replies=more_replies,
        thread=id_arg("thread"),
        reply_to=reply_to,
        comment_form=form,
        withdraw_form=WithdrawForm(formdata=None),
        event_bodies=event_bodies,
        answer=latest_answer(proposal),
        steps=status_steps(proposal),
        progress=support_progress(proposal),
        share_url=proposal_url(proposal) if shareable else None,
        share=share_links(proposal) if shareable else [],
        og_locale=OG_LOCALES.get(proposal.language, "tr_TR"),
        photos=photos,
        hidden_photos=[p for p in proposal.photos if p.is_hidden and p not in photos],
        og_photo=og_photo,
        og_photo_url=og_photo
        and absolute_url(
            "photos.file", proposal_id=proposal.id, photo_id=og_photo.id, size="large"
        ),
        hide_photo_form=HidePhotoForm(formdata=None),
        related=related_proposals(proposal) if proposal.status != ProposalStatus.DRAFT else [],
    ), status


@bp.route("/<id:proposal_id>")
@shared_with_visitors
@shared_with_residents
def detail(proposal_id: int):
    """A proposal with its body, routing, status, timeline, votes and comments; one this
    council referred to its provincial council leads there."""
    council = current_council()
    proposal = visible_proposal(council, proposal_id, current_user)
    if proposal is None:
        moved_to = referred_address(council, proposal_id)
        if moved_to is None:
            abort(404)
        return redirect(moved_to, 301)
    return render_detail(proposal)


@bp.route("/<id:proposal_id>/withdraw", methods=["POST"])
@login_required
def withdraw(proposal_id: int):
    """The author withdraws the proposal (it stays visible, marked withdrawn)."""
    proposal = get_visible_proposal_or_404(current_council(), proposal_id, current_user)
    form = WithdrawForm()
    if not form.validate_on_submit():
        return render_detail(proposal, status=400)
    services.withdraw_proposal(current_user, proposal, form.reason.data or "")
    db.session.commit()
    flash(_("Your proposal is withdrawn."), "info")
    return redirect(url_for("proposals.detail", proposal_id=proposal.id))
