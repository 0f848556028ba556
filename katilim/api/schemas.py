"""The shapes of the open-data API: query parameters in, JSON out.

These marshmallow schemas are the single source of the OpenAPI document: flask-smorest reads
them to validate the query string and to describe every response. Nothing here may carry a
person: no author, no actor, no e-mail, no user id (the API names bodies, never people).
"""

from marshmallow import Schema, fields, validate

from katilim.config import DefaultConfig
from katilim.core.params import MAX_PAGE, parse_int
from katilim.organization.models import BodyKind
from katilim.proposals.models import PUBLIC_STATUSES, EventKind
from katilim.proposals.queries import MAX_QUERY_LENGTH, SORTS


class AsciiInteger(fields.Integer):
    """An integer of the query string, by the site's rule (katilim.core.params): ASCII digits
    only. marshmallow's own reads what int() reads, "٣" and "1_000" too."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and parse_int(value) is None:
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
LANGUAGE_CODE = validate.Regexp(r"^[a-z]{2,3}$", error="Use a language code such as tr or en.")


class LanguageQuery(Schema):
    lang = fields.String(
        validate=validate.OneOf(DefaultConfig.LANGUAGES),  # the languages shipped with catalogues
        metadata={
            "description": "Language of names and labels; without it, the Accept-Language "
            "header decides, then Turkish."
        },
    )


class ProposalQuery(LanguageQuery):
    q = fields.String(
        validate=validate.Length(max=MAX_QUERY_LENGTH),
        metadata={"description": "Words to search for in the title, summary and text."},
    )
    body = fields.String(
        validate=validate.Length(max=60), metadata={"description": "A body's slug."}
    )
    district = fields.String(
        validate=validate.Length(max=60), metadata={"description": "A district's slug."}
    )
    status = fields.String(
        validate=validate.OneOf(sorted(PUBLIC_STATUSES)),
        metadata={"description": "Only proposals in this status (withdrawn ones only when asked)."},
    )
    tag = fields.String(validate=validate.Length(max=60), metadata={"description": "A tag's slug."})
    language = fields.String(
        validate=LANGUAGE_CODE,
        metadata={"description": "Only proposals written in this language."},
    )
    sort = fields.String(
        validate=validate.OneOf(list(SORTS)),
        metadata={
            "description": "Order: relevance (best match first; the default with q), else newest."
        },
    )
    page = AsciiInteger(validate=validate.Range(min=1, max=MAX_PAGE), load_default=1)
    per_page = AsciiInteger(
        validate=validate.Range(min=1, max=MAX_PER_PAGE), load_default=DEFAULT_PER_PAGE
    )


class Error(Schema):
    """What every error answers (the site's JSON error handler writes the same keys)."""

    error = fields.String(required=True, metadata={"description": "A short title."})
    message = fields.String(required=True, metadata={"description": "What went wrong."})
    errors = fields.Dict(metadata={"description": "Invalid query parameters, by location."})


class Ref(Schema):
    slug = fields.String(required=True)
    name = fields.String(required=True, metadata={"description": "In the requested language."})


class Tag(Schema):
    slug = fields.String(required=True)
    name = fields.String(required=True)


class ProposalItem(Schema):
    id = fields.Integer(required=True)
    url = fields.Url(required=True, metadata={"description": "The proposal's page on the site."})
    title = fields.String(required=True)
    summary = fields.String(
        required=True, allow_none=True, metadata={"description": "Plain-language summary."}
    )
    language = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(sorted(PUBLIC_STATUSES)))
    status_label = fields.String(required=True)
    body = fields.Nested(Ref, required=True, allow_none=True)
    district = fields.Nested(Ref, required=True, allow_none=True)
    tags = fields.List(fields.Nested(Tag), required=True)
    supports = fields.Integer(required=True)
    opposes = fields.Integer(required=True)
    comments = fields.Integer(required=True)
    published_at = fields.DateTime(required=True, allow_none=True)
    first_answer_at = fields.DateTime(required=True, allow_none=True)
    decided_at = fields.DateTime(required=True, allow_none=True)
    forwarded_on = fields.Date(
        required=True, allow_none=True, metadata={"description": "Sent to the municipal council."}
    )
    agenda_on = fields.Date(
        required=True,
        allow_none=True,
        metadata={"description": "On the municipal council's agenda (Law 5393 art. 76)."},
    )
    decision_reference = fields.String(required=True, allow_none=True)
    pseudonymous = fields.Boolean(
        required=True, metadata={"description": "Published without the author's name."}
    )
    assisted = fields.Boolean(
        required=True,
        metadata={"description": "Submitted with a volunteer's help by a person without internet."},
    )


class Pagination(Schema):
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    pages = fields.Integer(required=True)


class ProposalPage(Schema):
    items = fields.List(fields.Nested(ProposalItem), required=True)
    pagination = fields.Nested(Pagination, required=True)


class Event(Schema):
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in EventKind]))
    from_value = fields.String(required=True, allow_none=True, data_key="from")
    to_value = fields.String(required=True, allow_none=True, data_key="to")
    text = fields.String(required=True, allow_none=True, metadata={"description": "Public text."})
    body = fields.Nested(
        Ref,
        required=True,
        allow_none=True,
        metadata={"description": "The body that answered or decided, for its own steps."},
    )
    created_at = fields.DateTime(required=True)


class ProposalDetail(ProposalItem):
    text = fields.String(
        required=True, allow_none=True, metadata={"description": "Markdown, as written."}
    )
    text_html = fields.String(
        required=True, allow_none=True, metadata={"description": "Sanitised HTML."}
    )
    hidden = fields.Boolean(
        required=True,
        metadata={"description": "Hidden by moderators: the texts are left out, as on the site."},
    )
    hidden_reason = fields.String(required=True, allow_none=True)
    merged_into = fields.Integer(required=True, allow_none=True)
    timeline = fields.List(fields.Nested(Event), required=True)


class Body(Schema):
    slug = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in BodyKind]))
    name = fields.String(required=True)
    names = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    description = fields.String(required=True)
    descriptions = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    support_threshold = fields.Integer(required=True)
    response_days = fields.Integer(required=True)
    url = fields.Url(required=True)


class Record(Schema):
    """A body's public response record (see katilim.stats.services.BodyRecord)."""

    received = fields.Integer(required=True)
    answered = fields.Integer(required=True)
    answered_share = fields.Float(required=True, allow_none=True)
    median_days_to_answer = fields.Float(required=True, allow_none=True)
    overdue = fields.Integer(required=True)
    accepted = fields.Integer(required=True)
    rejected = fields.Integer(required=True)
    forwarded = fields.Integer(required=True)
    implemented = fields.Integer(required=True)
    closed = fields.Integer(required=True)
    median_days_to_agenda = fields.Float(required=True, allow_none=True)


class BodyDetail(Body):
    record = fields.Nested(Record, required=True)


class BodyList(Schema):
    items = fields.List(fields.Nested(Body), required=True)


class District(Schema):
    slug = fields.String(required=True)
    name = fields.String(required=True, metadata={"description": "Turkish spelling, always."})
    names = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    population = fields.Integer(required=True, allow_none=True)
    population_year = fields.Integer(required=True, allow_none=True)


class DistrictList(Schema):
    items = fields.List(fields.Nested(District), required=True)


class BodyRecord(Record):
    body = fields.Nested(Ref, required=True)


class Month(Schema):
    month = fields.Date(required=True, metadata={"description": "First day of the month."})
    received = fields.Integer(required=True)
    answered = fields.Integer(required=True)


class Stats(Schema):
    bodies = fields.List(fields.Nested(BodyRecord), required=True)
    total = fields.Nested(Record, required=True)
    months = fields.List(fields.Nested(Month), required=True)
