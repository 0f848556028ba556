"""The benchmark's application: the site and two routes for the load generator (bench/run.py
serves it with ``gunicorn -c gunicorn.conf.py 'bench.app:create_bench_app()'``).

It lives outside the ``katilim`` package, so an installed site has no password-less login at
all, and it refuses to start with ``KATILIM_ENV=production``.

- ``/_bench/baseline``: the proposal list page rendered from objects built in memory, without
  the database: what a page of that size costs in templates alone, the yardstick the
  benchmark divides every real page by.
- ``/_bench/login/<id>``: signs in one of the generated benchmark accounts
  (``u<N>@bench.example``, see bench/generate.py) and answers with a CSRF token, so that the
  load generator can vote as many distinct people without typing passwords.

Never serve this module on a real site: the login shortcut needs no password.
"""

import os
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, Flask, abort, render_template
from flask_wtf.csrf import generate_csrf

from katilim import create_app
from katilim.auth import sessions
from katilim.auth.models import User
from katilim.core.pages import Page
from katilim.extensions import csrf, db, limiter
from katilim.organization.models import Body, BodyKind, District
from katilim.proposals.models import STATUS_LABELS, Proposal, ProposalStatus, Tag
from katilim.proposals.queries import ProposalFilters

BENCH_EMAIL_DOMAIN = "@bench.example"

bp = Blueprint("bench", __name__, url_prefix="/_bench")


def _sample_page():
    """Twenty proposal cards with a body, a district, an author and tags, like a real page."""
    bodies = [
        Body(
            id=i, slug=f"kurul-{i}", kind=BodyKind.WORKING_GROUP, names={"tr": f"Çalışma grubu {i}"}
        )
        for i in range(1, 25)
    ]
    districts = [District(id=i, slug=f"ilce-{i}", names={"tr": f"İlçe {i}"}) for i in range(1, 13)]
    tags = [Tag(id=i, slug=f"etiket-{i}", name=f"Etiket {i}") for i in range(1, 6)]
    now = datetime.now(UTC)
    items = []
    for i in range(1, 21):
        proposal = Proposal(
            id=i,
            title=f"Yenikent bisiklet yolu genişletilsin ve ışıklandırılsın {i}",
            summary="Mahallemizde her gün özellikle akşam saatlerinde araçlar hızlı geçiyor, "
            "çocuklar ve yaşlılar için güvenli bir yol istiyoruz.",
            status=ProposalStatus.NEW,
            is_hidden=False,
            supports_count=120 + i,
            opposes_count=7,
            comments_count=12,
            published_at=now - timedelta(days=i),
        )
        proposal.body = bodies[i % len(bodies)]
        proposal.district = districts[i % len(districts)]
        proposal.author = User(id=i, display_name="Ayşe Yılmaz", email=f"a{i}@example.org")
        proposal.tags = tags[: i % 3]
        items.append(proposal)
    return bodies, districts, tags, items


@bp.route("/baseline")
@limiter.exempt
def baseline():
    bodies, districts, tags, items = _sample_page()
    pagination = Page(items=items[:20], page=1, per_page=20, total=4_000)
    html = render_template(
        "proposals/index.html",
        filters=ProposalFilters(),
        pagination=pagination,
        bodies=bodies,
        districts=districts,
        tags=tags,
        statuses=[
            (s.value, label) for s, label in STATUS_LABELS.items() if s != ProposalStatus.DRAFT
        ],
    )
    return html


@bp.route("/login/<id:user_id>", methods=["POST"])
@csrf.exempt
@limiter.exempt
def login(user_id: int):
    user = db.session.get(User, user_id)
    if user is None or not user.email.endswith(BENCH_EMAIL_DOMAIN):
        abort(404)
    sessions.sign_in(user)
    db.session.commit()
    return {"csrf_token": generate_csrf(), "user_id": user.id}


def create_bench_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """The site's application with the benchmark's routes; never in production.

    :raises RuntimeError: with KATILIM_ENV=production (or ENV_NAME set so in the settings).
    """
    # Asked before the site is built: production's own start-up checks would refuse it first
    # with another reason, and a refusal must name this one.
    env_name = (test_config or {}).get("ENV_NAME") or os.environ.get("KATILIM_ENV")
    if env_name == "production":
        raise RuntimeError(
            "bench/app.py has a sign-in without password and never runs with "
            "KATILIM_ENV=production; serve wsgi:app on a real site."
        )
    app = create_app(test_config)
    if app.config["ENV_NAME"] == "production":  # instance/config.py may say so too
        raise RuntimeError(
            "bench/app.py has a sign-in without password and never runs with "
            "KATILIM_ENV=production; serve wsgi:app on a real site."
        )
    # What production sets besides its start-up checks, so that the figures are production's
    # (JSON logs come from KATILIM_LOG_FORMAT=json, set by bench/run.py).
    app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = True
    app.register_blueprint(bp)
    app.logger.warning("bench/app.py: benchmark routes are on (never on a real site)")
    return app
