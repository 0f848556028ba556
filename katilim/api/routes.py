"""The read-only open-data API under /api/v1, and its OpenAPI 3 document.

flask-smorest was chosen because it fits this app as it is: its Blueprint is a Flask
blueprint (registered like the others, with the same converters, error pages and limiter),
its marshmallow schemas both validate the query string and describe the responses, and the
OpenAPI document is built from those schemas and the routes, so it cannot drift from the
code. It is maintained (marshmallow-code), and it needs no JavaScript UI: we serve only
the JSON document (a Swagger page would load scripts from another host, against our CSP).

Every answer reads no cookie and touches no session (see services.request_language), so it
is the same for everyone and carries ``Cache-Control: public``, an ETag and no Set-Cookie.
"""

from flask import Flask, abort, current_app, request
from flask.sessions import SessionInterface
from flask_babel import force_locale
from flask_smorest import Api
from flask_smorest import Blueprint as ApiBlueprint
from werkzeug.exceptions import HTTPException

from katilim.api import schemas, services
from katilim.api.caching import conditional, reads_no_cookie
from katilim.core.converters import MAX_ID, IdConverter, SlugConverter
from katilim.core.errors import ERROR_TEXTS, error_headers
from katilim.core.pagecache import shared_with_visitors
from katilim.core.params import choice_arg
from katilim.extensions import csrf, limiter
from katilim.organization.queries import get_body_or_404
from katilim.organization.services import current_council, list_bodies, list_districts
from katilim.proposals.queries import ProposalFilters
from katilim.stats.services import body_record, council_records, council_total, monthly_series

API_PREFIX = "/api/v1"
RATE_LIMIT = "120 per minute"  # generous for scripts and mirrors; a proxy cache absorbs more


class OpenDataApi(Api):
    """flask-smorest's Api, minus its app-wide error handler: the site's own handler already
    answers every /api/ path in JSON, and HTML pages must keep their HTML error pages."""

    ERROR_SCHEMA = schemas.Error

    def _register_error_handlers(self):
        pass


bp = ApiBlueprint(
    "api",
    __name__,
    url_prefix=API_PREFIX,
    description="Proposals, their timelines, bodies, districts and public figures.",
)
limiter.limit(RATE_LIMIT)(bp)

ERRORS = {
    400: "Invalid query parameters.",
    404: "No such item.",
    429: "Too many requests; wait a minute.",
}


def _documented_errors(*codes: int):
    def decorator(view):
        for code in codes:
            view = bp.alt_response(code, schema=schemas.Error, description=ERRORS[code])(view)
        return view

    return decorator


@bp.errorhandler(HTTPException)
def json_error(error: HTTPException):
    """Invalid parameters are a 400 with what was wrong (webargs puts it in error.data)."""
    code = error.code or 500
    title, text = ERROR_TEXTS.get(code, ERROR_TEXTS[400])
    with force_locale(
        services.request_language(choice_arg("lang", current_app.config["LANGUAGES"]))
    ):
        payload = {"error": str(title), "message": str(text)}
    messages = (getattr(error, "data", None) or {}).get("messages")
    if messages:
        payload["errors"] = messages
    return payload, code, error_headers(error)


@bp.route("/proposals")
@bp.arguments(schemas.ProposalQuery, location="query", error_status_code=400)
@bp.response(200, schemas.ProposalPage)
@_documented_errors(404, 429)
@shared_with_visitors
def proposals(args: dict):
    """Published proposals, newest first (best match first with q), with filters, search,
    sorts and pages.

    Hidden proposals, drafts and (unless asked for by status) withdrawn ones are left out,
    as on the site's list. No author is ever given. The list is read 1,000 proposals deep, as
    on the site: a deeper page is not found (404); /proposals.csv has every proposal.
    """
    filters = ProposalFilters.from_args(args)
    return services.list_page(
        current_council(), filters, args["per_page"], services.request_language(args.get("lang"))
    )


@bp.route("/proposals/<id:proposal_id>")
@bp.arguments(schemas.LanguageQuery, location="query", error_status_code=400)
@bp.response(200, schemas.ProposalDetail)
@_documented_errors(404, 429)
def proposal(args: dict, proposal_id: int):
    """One proposal with its public timeline (the body that took each step; never a person).

    A proposal hidden by the moderators keeps its title, status and timeline, without its
    texts and tags, as on its page.
    """
    found = services.public_proposal(current_council(), proposal_id)
    if found is None:
        abort(404)
    return services.proposal_detail(found, services.request_language(args.get("lang")))


@bp.route("/bodies")
@bp.arguments(schemas.LanguageQuery, location="query", error_status_code=400)
@bp.response(200, schemas.BodyList)
@_documented_errors(429)
def bodies(args: dict):
    """The active assemblies and working groups, in the council's order."""
    lang = services.request_language(args.get("lang"))
    return {"items": [services.body_dict(b, lang) for b in list_bodies(current_council())]}


@bp.route("/bodies/<slug:slug>")
@bp.arguments(schemas.LanguageQuery, location="query", error_status_code=400)
@bp.response(200, schemas.BodyDetail)
@_documented_errors(404, 429)
def body(args: dict, slug: str):
    """One active body with its public response record."""
    council = current_council()
    found = get_body_or_404(council, slug)
    lang = services.request_language(args.get("lang"))
    return {
        **services.body_dict(found, lang),
        "record": services.record_dict(body_record(found), lang),
    }


@bp.route("/districts")
@bp.response(200, schemas.DistrictList)
@_documented_errors(429)
def districts():
    """The districts, with their population (for figures per inhabitant)."""
    return {"items": [services.district_dict(d) for d in list_districts(current_council())]}


@bp.route("/stats")
@bp.arguments(schemas.LanguageQuery, location="query", error_status_code=400)
@bp.response(200, schemas.Stats)
@_documented_errors(429)
def stats(args: dict):
    """Each active body's response record, the council's totals, and the last 12 months."""
    council = current_council()
    lang = services.request_language(args.get("lang"))
    records = council_records(council)
    return {
        "bodies": [services.record_dict(r, lang) for r in records],
        "total": services.record_dict(council_total(records), lang),
        "months": [services.month_dict(m) for m in monthly_series(council)],
    }


class SessionlessApi(SessionInterface):
    """The app's session interface, except that API answers never save the session.

    Flask-Login looks into the session after every request; the session would then add
    ``Vary: Cookie`` (and could refresh its cookie), and a proxy would keep one copy per
    visitor. API answers do not depend on the session, so nothing of it is sent back.
    """

    def __init__(self, inner: SessionInterface):
        self.inner = inner
        self.null_session_class = inner.null_session_class

    def open_session(self, app, request):
        return self.inner.open_session(app, request)

    def make_null_session(self, app):
        return self.inner.make_null_session(app)

    def save_session(self, app, session, response):
        if request.path.startswith(API_PREFIX + "/"):
            return None
        return self.inner.save_session(app, session, response)


def _id_schema(converter) -> dict:
    return {"type": "integer", "minimum": 1, "maximum": MAX_ID}


def _slug_schema(converter) -> dict:
    return {"type": "string", "pattern": f"^{SlugConverter.regex}$"}


def init_app(app: Flask) -> None:
    app.config.setdefault("API_TITLE", "Katılım open data")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", API_PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {
                "description": "Read-only public data of the participation platform: "
                "proposals, their timelines, bodies, districts and figures. No personal "
                "data. Licence of the data: as published by the council."
            },
            "servers": [{"url": "/"}],
        },
    )
    api = OpenDataApi()  # one per app: it holds that app's OpenAPI document
    api.init_app(app)
    api.register_converter(IdConverter, _id_schema)
    api.register_converter(SlugConverter, _slug_schema)
    api.register_blueprint(bp)
    csrf.exempt(bp)  # read-only GETs; nothing to forge
    app.session_interface = SessionlessApi(app.session_interface)

    documents = {bp.name, api._make_doc_blueprint_name()}

    @app.after_request
    def _cacheable(response):
        if request.blueprint in documents:
            if response.status_code >= 400:
                # Error texts may follow the reader's language: no shared copies of them.
                response.cache_control.no_store = True
            return conditional(response, shared=True)
        if request.endpoint == "stats.table_csv":  # its header row follows the session's language
            return conditional(response, shared=reads_no_cookie())
        return response
