"""The facilitator's desk: file a proposal for someone, follow what was filed, print a letter."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from katilim.assist import permissions, services
from katilim.assist.forms import AssistForm
from katilim.assist.models import AgeBand, Channel, consent_text
from katilim.core.forms import options
from katilim.core.models import utcnow
from katilim.core.params import page_arg
from katilim.core.urls import absolute_url
from katilim.extensions import db, limiter
from katilim.i18n import LANGUAGE_NAMES, RTL_LANGUAGES, current_locale
from katilim.organization.services import current_council
from katilim.proposals.forms import WithdrawForm, routing_from_form
from katilim.proposals.routes import _prepare_form
from katilim.proposals.services import ProposalContent, parse_tags

bp = Blueprint("assist", __name__, url_prefix="/assist")
bp.add_app_template_global(permissions.can_assist, "can_assist")

PER_PAGE = 20


@bp.before_request
@login_required
def facilitators_only():
    """Every page here is for facilitators and admins: visitors sign in, others get 403."""
    if not permissions.can_assist(current_user):
        abort(403)


def _letter_languages() -> list[str]:
    # Only languages the site has a catalogue for: a letter must read wholly in one language.
    return list(current_app.config["LANGUAGES"])


def _prepare(form: AssistForm, council):
    bodies, districts = _prepare_form(form, council)
    form.language.choices = options(list(LANGUAGE_NAMES.items()))
    form.letter_locale.choices = options([(c, LANGUAGE_NAMES[c]) for c in _letter_languages()])
    if not form.is_submitted():
        form.language.data = form.letter_locale.data = current_locale()
    return bodies, districts


def _consent_texts() -> list[tuple[str, str, str]]:
    """The consent text in every site language, for reading it in the person's language."""
    council = current_council()
    texts = []
    for code in _letter_languages():
        with force_locale(code):
            texts.append((code, LANGUAGE_NAMES[code], consent_text(council.name)))
    return texts


@bp.route("")
def index():
    """The proposals this facilitator filed, with their status and latest answer."""
    pagination = services.filed_by(current_user, page_arg(), PER_PAGE)
    answers = services.latest_answers([s.proposal_id for s in pagination.items])
    return render_template(
        "assist/index.html",
        pagination=pagination,
        answers=answers,
        withdraw_form=WithdrawForm(formdata=None),
        can_withdraw=services.can_withdraw,
    )


@bp.route("/new", methods=["GET", "POST"])
@limiter.limit("60 per hour", methods=["POST"])
def new():
    """Write down a proposal for a person without internet, with channel and consent."""
    council = current_council()
    form = AssistForm()
    bodies, districts = _prepare(form, council)
    suggestions = None
    if form.validate_on_submit():
        decision = routing_from_form(form, bodies, needs_body=True)
        suggestions = decision.suggestions
        if decision.ready:
            proposal = services.file_assisted_proposal(
                current_user,
                council,
                ProposalContent(
                    title=form.title.data,
                    summary=form.summary.data,
                    text=form.text.data,
                    district=districts.get(form.district.data or ""),
                    tag_names=parse_tags(form.tags.data or ""),
                    language=form.language.data,
                    pseudonymous=True,
                ),
                services.AssistDetails(
                    channel=Channel(form.channel.data),
                    consent_given=bool(form.consent.data),
                    letter_locale=form.letter_locale.data,
                    age_band=AgeBand(form.age_band.data) if form.age_band.data else None,
                    contact=form.contact.data or "",
                ),
                body=decision.body,
                routing_method=decision.method,
            )
            db.session.commit()
            flash(
                _(
                    "The proposal is published as #%(id)s. You can print a letter for the person.",
                    id=proposal.id,
                ),
                "success",
            )
            return redirect(url_for("assist.index"))
    return render_template(
        "assist/form.html",
        form=form,
        suggestions=suggestions,
        consent_texts=_consent_texts(),
        consent_text=consent_text(current_council().name),
    )


def _own_submission(proposal_id: int):
    """The submission behind an assisted proposal, if this user filed it (or is an admin)."""
    submission = services.submission_for(proposal_id)
    if submission is None or submission.proposal.council_id != current_council().id:
        abort(404)
    if not permissions.can_see_submission(current_user, submission):
        abort(403)
    return submission


@bp.route("/<id:proposal_id>/withdraw", methods=["POST"])
def withdraw(proposal_id: int):
    """Take the proposal back because the person asked for it."""
    submission = _own_submission(proposal_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        abort(400)
    services.withdraw_at_request(current_user, submission, form.reason.data or "")
    db.session.commit()
    flash(_("Proposal #%(id)s is withdrawn.", id=proposal_id), "info")
    return redirect(url_for("assist.index"))


@bp.route("/<id:proposal_id>/forget-contact", methods=["POST"])
def forget_contact(proposal_id: int):
    """Erase the person's contact once it is no longer needed."""
    services.forget_contact(current_user, _own_submission(proposal_id))
    db.session.commit()
    flash(_("The contact of proposal #%(id)s is erased.", id=proposal_id), "info")
    return redirect(url_for("assist.index"))


@bp.route("/<id:proposal_id>/letter")
def letter(proposal_id: int):
    """A one-page status letter in the person's language, for printing."""
    submission = _own_submission(proposal_id)
    proposal = submission.proposal
    locale = submission.letter_locale
    if locale not in _letter_languages():
        locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    # The letter is rendered in the person's language; the page around it (the site's header
    # and the print hint) stays in the facilitator's.
    with force_locale(locale):
        letter_html = render_template(
            "assist/_letter.html",
            submission=submission,
            proposal=proposal,
            answers=services.answers_of(proposal),
            proposal_url=absolute_url("proposals.detail", proposal_id=proposal.id),
            # A merged proposal goes on as another one: the person must learn which.
            merged_into=proposal.merged_into,
            merged_into_url=absolute_url("proposals.detail", proposal_id=proposal.merged_into_id)
            if proposal.merged_into_id
            else None,
            letter_lang=locale,
            letter_dir="rtl" if locale in RTL_LANGUAGES else "ltr",
            today=utcnow(),
        )
    return render_template(
        "assist/letter.html", submission=submission, proposal=proposal, letter_html=letter_html
    )
