"""Fill a database with a city-sized, realistic data set for the benchmark.

    .venv/bin/python bench/generate.py postgresql+psycopg://postgres@127.0.0.1:5432/bench
    .venv/bin/python bench/generate.py URL --scale 0.05      # 1/20 of the size, to try it out

The database is emptied and built with the migrations (``flask db upgrade``), the council comes
from the council file (``load_council``), then users, proposals, votes, comments and timeline
entries are written in bulk: COPY on PostgreSQL, executemany in batches on SQLite. Texts are
Turkish-looking sentences from word lists; activity is skewed like a real site (a few proposals
with thousands of votes and comments, most with a handful), spread over bodies, districts and
two years. Counters in the proposal rows are exactly the counts of the rows written.

Every user's password is ``BENCH_PASSWORD``; e-mails are ``u<N>@bench.example``.
"""

import argparse
import html
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_PASSWORD = "bench-password"
FULL = {"users": 50_000, "proposals": 100_000, "votes": 1_000_000, "comments": 300_000}
SEED = 20261125

SUBJECTS = (
    "otobüs hattı",
    "bisiklet yolu",
    "park alanı",
    "çocuk oyun alanı",
    "kütüphane",
    "sokak lambası",
    "kaldırım",
    "yaya geçidi",
    "deniz kıyısı",
    "semt pazarı",
    "spor salonu",
    "gençlik merkezi",
    "sağlık ocağı",
    "toplu taşıma",
    "metro durağı",
    "feribot iskelesi",
    "yeşil alan",
    "ağaçlandırma",
    "geri dönüşüm kutusu",
    "su kesintisi",
    "kanalizasyon",
    "trafik ışığı",
    "hız kesici",
    "otopark",
    "engelli rampası",
    "kreş",
    "huzurevi",
    "mahalle muhtarlığı",
    "kültür merkezi",
    "tiyatro salonu",
    "bisiklet park yeri",
    "kent ormanı",
    "sahil yürüyüş yolu",
    "tramvay hattı",
    "okul servisi",
    "çöp toplama",
    "sokak hayvanları",
    "mama kabı",
    "içme suyu",
    "deprem toplanma alanı",
    "sığınak",
    "hal binası",
    "köy yolu",
    "su baskını",
    "yağmur suyu kanalı",
    "gürültü",
    "hava kirliliği",
    "ışıklandırma",
    "kavşak",
    "üst geçit",
)
PLACES = (
    "İzmit",
    "Gebze",
    "Körfez",
    "Derince",
    "Gölcük",
    "Kartepe",
    "Başiskele",
    "Darıca",
    "Çayırova",
    "Dilovası",
    "Karamürsel",
    "Kandıra",
    "Yenikent",
    "Yahyakaptan",
    "Kuruçeşme",
    "Tavşantepe",
    "Bekirdere",
    "Alikahya",
    "Kuruçeşme",
    "Serdar",
    "Ömerağa",
    "Cedit",
    "Gündoğdu",
    "Fatih",
    "Körfezkent",
    "İhsaniye",
    "Sepetçiler",
    "Karabaş",
)
VERBS = (
    "yapılsın",
    "yenilensin",
    "genişletilsin",
    "onarılsın",
    "açılsın",
    "artırılsın",
    "düzenlensin",
    "taşınsın",
    "ışıklandırılsın",
    "korunsun",
    "güvenli hale getirilsin",
    "erişilebilir olsun",
    "temizlensin",
    "kapatılmasın",
    "ücretsiz olsun",
)
FILLER = (
    "mahallemizde",
    "her gün",
    "özellikle akşam saatlerinde",
    "çocuklar ve yaşlılar için",
    "uzun zamandır",
    "belediyeye defalarca başvurduk ama",
    "komşularımızla konuştuk,",
    "kış aylarında",
    "yağmur yağınca",
    "hafta sonları",
    "okul çıkışında",
    "sabah erken",
    "bu sorun",
    "çözüm olarak",
    "bence",
    "önerimiz şu:",
    "ayrıca",
    "bunun yanında",
    "ışıklar yanmıyor",
    "yol çok dar",
    "araçlar hızlı geçiyor",
    "kaldırımlar kırık",
    "oturacak yer yok",
    "gölge yok",
    "su birikiyor",
    "çöpler toplanmıyor",
    "otobüsler geç geliyor",
    "bekleme süresi çok uzun",
    "engelli vatandaşlar geçemiyor",
    "bisikletliler tehlikede",
    "ağaçlar kesilmesin",
    "gençlerin gidecek yeri yok",
    "kira çok pahalı",
    "otopark sorunu var",
    "kıyı herkese açık olmalı",
    "şeffaf bir bütçe istiyoruz",
    "meclis bu konuyu görüşsün",
)
FIRST_NAMES = (
    "Ayşe",
    "Mehmet",
    "Fatma",
    "Mustafa",
    "Emine",
    "Ahmet",
    "Hatice",
    "Ali",
    "Zeynep",
    "Hüseyin",
    "Elif",
    "Hasan",
    "Şükran",
    "İbrahim",
    "Özge",
    "Çağrı",
    "Gülşen",
    "Oğuz",
    "Ümran",
    "Işıl",
)
LAST_NAMES = (
    "Yılmaz",
    "Kaya",
    "Demir",
    "Şahin",
    "Çelik",
    "Yıldız",
    "Yıldırım",
    "Öztürk",
    "Aydın",
    "Özdemir",
    "Arslan",
    "Doğan",
    "Kılıç",
    "Aslan",
    "Çetin",
    "Kara",
    "Koç",
    "Kurt",
    "Özkan",
    "Şimşek",
)
STATUSES = (
    ("new", 45),
    ("under_review", 20),
    ("accepted", 8),
    ("rejected", 7),
    ("forwarded", 5),
    ("implemented", 4),
    ("closed", 6),
    ("withdrawn", 2),
    ("draft", 3),
)
OPEN = {"new", "under_review", "accepted", "forwarded"}


def sentence(rng: random.Random, words: int) -> str:
    parts = rng.sample(FILLER, k=min(words, len(FILLER)))
    text = " ".join(parts)
    return text[0].upper() + text[1:] + "."


def skewed_counts(rng: random.Random, n_items: int, total: int, cap: int) -> list[int]:
    """Split ``total`` over ``n_items`` with a heavy tail (Pareto weights): a few items get
    thousands, most get a handful, some none. No item gets more than ``cap``."""
    weights = [rng.paretovariate(1.1) for _ in range(n_items)]
    scale = total / sum(weights)
    counts = [min(cap, int(w * scale)) for w in weights]
    # Hand out what rounding and the cap left over, one at a time, to random items.
    missing = total - sum(counts)
    while missing > 0:
        i = rng.randrange(n_items)
        if counts[i] < cap:
            counts[i] += 1
            missing -= 1
    return counts


class Writer:
    """Bulk rows into a table: COPY on PostgreSQL, executemany in batches on SQLite."""

    def __init__(self, engine):
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"

    def write(self, table, columns: list[str], rows) -> int:
        count = 0
        if self.postgres:
            raw = self.engine.raw_connection()
            try:
                cursor = raw.cursor()
                statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
                with cursor.copy(statement) as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
                raw.commit()
            finally:
                raw.close()
            return count
        insert = table.insert()
        batch = []
        with self.engine.begin() as conn:
            for row in rows:
                batch.append(dict(zip(columns, row, strict=True)))
                if len(batch) == 10_000:
                    conn.execute(insert, batch)
                    count += len(batch)
                    batch = []
            if batch:
                conn.execute(insert, batch)
                count += len(batch)
        return count


def _create_database(url) -> None:
    """On a fresh machine the benchmark's database does not exist yet: create it from the
    server's maintenance database."""
    from sqlalchemy import create_engine, text

    maintenance = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with maintenance.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
        ).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    maintenance.dispose()


def build_schema(app) -> None:
    import flask_migrate
    from sqlalchemy import text

    from katilim.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            _create_database(db.engine.url)
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        else:
            db.drop_all()
            with db.engine.begin() as conn:
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))


def generate(url: str, scale: float) -> dict:
    from sqlalchemy import select, text
    from werkzeug.security import generate_password_hash

    from katilim import create_app
    from katilim.auth.models import User
    from katilim.comments.models import Comment
    from katilim.core import fulltext
    from katilim.core.text import search_key
    from katilim.extensions import db
    from katilim.organization.models import Body, District
    from katilim.organization.services import load_council
    from katilim.proposals.models import Proposal, ProposalEvent
    from katilim.voting.models import Vote

    sizes = {k: max(10, int(v * scale)) for k, v in FULL.items()}
    rng = random.Random(SEED)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    timings = {}
    started = time.perf_counter()
    build_schema(app)
    timings["schema"] = time.perf_counter() - started

    with app.app_context():
        load_council(app.config["COUNCIL_DATA_FILE"])
        db.session.commit()
        council_id = db.session.execute(text("SELECT id FROM councils")).scalar_one()
        bodies = list(db.session.scalars(select(Body.id).order_by(Body.id)))
        districts = list(db.session.scalars(select(District.id).order_by(District.id)))
        engine = db.engine
        writer = Writer(engine)
        now = datetime.now(UTC).replace(microsecond=0)
        start = now - timedelta(days=730)
        notice = app.config["PRIVACY_NOTICE_VERSION"]
        # Bodies and districts are not equally busy: a few get most of the proposals.
        body_weights = [rng.paretovariate(1.5) for _ in bodies]
        district_weights = [rng.paretovariate(1.5) for _ in districts]

        # Users. One real hash for everyone: hashing 50,000 passwords would take minutes.
        t = time.perf_counter()
        password_hash = generate_password_hash(BENCH_PASSWORD)
        n_users = sizes["users"]
        user_district = rng.choices(districts, weights=district_weights, k=n_users)

        def users():
            for i in range(1, n_users + 1):
                name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                joined = start + timedelta(seconds=rng.randrange(730 * 86_400))
                yield (
                    i,
                    council_id,
                    f"u{i}@bench.example",
                    password_hash,
                    name,
                    user_district[i - 1],
                    "tr",
                    "resident",
                    joined,
                    notice,
                    True,
                    "never",
                    joined,
                )

        writer.write(
            User.__table__,
            [
                "id",
                "council_id",
                "email",
                "password_hash",
                "display_name",
                "district_id",
                "locale",
                "site_role",
                "email_verified_at",
                "privacy_notice_version",
                "is_active_account",
                "email_frequency",
                "created_at",
            ],
            users(),
        )
        timings["users"] = time.perf_counter() - t

        # Proposals, with counters filled from the votes and comments drawn below.
        t = time.perf_counter()
        n_props = sizes["proposals"]
        statuses = rng.choices([s for s, _ in STATUSES], [w for _, w in STATUSES], k=n_props)
        published = sorted(
            start + timedelta(seconds=rng.randrange(730 * 86_400)) for _ in range(n_props)
        )
        vote_counts = skewed_counts(rng, n_props, sizes["votes"], cap=n_users // 2)
        comment_counts = skewed_counts(rng, n_props, sizes["comments"], cap=5_000)
        for i, status in enumerate(statuses):  # drafts have no votes or comments
            if status == "draft":
                vote_counts[i] = comment_counts[i] = 0
        # Drafts gave back their share: hand it to the busiest proposals in turn (never more
        # votes on a proposal than there are users; comments over the ten most discussed).
        busiest = max(range(n_props), key=lambda i: vote_counts[i])
        discussed = sorted(range(n_props), key=lambda i: -comment_counts[i])[:10]
        missing_comments = sizes["comments"] - sum(comment_counts)
        for rank, i in enumerate(discussed):
            comment_counts[i] += missing_comments // 10 + (rank < missing_comments % 10)
        most_discussed = discussed[0]
        missing_votes = sizes["votes"] - sum(vote_counts)
        ranked = sorted(range(n_props), key=lambda i: -vote_counts[i])
        for i in ranked:
            if missing_votes <= 0:
                break
            if statuses[i] != "draft":
                extra = min(missing_votes, n_users - vote_counts[i])
                vote_counts[i] += extra
                missing_votes -= extra
        supports = [0] * n_props
        opposes = [0] * n_props

        # Votes: k distinct users per proposal, mostly for.
        votes_rows = []
        for p in range(n_props):
            k = vote_counts[p]
            if not k:
                continue
            share_for = rng.uniform(0.55, 0.95)
            for u in rng.sample(range(1, n_users + 1), k):
                value = 1 if rng.random() < share_for else -1
                if value == 1:
                    supports[p] += 1
                else:
                    opposes[p] += 1
                votes_rows.append((p + 1, u, value))

        def proposals():
            for p in range(n_props):
                subject = rng.choice(SUBJECTS)
                place = rng.choice(PLACES)
                title = f"{place} {subject} {rng.choice(VERBS)}"[:150]
                summary = sentence(rng, 6)[:300]
                paragraphs = [sentence(rng, rng.randint(6, 12)) for _ in range(rng.randint(2, 5))]
                body_text = "\n\n".join(paragraphs)
                body_html = "".join(f"<p>{html.escape(x)}</p>\n" for x in paragraphs)
                status = statuses[p]
                at = published[p]
                answered = status not in ("new", "draft") or rng.random() < 0.1
                first_answer = at + timedelta(days=rng.randint(1, 60)) if answered else None
                decided = (
                    first_answer + timedelta(days=rng.randint(0, 90))
                    if first_answer and status not in OPEN | {"draft", "withdrawn"}
                    else None
                )
                forwarded_on = (
                    (at + timedelta(days=rng.randint(20, 90))).date()
                    if (status == "forwarded")
                    else None
                )
                agenda_on = (
                    forwarded_on + timedelta(days=rng.randint(5, 60))
                    if forwarded_on and rng.random() < 0.6
                    else None
                )
                yield (
                    p + 1,
                    council_id,
                    rng.randint(1, n_users),
                    rng.choices(bodies, weights=body_weights)[0],
                    "citizen",
                    rng.choices(districts, weights=district_weights)[0]
                    if rng.random() < 0.8
                    else None,
                    title,
                    summary,
                    body_text,
                    body_html,
                    "tr",
                    search_key(title, summary, body_text),
                    fulltext.search_vector(title, summary, body_text),
                    status,
                    False,
                    supports[p],
                    opposes[p],
                    comment_counts[p],
                    None if status == "draft" else at,
                    first_answer,
                    decided,
                    forwarded_on,
                    agenda_on,
                    at,
                    at if not decided else decided,
                )

        writer.write(
            Proposal.__table__,
            [
                "id",
                "council_id",
                "author_id",
                "body_id",
                "routing_method",
                "district_id",
                "title",
                "summary",
                "text",
                "text_html",
                "language",
                "search_text",
                "search_vector",
                "status",
                "is_hidden",
                "supports_count",
                "opposes_count",
                "comments_count",
                "published_at",
                "first_answer_at",
                "decided_at",
                "forwarded_on",
                "agenda_on",
                "created_at",
                "updated_at",
            ],
            proposals(),
        )
        if engine.dialect.name == "sqlite":  # its search reads the FTS5 table
            with engine.begin() as conn:
                fulltext.rebuild_fts(conn)
        timings["proposals"] = time.perf_counter() - t

        t = time.perf_counter()
        writer.write(
            ProposalEvent.__table__,
            ["proposal_id", "kind", "created_at"],
            ((p + 1, "published", published[p]) for p in range(n_props) if statuses[p] != "draft"),
        )
        timings["events"] = time.perf_counter() - t

        t = time.perf_counter()
        writer.write(
            Vote.__table__,
            ["proposal_id", "user_id", "value", "created_at", "updated_at"],
            ((p, u, v, now, now) for p, u, v in votes_rows),
        )
        del votes_rows
        timings["votes"] = time.perf_counter() - t

        # Comments: two thirds start a thread, the rest answer an earlier thread.
        t = time.perf_counter()

        def comments():
            next_id = 1
            stances = ("for", "against", "question")
            for p in range(n_props):
                roots = []
                at = published[p]
                for _ in range(comment_counts[p]):
                    text_ = sentence(rng, rng.randint(3, 9))
                    at = at + timedelta(minutes=rng.randint(1, 600))
                    if roots and rng.random() < 0.33:
                        root = rng.choice(roots)
                        parent, depth = root, 1
                    else:
                        root = parent = None
                        depth = 0
                        roots.append(next_id)
                    yield (
                        next_id,
                        p + 1,
                        rng.randint(1, n_users),
                        parent,
                        root,
                        depth,
                        rng.choice(stances),
                        text_,
                        f"<p>{html.escape(text_)}</p>\n",
                        False,
                        at,
                    )
                    next_id += 1

        writer.write(
            Comment.__table__,
            [
                "id",
                "proposal_id",
                "author_id",
                "parent_id",
                "root_id",
                "depth",
                "stance",
                "text",
                "text_html",
                "is_hidden",
                "created_at",
            ],
            comments(),
        )
        timings["comments"] = time.perf_counter() - t

        t = time.perf_counter()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            if writer.postgres:
                for table in ("users", "proposals", "comments", "votes", "proposal_events"):
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT max(id) FROM {table}))"
                        )
                    )
                conn.execute(text("VACUUM ANALYZE"))
            else:
                conn.execute(text("ANALYZE"))
        timings["analyze"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - started
    return {
        "sizes": sizes,
        "busiest_proposal": busiest + 1,
        "most_discussed_proposal": most_discussed + 1,
        "timings": {k: round(v, 1) for k, v in timings.items()},
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="SQLAlchemy URL of the database to fill (it is emptied)")
    parser.add_argument("--scale", type=float, default=1.0, help="1 = full size (default)")
    args = parser.parse_args(argv)
    result = generate(args.url, args.scale)
    import json

    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
