"""A small per-process cache for figures that are costly to compute and fine a minute old."""

import time

from flask import current_app

# (application, key) -> (monotonic expiry, value): one small dict per process. Keys are few and
# fixed (a council's figures, a body's, the whole list's count), so nothing needs evicting.
_cache: dict = {}


def cached(key: tuple, compute):
    """``compute()``, kept for ``STATS_CACHE_SECONDS`` in this process.

    The figures read every proposal of the council (100,000 at a city's scale, a second of
    work), while they change by a few proposals a minute: a minute-old record is as true for
    its readers. Each gunicorn worker keeps its own copy; nothing is shared or written.
    """
    seconds = current_app.config.get("STATS_CACHE_SECONDS", 0)
    if not seconds:
        return compute()
    full_key = (id(current_app._get_current_object()), *key)
    now = time.monotonic()
    hit = _cache.get(full_key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = compute()
    _cache[full_key] = (now + seconds, value)
    return value
