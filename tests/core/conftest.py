"""Fixtures of the core tests."""

import pytest

from katilim.core import cache, pagecache


@pytest.fixture
def pages_on(app):
    """Pages kept as in production (the per-process default cache), CSRF on as in
    production, a fresh cache and a clock the test may move."""
    middleware = app.wsgi_app
    assert isinstance(middleware, pagecache.PageCache)
    app.config.update(PAGE_CACHE_SECONDS=5, WTF_CSRF_ENABLED=True)
    with app.app_context():
        cache.clear()
    middleware.local.clear()
    middleware.forget_councils()  # each test starts with a process that knows no host
    middleware.paused_until = 0.0
    yield middleware
    app.config.update(PAGE_CACHE_SECONDS=0, WTF_CSRF_ENABLED=False)
    app.config.pop("PAGE_CACHE_LOCAL_SECONDS", None)
    middleware.clock = pagecache.time.time
    middleware.local.clear()
    with app.app_context():
        cache.clear()


@pytest.fixture
def figures_kept(app):
    """Figures kept as in production, in a fresh cache."""
    app.config["STATS_CACHE_SECONDS"] = 60
    with app.app_context():
        cache.clear()
    yield
    app.config["STATS_CACHE_SECONDS"] = 0
    with app.app_context():
        cache.clear()
