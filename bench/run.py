"""Load benchmark: gunicorn with the production settings, wrk from another process.

    bench/run                                   # generate the full data set, then measure
    .venv/bin/python bench/run.py --no-generate # measure the data set already there

The server is bench/app.py: the site plus two routes of the benchmark only (a sign-in without
password for the generated accounts, and the baseline page), outside the katilim package.
Each page is measured against the baseline route /_bench/baseline (the proposal list page
rendered from objects in memory, no database) in the same run, so the ratio says what the
database and the page's own work cost, whatever else the machine was doing. The vote action is
measured with many distinct signed-in people voting on many proposals; afterwards every
counter in the proposal rows is compared with a count of the vote rows.

Rate limits are switched off for the run (KATILIM_RATELIMIT_ENABLED=0): the load comes from
one address, which a real site would rightly throttle.
"""

import argparse
import base64
import json
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DIR = ROOT / "bench"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"
VENV_BIN = Path(sys.executable).parent
# Each page's target, as a share of its limit, by who reads it (issue 14): what visitors read
# at half the limit (and p99 under TARGET_P99_MS), what a signed-in person reads at a fifth,
# the vote (a write that must reach the database) at a twentieth.
TARGETS = {"visitor": 0.5, "resident": 0.2, "moderator": 0.2, "vote": 0.05}
TARGET_P99_MS = 100.0
VOTERS = 1_000
VOTE_PROPOSALS = 300
USER_AGENT = "katilim-bench"


def sh(*args: str) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"


def machine() -> dict:
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    total_kb = int(meminfo[0].split()[1])
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "?",
    )
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory": f"{total_kb / 1024 / 1024:.1f} GiB",
        "os": sh("sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"),
        "python": platform.python_version(),
        "wrk": sh("sh", "-c", "wrk -v 2>&1 | head -1").split(" [")[0],
        "gunicorn": sh(str(VENV_BIN / "gunicorn"), "--version"),
    }


# ---------------------------------------------------------------- the database


def engine_for(url: str):
    from sqlalchemy import create_engine

    return create_engine(url)


def data_facts(engine) -> dict:
    from sqlalchemy import text

    with engine.connect() as conn:
        facts = {
            name: conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
            for name in ("users", "proposals", "votes", "comments")
        }
        facts["database"] = conn.execute(text("SELECT version()")).scalar_one().split(" on ")[0]
        facts["most_discussed"] = conn.execute(
            text("SELECT id, comments_count FROM proposals ORDER BY comments_count DESC LIMIT 1")
        ).one()
        facts["busiest_body"] = conn.execute(
            text(
                "SELECT b.slug FROM bodies b JOIN proposals p ON p.body_id = b.id "
                "GROUP BY b.slug ORDER BY count(*) DESC LIMIT 1"
            )
        ).scalar_one()
        facts["busiest_district"] = conn.execute(
            text(
                "SELECT d.slug FROM districts d JOIN proposals p ON p.district_id = d.id "
                "GROUP BY d.slug ORDER BY count(*) DESC LIMIT 1"
            )
        ).scalar_one()
    return facts


def prepare_voters(engine, run_id: str) -> tuple[list[int], list[int]]:
    """Fresh accounts for this run (none has voted yet, so every vote is a new row) and the
    open proposals they vote on."""
    from sqlalchemy import text

    with engine.begin() as conn:
        password_hash = conn.execute(
            text("SELECT password_hash FROM users WHERE email LIKE '%@bench.example' LIMIT 1")
        ).scalar_one()
        conn.execute(
            text(
                "INSERT INTO users (council_id, email, password_hash, display_name, site_role, "
                "email_verified_at, privacy_notice_version, is_active_account, "
                "email_frequency, created_at) VALUES ((SELECT min(id) FROM councils), :email, :hash, "
                "'Bench Seçmen', 'resident', now(), '', true, 'never', now())"
            ),
            [
                {"email": f"v{run_id}-{i}@bench.example", "hash": password_hash}
                for i in range(VOTERS)
            ],
        )
        notice = conn.execute(text("SELECT max(privacy_notice_version) FROM users")).scalar_one()
        voters = list(
            conn.execute(
                text("SELECT id FROM users WHERE email LIKE :pattern ORDER BY id"),
                {"pattern": f"v{run_id}-%@bench.example"},
            ).scalars()
        )
        conn.execute(
            text("UPDATE users SET privacy_notice_version = :v WHERE id = ANY(:ids)"),
            {"v": notice, "ids": voters},
        )
        proposals = list(
            conn.execute(
                text(
                    "SELECT id FROM proposals WHERE status IN ('new', 'under_review') "
                    "AND NOT is_hidden ORDER BY md5(id::text || :run) LIMIT :n"
                ),
                {"run": run_id, "n": VOTE_PROPOSALS},
            ).scalars()
        )
    return voters, proposals


def prepare_readers(engine, run_id: str, body_slug: str) -> dict[str, int]:
    """Two fresh signed-in readers: a resident, and a moderator of the busiest body."""
    from sqlalchemy import text

    readers = {}
    with engine.begin() as conn:
        password_hash, notice = conn.execute(
            text(
                "SELECT password_hash, privacy_notice_version FROM users "
                "WHERE email LIKE '%@bench.example' LIMIT 1"
            )
        ).one()
        for role in ("resident", "moderator"):
            readers[role] = conn.execute(
                text(
                    "INSERT INTO users (council_id, email, password_hash, display_name, "
                    "site_role, email_verified_at, privacy_notice_version, is_active_account, "
                    "email_frequency, created_at) VALUES ((SELECT min(id) FROM councils), "
                    ":email, :hash, 'Bench Okur', 'resident', now(), :notice, true, 'never', "
                    "now()) RETURNING id"
                ),
                {"email": f"{role}{run_id}@bench.example", "hash": password_hash, "notice": notice},
            ).scalar_one()
        conn.execute(
            text(
                "INSERT INTO memberships (user_id, body_id, role, created_at) "
                "SELECT :user, id, 'moderator', now() FROM bodies WHERE slug = :slug"
            ),
            {"user": readers["moderator"], "slug": body_slug},
        )
    return readers


def check_counts(engine, voters: list[int], proposals: list[int]) -> dict:
    """Counters in the rows against counts of the vote rows, for the proposals voted on."""
    from sqlalchemy import text

    with engine.connect() as conn:
        drift = conn.execute(
            text(
                "SELECT count(*) FROM proposals p WHERE p.id = ANY(:ids) AND ("
                "p.supports_count <> (SELECT count(*) FROM votes v "
                "  WHERE v.proposal_id = p.id AND v.value = 1) OR "
                "p.opposes_count <> (SELECT count(*) FROM votes v "
                "  WHERE v.proposal_id = p.id AND v.value = -1))"
            ),
            {"ids": proposals},
        ).scalar_one()
        new_votes = conn.execute(
            text("SELECT count(*) FROM votes WHERE user_id = ANY(:ids)"), {"ids": voters}
        ).scalar_one()
    return {"proposals_with_wrong_counters": drift, "new_vote_rows": new_votes}


# ---------------------------------------------------------------- the server


class Server:
    APP = "bench.app:create_bench_app()"
    LOG = "gunicorn.log"

    def __init__(
        self,
        url: str,
        port: int,
        workers: int | None,
        redis_url: str,
        extra_env: dict | None = None,
    ):
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        env = dict(os.environ)
        env.update(
            # bench/app.py refuses production; it sets what production would besides the
            # start-up checks (secure cookies), and the logs are production's JSON.
            KATILIM_ENV="benchmark",
            KATILIM_LOG_FORMAT="json",
            KATILIM_SECRET_KEY=secrets.token_urlsafe(48),
            KATILIM_DATABASE_URL=url,
            KATILIM_RATELIMIT_STORAGE_URI=redis_url,
            KATILIM_RATELIMIT_ENABLED="0",
            # wrk asks for 127.0.0.1: the site's address is only used in links.
            KATILIM_SITE_URL="https://katilim.example.org",
            KATILIM_ALLOWED_HOSTS="127.0.0.1",
            KATILIM_BIND=f"127.0.0.1:{port}",
            KATILIM_ACCESS_LOG="off",
            KATILIM_MAIL_BACKEND="log",
        )
        if workers:
            env["KATILIM_WORKERS"] = str(workers)
        env.update(extra_env or {})
        self.log = open(BENCH_DIR / self.LOG, "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py", self.APP],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.workers = int(env.get("KATILIM_WORKERS") or min(2 * (os.cpu_count() or 1) + 1, 12))

    def wait(self, timeout: float = 60, path: str = "/health") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {BENCH_DIR / self.LOG}")
            try:
                with urllib.request.urlopen(self.base + path, timeout=2):
                    return
            except urllib.error.HTTPError:  # it answers: up
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer /health in time")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()

    def login(self, user_id: int) -> tuple[str, str]:
        request = urllib.request.Request(
            f"{self.base}/_bench/login/{user_id}",
            method="POST",
            data=b"",
            headers={"User-Agent": USER_AGENT},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            token = json.load(response)["csrf_token"]
            cookies = response.headers.get_all("Set-Cookie") or []
        session = next(c.split(";", 1)[0] for c in cookies if c.startswith("session="))
        return session, token


class LimitServer(Server):
    """The same gunicorn, settings and workers, serving captured bytes (bench/limit.py)."""

    APP = "bench.limit:create_limit_app()"
    LOG = "gunicorn-limit.log"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def capture(base: str, pages: dict[str, tuple[str, str | None]]) -> dict:
    """Each page as wrk gets it (same headers, the reader's cookie if any): status, headers,
    bytes, keyed by the page's key."""
    captured = {}
    for key, (path, cookie) in pages.items():
        headers = {"User-Agent": USER_AGENT, "Accept-Language": "tr"}
        if cookie:
            headers["Cookie"] = cookie
        request = urllib.request.Request(base + path, headers=headers)
        with urllib.request.urlopen(request, timeout=30) as response:
            captured[key] = _captured(response)
    return captured


def capture_vote(base: str, session: tuple[str, str], proposal_id: int) -> dict:
    """The vote's own answer (a redirect to the proposal), as wrk's votes get it."""
    cookie, token = session
    request = urllib.request.Request(
        f"{base}/proposals/{proposal_id}/vote",
        method="POST",
        data=f"value=1&csrf_token={token}".encode(),
        headers={
            "Cookie": cookie,
            "User-Agent": USER_AGENT,
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    try:
        response = urllib.request.build_opener(_NoRedirect).open(request, timeout=30)
    except urllib.error.HTTPError as redirect:  # the redirect, not followed
        response = redirect
    page = _captured(response)
    assert page["status"][:3] in ("302", "303"), page["status"]
    return page


def _captured(response) -> dict:
    return {
        "status": f"{response.status} {response.reason}",
        "headers": list(response.headers.items()),
        "body": base64.b64encode(response.read()).decode(),
    }


# ---------------------------------------------------------------- wrk

VOTE_LUA = """
-- Each request is a new (voter, proposal) pair: voter k mod V on proposal k div V.
local sessions = {%(sessions)s}
local proposals = {%(proposals)s}
local threads = {}
local counter = 0
local step = 1

function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end

function init(args)
  step = %(threads)d
  counter = offset
end

function request()
  local k = counter
  counter = counter + step
  local s = sessions[(k %% #sessions) + 1]
  local p = proposals[(math.floor(k / #sessions) %% #proposals) + 1]
  local body = "value=1&csrf_token=" .. s[2]
  return wrk.format("POST", "/proposals/" .. p .. "/vote", {
    ["Cookie"] = s[1],
    ["X-Bench-Page"] = "vote",
    ["User-Agent"] = "%(agent)s",
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end
"""

HEADERS_LUA = """
wrk.headers["User-Agent"] = "%(agent)s"
wrk.headers["Accept-Language"] = "tr"
wrk.headers["X-Bench-Page"] = "%(page)s"
%(cookie)s
"""


def parse_wrk(output: str) -> dict:
    def latency(label: str) -> float:
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        if not match:
            return float("nan")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors:.*", output)
    return {
        "rps": float(rps.group(1)) if rps else 0.0,
        "p50": latency("50"),
        "p99": latency("99"),
        "requests": int(total.group(1)) if total else 0,
        "bad": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(0) if errors else "",
    }


def wrk(url: str, script: Path, seconds: int, connections: int, threads: int) -> dict:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"wrk failed on {url}: {done.stdout}{done.stderr}")
    output = done.stdout
    result = parse_wrk(output)
    result["raw"] = output
    return result


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# ---------------------------------------------------------------- the report


def report(results, facts, info, settings, votes, started, notes) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Run on {started:%Y-%m-%d %H:%M} UTC with `{settings['command']}`.",
        "",
        "## Machine",
        "",
        f"- {info['cpus']} CPUs ({info['cpu']}), {info['memory']} memory, {info['os']}",
        f"- Python {info['python']}, {info['gunicorn']}, {info['wrk']}, {facts['database']}",
        f"- Load average before / after: {settings['load_before']} / {settings['load_after']} "
        "(other work shared the machine: see the caveat below)",
        "",
        "## Set-up",
        "",
        f"- Data: {facts['users']:,} users, {facts['proposals']:,} proposals, "
        f"{facts['votes']:,} votes, {facts['comments']:,} comments (bench/generate.py)",
        f"- gunicorn with gunicorn.conf.py serving bench/app.py (the site with production's "
        f"cookies and JSON logs), {settings['workers']} sync "
        "workers; rate limits off (KATILIM_RATELIMIT_ENABLED=0), limiter storage "
        f"{settings['redis_url']}",
        f"- wrk from another process: {settings['threads']} threads, "
        f"{settings['connections']} connections, {settings['seconds']} s per page after a "
        f"{settings['warmup']} s warm-up; the baseline is measured the same way just before each "
        "page, and the ratio divides by that measurement (the machine's load moves during a run)",
        "",
        "## Results",
        "",
        "| page | reader | path | bytes | req/s | p50 ms | p99 ms | limit req/s (same bytes "
        "from memory) | ratio to limit | target | baseline req/s just before | ratio to "
        "baseline |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for name, result in results.items():
        base_rps = result["baseline"]["rps"]
        ratio = result["rps"] / base_rps if base_rps else 0
        base_p99 = result["baseline"]["p99"]
        bad = f" ({result['bad']} bad answers)" if result["bad"] else ""
        bound = result.get("limit")
        limit_rps = bound["rps"] if bound else 0
        share = result["rps"] / limit_rps if limit_rps else 0.0
        target = TARGETS[result["reader"]]
        met = share >= target and (result["reader"] != "visitor" or result["p99"] < TARGET_P99_MS)
        p99_part = f", p99 < {TARGET_P99_MS:.0f} ms" if result["reader"] == "visitor" else ""
        limit_cells = (
            f"{limit_rps:,.0f} (p99 {bound['p99']:.0f} ms) | {share:.3f}" if limit_rps else "– | –"
        )
        size = f"{result['bytes']:,}" if result.get("bytes") else "–"
        lines.append(
            f"| {name}{bad} | {result['reader']} | `{result['path']}` | {size} | "
            f"{result['rps']:,.0f} | {result['p50']:.1f} | {result['p99']:.1f} | {limit_cells} | "
            f"≥ {target}{p99_part}: {'yes' if met else 'no'} | "
            f"{base_rps:,.0f} (p99 {base_p99:.0f} ms) | {ratio:.2f} |"
        )
    lines += [
        "",
        "The limit: the same gunicorn (gunicorn.conf.py, the same workers) serving each page's "
        "bytes, captured once from the site (with the reader's cookie), from memory "
        "(bench/limit.py), measured in the same run just before the page: a page's ratio to it "
        "is the share of the machine the site leaves to sending the page. The vote's limit is "
        "its own answer (the redirect to the proposal) served the same way.",
        "",
        "Targets, as a share of the limit: what a visitor reads ≥ "
        f"{TARGETS['visitor']} with p99 < {TARGET_P99_MS:.0f} ms at {settings['connections']} "
        f"connections; the list and a proposal for a signed-in resident and the moderation "
        f"queue for a moderator ≥ {TARGETS['resident']}; the vote ≥ {TARGETS['vote']}, with "
        "exact counts. The baseline (the list template rendered from objects in memory, no "
        "database) is the yardstick of the first benchmark, kept for comparison.",
        "",
        "## Votes",
        "",
        f"- {votes['requests']:,} vote requests answered by wrk ({votes['bad']} not 2xx/3xx), "
        f"{votes['new_vote_rows']:,} new vote rows by {VOTERS:,} fresh accounts on "
        f"{VOTE_PROPOSALS} proposals (requests cut off by the end of the run may still be "
        "written: the two may differ by at most the number of connections).",
        f"- Proposals whose supports/opposes counters differ from a count of their vote rows: "
        f"**{votes['proposals_with_wrong_counters']}**.",
        "",
    ]
    if notes:
        lines += ["## Notes", "", *notes, ""]
    return "\n".join(lines)


def command_line(argv: list[str]) -> str:
    """The command as typed, without the --note texts (they have a section of their own)."""
    shown, skip = ["bench/run.py"], False
    for arg in argv:
        if skip or arg == "--note":
            skip = arg == "--note"
            continue
        shown.append(arg)
    return " ".join(shown)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Katılım load benchmark")
    parser.add_argument("--url", default=os.environ.get("KATILIM_BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--generate", action="store_true", help="(re)generate the data first")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--port", type=int, default=5107)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument(
        "--redis-url", default="redis://127.0.0.1:6379/7", help="the limiter's storage"
    )
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--output", default=str(BENCH_DIR / "RESULTS.md"))
    parser.add_argument("--note", action="append", default=[], help="a line for the report")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        help="measure only the pages whose name holds this text (repeatable); the vote always",
    )
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install -y wrk")
    if not args.url.startswith("postgresql"):
        sys.exit("The benchmark runs on PostgreSQL (the voters are prepared with its SQL).")

    started = datetime.now(UTC)
    if args.generate:
        from bench.generate import generate

        print(json.dumps(generate(args.url, args.scale), indent=2), flush=True)
    engine = engine_for(args.url)
    facts = data_facts(engine)
    run_id = started.strftime("%Y%m%d%H%M%S")
    voters, vote_proposals = prepare_voters(engine, run_id)
    readers = prepare_readers(engine, run_id, facts["busiest_body"])
    most_discussed = facts["most_discussed"][0]
    ordinary = vote_proposals[-1]  # an open proposal with a few votes and comments
    # (name, path, reader): a reader is "visitor" (no cookie) or a signed-in account.
    pages = [
        ("home", "/", "visitor"),
        ("proposal list", "/proposals", "visitor"),
        (
            "list filtered",
            f"/proposals?body={facts['busiest_body']}"
            f"&district={facts['busiest_district']}&status=new",
            "visitor",
        ),
        ("list searched", "/proposals?q=yenikent+bisiklet", "visitor"),
        ("list searched (common word)", "/proposals?q=park", "visitor"),
        ("list searched (word in 2/3)", "/proposals?q=yagmur", "visitor"),
        ("list by support", "/proposals?sort=supported", "visitor"),
        ("list, equity order", "/proposals?sort=equity", "visitor"),
        ("list, page 50", "/proposals?page=50", "visitor"),
        ("proposal (ordinary)", f"/proposals/{ordinary}", "visitor"),
        (
            f"proposal ({facts['most_discussed'][1]:,} comments)",
            f"/proposals/{most_discussed}",
            "visitor",
        ),
        ("body page", f"/bodies/{facts['busiest_body']}", "visitor"),
        ("stats", "/stats", "visitor"),
        ("who is heard", "/stats/representation", "visitor"),
        ("meetings", "/meetings", "visitor"),
        ("API list", "/api/v1/proposals", "visitor"),
        ("proposal list, signed in", "/proposals", "resident"),
        ("proposal (ordinary), signed in", f"/proposals/{ordinary}", "resident"),
        ("moderation queue", "/moderation", "moderator"),
    ]
    if args.only:
        pages = [page for page in pages if any(word in page[0] for word in args.only)]
    server = Server(args.url, args.port, args.workers, args.redis_url)
    load_before = loadavg()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        try:
            server.wait()
            cookies = {"visitor": None}
            for reader, user_id in readers.items():
                cookies[reader] = server.login(user_id)[0]

            def script(key: str, reader: str) -> Path:
                path = Path(tmp) / f"{key}.lua"
                cookie = cookies[reader]
                path.write_text(
                    HEADERS_LUA
                    % {
                        "agent": USER_AGENT,
                        "page": key,
                        "cookie": f'wrk.headers["Cookie"] = "{cookie}"' if cookie else "",
                    }
                )
                return path

            def measure(url: str, lua: Path) -> dict:
                wrk(url, lua, args.warmup, args.connections, args.threads)
                return wrk(url, lua, args.seconds, args.connections, args.threads)

            def show(name: str, result: dict) -> None:
                base = result["baseline"]
                bound = result.get("limit")
                limit_part = (
                    f"limit {bound['rps']:.0f} req/s, ratio {result['rps'] / bound['rps']:.3f}; "
                    if bound and bound["rps"]
                    else ""
                )
                print(
                    f"{name:34s} {result['rps']:7.1f} req/s  p50 {result['p50']:6.1f} ms  "
                    f"p99 {result['p99']:6.1f} ms  bad {result['bad']}  ({limit_part}baseline "
                    f"{base['rps']:.1f} req/s, p99 {base['p99']:.1f} ms)",
                    flush=True,
                )

            baseline_url = server.base + "/_bench/baseline"
            baseline_script = script("baseline", "visitor")
            keys = {f"p{i}": page for i, page in enumerate(pages)}
            captured = capture(
                server.base,
                {key: (path, cookies[reader]) for key, (_, path, reader) in keys.items()},
            )
            for key, page in captured.items():  # fails loudly
                assert page["status"].startswith("200"), (keys[key], page["status"])
            sessions = [server.login(user_id) for user_id in voters]
            vote_script = Path(tmp) / "vote.lua"
            vote_script.write_text(
                VOTE_LUA
                % {
                    "sessions": ",".join(f'{{"{c}","{t}"}}' for c, t in sessions),
                    "proposals": ",".join(str(p) for p in vote_proposals),
                    "threads": args.threads,
                    "agent": USER_AGENT,
                }
            )
            # The resident's vote gives the vote's answer; it is not one of the counted votes.
            captured["vote"] = capture_vote(
                server.base, server.login(readers["resident"]), vote_proposals[0]
            )
            limit_file = Path(tmp) / "pages.json"
            limit_file.write_text(json.dumps(captured), encoding="utf-8")
            limit = LimitServer(
                args.url,
                args.port + 1,
                args.workers,
                args.redis_url,
                {"BENCH_LIMIT_FILE": str(limit_file)},
            )
            limit.wait(path="/")
            try:
                for key, (name, path, reader) in keys.items():
                    lua = script(key, reader)
                    baseline = measure(baseline_url, baseline_script)
                    bound = measure(limit.base + path, lua)
                    result = measure(server.base + path, lua)
                    result.update(
                        path=path,
                        reader=reader,
                        baseline=baseline,
                        limit=bound,
                        bytes=len(base64.b64decode(captured[key]["body"])),
                    )
                    results[name] = result
                    show(name, result)
                vote_limit = measure(limit.base, vote_script)
            finally:
                limit.stop()
            baseline = measure(baseline_url, baseline_script)
            # No warm-up for the votes: every request must be a new vote of the run.
            result = wrk(server.base, vote_script, args.seconds, args.connections, args.threads)
            result.update(
                path="POST /proposals/<id>/vote",
                reader="vote",
                baseline=baseline,
                limit=vote_limit,
                bytes=len(base64.b64decode(captured["vote"]["body"])),
            )
            results["vote"] = result
            show("vote", result)
        finally:
            server.stop()
    load_after = loadavg()
    votes = {**check_counts(engine, voters, vote_proposals), **results["vote"]}
    settings = {
        "redis_url": args.redis_url,
        "command": command_line(argv if argv is not None else sys.argv[1:]),
        "workers": server.workers,
        "threads": args.threads,
        "connections": args.connections,
        "seconds": args.seconds,
        "warmup": args.warmup,
        "load_before": load_before,
        "load_after": load_after,
    }
    text = report(results, facts, machine(), settings, votes, started, args.note)
    Path(args.output).write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0 if votes["proposals_with_wrong_counters"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
