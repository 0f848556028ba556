"""ETag and Cache-Control for the open data, so that proxies and scripts can keep copies."""

from flask import Response, request

MAX_AGE = 60  # a minute: figures stay fresh enough, and a busy proxy asks once a minute


def cache_headers(response: Response, *, shared: bool) -> None:
    """Cache-Control for a public answer. ``shared`` says the answer reads no cookie, so a
    proxy may give it to everyone; otherwise only the reader's own browser keeps it."""
    response.cache_control.max_age = MAX_AGE
    if shared:
        response.cache_control.public = True
    else:
        response.cache_control.private = True
    response.vary.add("Accept-Language")


def conditional(response: Response, *, shared: bool) -> Response:
    """Give a complete 200 answer an ETag (a hash of its body, when it has none yet) and turn
    it into a bodiless 304 when the client already holds that version (If-None-Match)."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    cache_headers(response, shared=shared)
    if not response.is_streamed and response.get_etag() == (None, None):
        response.add_etag()
    response.make_conditional(request)  # in place: the same response, perhaps now a 304
    return response


def not_modified(etag: str) -> bool:
    """True when the client's If-None-Match already names this version (checked before the
    work of building the answer)."""
    return etag in request.if_none_match or "*" in request.if_none_match


def reads_no_cookie() -> bool:
    """An anonymous request: the answer cannot depend on an account or a session."""
    return not request.cookies
