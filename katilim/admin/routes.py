"""The admin area: bodies, districts, members, site roles and the audit log."""

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from katilim.admin import bp, queries
from katilim.admin.forms import (
    MEMBERSHIP_ROLE_LABELS,
    SITE_ROLE_LABELS,
    AccountActiveForm,
    AuditFilterForm,
    BodyForm,
    DistrictForm,
    MemberForm,
    MemberRoleForm,
    SiteRoleForm,
)
from katilim.auth import roles
from katilim.auth.models import SiteRole
from katilim.auth.services import find_user_by_email
from katilim.core.errors import DomainError
from katilim.core.forms import options
from katilim.core.models import utcnow
from katilim.core.params import page_arg, text_arg
from katilim.core.urls import safe_next
from katilim.extensions import db
from katilim.moderation import staffing
from katilim.organization import editing
from katilim.organization.models import BodyKind, Membership, MembershipRole
from katilim.organization.services import current_council

# Whole sentences per role, so that translators never have to fit a label into a sentence.
MEMBER_NOW = {
    MembershipRole.MODERATOR: _l("%(name)s is now a moderator of %(body)s."),
    MembershipRole.CHAIR: _l("%(name)s is now a chair of %(body)s."),
}
SITE_ROLE_NOW = {
    SiteRole.RESIDENT: _l("%(email)s no longer has a site role."),
    SiteRole.FACILITATOR: _l("%(email)s is now a facilitator."),
    SiteRole.ADMIN: _l("%(email)s is now an admin."),
}


@bp.app_template_filter("audit_value")
def audit_value(value) -> str:
    """One value of an audit entry's details, readable: lists joined, nothing as a dash."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return ", ".join(audit_value(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {audit_value(v)}" for k, v in value.items())
    return str(value)


@bp.route("")
def dashboard():
    council = current_council()
    return render_template(
        "admin/dashboard.html",
        counts=queries.dashboard_counts(council),
        coverage=staffing.coverage(council, utcnow()),
    )


# --- bodies --------------------------------------------------------------------------------


def _body_or_404(slug: str):
    body = editing.find_body(current_council(), slug)
    if body is None:
        abort(404)
    return body


def _texts(form: BodyForm, prefix: str) -> dict[str, str]:
    """{lang: text} for the form's languages that the request sent (a missing field keeps the
    stored text; an emptied one removes it)."""
    fields = {lang: form[f"{prefix}_{lang}"] for lang in editing.FORM_LANGUAGES}
    return {lang: field.data or "" for lang, field in fields.items() if field.raw_data}


def _body_data(form: BodyForm) -> editing.BodyData:
    return editing.BodyData(
        kind=BodyKind(form.kind.data),
        names=_texts(form, "name"),
        descriptions=_texts(form, "description"),
        keywords=editing.parse_keywords(form.keywords.data),
        support_threshold=form.support_threshold.data,
        response_days=form.response_days.data,
        is_active=form.is_active.data,
    )


def _created(form, create):
    """Create a body or a district and say so; a taken or malformed address (slug) becomes
    the slug field's error instead, and nothing is created."""
    try:
        created = create()
    except (editing.SlugTaken, editing.InvalidSlug) as error:
        form.slug.errors.append(error.message)
        return None
    db.session.commit()
    flash(_("%(name)s is created.", name=created.name), "success")
    return created


def _saved(name: str, changes) -> None:
    db.session.commit()
    if changes:
        flash(_("The changes to %(name)s are saved.", name=name), "success")
    else:
        flash(_("Nothing was changed."), "info")


@bp.route("/bodies")
def bodies():
    return render_template(
        "admin/bodies.html", rows=queries.bodies_with_member_counts(current_council())
    )


@bp.route("/bodies/new", methods=["GET", "POST"])
def body_new():
    form = BodyForm()
    if form.validate_on_submit():
        if _created(
            form,
            lambda: editing.create_body(
                current_user, current_council(), form.slug.data, _body_data(form)
            ),
        ):
            return redirect(url_for("admin.bodies"))
    return render_template("admin/body_form.html", form=form, body=None)


@bp.route("/bodies/<slug:slug>/edit", methods=["GET", "POST"])
def body_edit(slug: str):
    body = _body_or_404(slug)
    form = BodyForm(
        data={
            **{f"name_{lang}": body.names.get(lang, "") for lang in editing.FORM_LANGUAGES},
            **{
                f"description_{lang}": body.descriptions.get(lang, "")
                for lang in editing.FORM_LANGUAGES
            },
            "kind": body.kind.value,
            "keywords": editing.format_keywords(body.keywords or []),
            "support_threshold": body.support_threshold,
            "response_days": body.response_days,
            "is_active": body.is_active,
        }
    )
    del form.slug  # part of the body's address: fixed once created
    if form.validate_on_submit():
        _saved(body.name, editing.update_body(current_user, body, _body_data(form)))
        return redirect(url_for("admin.bodies"))
    return render_template("admin/body_form.html", form=form, body=body)


# --- members -------------------------------------------------------------------------------


def _membership_or_404(body, membership_id: int) -> Membership:
    membership = db.get_or_404(Membership, membership_id)
    if membership.body_id != body.id:
        abort(404)
    return membership


@bp.route("/bodies/<slug:slug>/members", methods=["GET", "POST"])
def members(slug: str):
    """The body's moderators and chairs; the form adds one by e-mail address."""
    body = _body_or_404(slug)
    form = MemberForm()
    if form.validate_on_submit():
        user = find_user_by_email(form.email.data)
        if user is None:
            form.email.errors.append(
                _("No account uses this address. The person must register first.")
            )
        else:
            try:
                editing.add_member(current_user, user, body, MembershipRole(form.role.data))
            except DomainError as error:
                form.email.errors.append(error.message)
            else:
                db.session.commit()
                flash(
                    MEMBER_NOW[MembershipRole(form.role.data)]
                    % {"name": user.display_name, "body": body.name},
                    "success",
                )
                return redirect(url_for("admin.members", slug=body.slug))
    return render_template(
        "admin/members.html",
        body=body,
        form=form,
        memberships=queries.members_of(body),
        role_form=MemberRoleForm(formdata=None),
        role_labels=MEMBERSHIP_ROLE_LABELS,
    )


@bp.route("/bodies/<slug:slug>/members/<id:membership_id>/role", methods=["POST"])
def member_role(slug: str, membership_id: int):
    body = _body_or_404(slug)
    membership = _membership_or_404(body, membership_id)
    form = MemberRoleForm()
    if not form.validate_on_submit():
        flash(_("Please choose one of the roles."), "error")
    elif editing.change_member_role(current_user, membership, MembershipRole(form.role.data)):
        db.session.commit()
        flash(
            MEMBER_NOW[membership.role] % {"name": membership.user.display_name, "body": body.name},
            "success",
        )
    else:
        flash(_("Nothing was changed."), "info")
    return redirect(url_for("admin.members", slug=body.slug))


@bp.route("/bodies/<slug:slug>/members/<id:membership_id>/remove", methods=["POST"])
def member_remove(slug: str, membership_id: int):
    body = _body_or_404(slug)
    membership = _membership_or_404(body, membership_id)
    name = membership.user.display_name
    editing.remove_member(current_user, membership)
    db.session.commit()
    flash(_("%(name)s is no longer a member of %(body)s.", name=name, body=body.name), "success")
    return redirect(url_for("admin.members", slug=body.slug))


# --- districts -----------------------------------------------------------------------------


def _district_or_404(slug: str):
    district = editing.find_district(current_council(), slug)
    if district is None:
        abort(404)
    return district


def _district_data(form: DistrictForm) -> editing.DistrictData:
    return editing.DistrictData(
        names={"tr": form.name_tr.data, "en": form.name_en.data},
        population=form.population.data,
        population_year=form.population_year.data,
    )


@bp.route("/districts")
def districts():
    return render_template(
        "admin/districts.html", districts=queries.list_all_districts(current_council())
    )


@bp.route("/districts/new", methods=["GET", "POST"])
def district_new():
    form = DistrictForm()
    if form.validate_on_submit():
        if _created(
            form,
            lambda: editing.create_district(
                current_user, current_council(), form.slug.data, _district_data(form)
            ),
        ):
            return redirect(url_for("admin.districts"))
    return render_template("admin/district_form.html", form=form, district=None)


@bp.route("/districts/<slug:slug>/edit", methods=["GET", "POST"])
def district_edit(slug: str):
    district = _district_or_404(slug)
    form = DistrictForm(
        data={
            "name_tr": district.names.get("tr", ""),
            "name_en": district.names.get("en", ""),
            "population": district.population,
            "population_year": district.population_year,
        }
    )
    del form.slug
    if form.validate_on_submit():
        _saved(district.name, editing.update_district(current_user, district, _district_data(form)))
        return redirect(url_for("admin.districts"))
    return render_template("admin/district_form.html", form=form, district=district)


# --- users and site roles ------------------------------------------------------------------


@bp.route("/users")
def users():
    q = text_arg("q", queries.MAX_SEARCH)
    pagination = queries.search_users(current_council(), q, page_arg())
    return render_template(
        "admin/users.html",
        q=q,
        pagination=pagination,
        role_form=SiteRoleForm(formdata=None),
        role_labels=SITE_ROLE_LABELS,
        args={"q": q} if q else {},
    )


def _applied(change) -> bool | None:
    """Run a change of a person's role or account and commit it: whether anything changed,
    or None when it was refused (rolled back, and the reason shown)."""
    try:
        changed = change()
    except DomainError as error:
        db.session.rollback()
        if error.message:  # these refusals always say why
            flash(error.message, "error")
        return None
    db.session.commit()
    return changed


@bp.route("/users/<id:user_id>/role", methods=["POST"])
def user_role(user_id: int):
    user = queries.council_user_or_404(current_council(), user_id)
    form = SiteRoleForm()
    back = safe_next(form.next.data, url_for("admin.users", q=user.email))
    if not form.validate_on_submit():
        flash(_("Please choose one of the roles."), "error")
        return redirect(back)
    role = SiteRole(form.role.data)
    changed = _applied(lambda: roles.set_site_role(current_user, user, role))
    if changed is None:
        return redirect(back)
    if changed:
        flash(SITE_ROLE_NOW[role] % {"email": user.email}, "success")
    else:
        flash(_("Nothing was changed."), "info")
    return redirect(back)


@bp.route("/users/<id:user_id>/active", methods=["POST"])
def user_active(user_id: int):
    """Deactivate an account (its sessions end at once) or reactivate it."""
    user = queries.council_user_or_404(current_council(), user_id)
    form = AccountActiveForm()
    back = safe_next(form.next.data, url_for("admin.users", q=user.email))
    if not form.validate_on_submit():
        abort(400)
    active = form.active.data == "1"
    changed = _applied(lambda: roles.set_account_active(current_user, user, active))
    if changed is None:
        return redirect(back)
    if not changed:
        flash(_("Nothing was changed."), "info")
    elif active:
        flash(_("%(email)s can sign in again.", email=user.email), "success")
    else:
        flash(
            _("%(email)s is deactivated and signed out on every device.", email=user.email),
            "success",
        )
    return redirect(back)


# --- audit log -----------------------------------------------------------------------------


def _audit_filters(form: AuditFilterForm) -> queries.AuditFilters:
    """The filters whose values are valid; a field with an error (shown beside it) is left
    out rather than failing the page."""
    if not request.args:
        return queries.AuditFilters()
    form.validate()

    def valid(field):
        return None if field.errors else field.data

    return queries.AuditFilters(
        actor=valid(form.actor) or "",
        action=valid(form.action) or "",
        target_type=valid(form.target_type) or "",
        target_id=valid(form.target_id),
        date_from=valid(form.date_from),
        date_to=valid(form.date_to),
    )


@bp.route("/audit")
def audit():
    """The audit log, newest first, with filters."""
    form = AuditFilterForm(formdata=request.args)
    form.action.choices = options(
        [("", _("All actions"))] + [(a, a) for a in queries.audit_actions(current_council())]
    )
    form.target_type.choices = options(
        [("", _("All types"))] + [(t, t) for t in queries.audit_target_types(current_council())]
    )
    filters = _audit_filters(form)
    pagination = queries.audit_page(current_council(), filters, page_arg())
    return render_template(
        "admin/audit.html",
        form=form,
        filters=filters,
        pagination=pagination,
        links=queries.audit_target_links(pagination.items),
    )
