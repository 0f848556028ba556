"""gunicorn settings for Katılım: gunicorn -c gunicorn.conf.py wsgi:app

Every setting can be changed through the environment (the systemd unit's EnvironmentFile, see
docs/deploy.md); a command-line flag still wins over this file.

    KATILIM_BIND                  address to listen on (default 127.0.0.1:8000; nginx in front)
    KATILIM_WORKERS               worker processes (default 2 x CPU cores + 1, at most 12)
    KATILIM_TIMEOUT               seconds before a silent worker is killed and replaced (30)
    KATILIM_MAX_REQUESTS          requests a worker serves before it is replaced (200000)
    KATILIM_FORWARDED_ALLOW_IPS   proxies whose X-Forwarded-Proto gunicorn believes
                                  (default 127.0.0.1,::1: nginx on the same machine)
    KATILIM_ACCESS_LOG            access log: "-" (standard output, the default), a file, or
                                  "off"
    KATILIM_LOG_FORMAT            "json" (the default with KATILIM_ENV=production) or "text"
"""

import multiprocessing
import os

from gunicorn.glogging import Logger


def _env(name: str, default: str) -> str:
    return os.environ.get(f"KATILIM_{name}") or default


_production = _env("ENV", "development") == "production"
_json_logs = _env("LOG_FORMAT", "json" if _production else "text") == "json"

bind = _env("BIND", "127.0.0.1:8000")
# Sync workers: the pages are CPU-bound (templates, SQLAlchemy), and on this kind of machine
# plain sync workers served the proposal list 1.5-2x faster than gthread, with a lower p99
# (measured with wrk; see ../shared/context/tooling.md §4). nginx buffers slow clients, so a
# sync worker is never held by a slow phone. 2 x cores + 1 leaves a little room for the time
# spent waiting on PostgreSQL; the cap keeps memory and database connections bounded.
worker_class = "sync"
workers = int(_env("WORKERS", str(min(2 * multiprocessing.cpu_count() + 1, 12))))
timeout = int(_env("TIMEOUT", "30"))
graceful_timeout = 30  # on SIGTERM/HUP, finish the requests in flight for up to this long
keepalive = 2
# Restart each worker now and then: bounds any slow growth of memory. Not every few thousand
# requests: a kept page (katilim/core/pagecache.py) costs so little that a worker serves
# a thousand a second, and a new worker spends a second or two of CPU importing the
# application. At 20,000 the benchmark's workers restarted every 20 s, 75 times in a run,
# and the pages' p99 rose to seconds while they started (bench/run.py, bench/gunicorn.log).
max_requests = int(_env("MAX_REQUESTS", "200000"))
max_requests_jitter = 20000
# Off: each worker imports the app itself, so "kill -HUP" reloads new code, and no database
# connection opened at import time is shared between forked processes.
preload_app = False
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"  # worker heartbeats in memory, never waiting on a busy disk

# X-Forwarded-Proto is believed only from these addresses (the app's ProxyFix, enabled with
# KATILIM_PROXY_COUNT, reads X-Forwarded-For and -Proto from the same proxy).
forwarded_allow_ips = _env("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# No control socket (gunicorn 25.1+ creates one under $HOME by default): systemd manages us.
control_socket_disable = True

loglevel = "info"
errorlog = "-"  # standard error
_access_log = _env("ACCESS_LOG", "-")
accesslog = None if _access_log == "off" else _access_log
if _json_logs:
    # The message is short; remote address, path, status, duration, request id and user agent
    # are fields of their own (katilim.logs.JsonFormatter reads them from these atoms).
    access_log_format = "%(m)s %(U)s %(s)s"
    if accesslog in (None, "-"):
        _access = {"class": "logging.StreamHandler", "stream": "ext://sys.stdout"}
    else:
        _access = {"class": "logging.FileHandler", "filename": accesslog}
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "katilim.logs.JsonFormatter"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "json",
            },
            "access": {**_access, "formatter": "json"},
        },
        # The application's own records reach the same handler through the root logger.
        "root": {"level": "WARNING", "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
            "gunicorn.access": {
                "level": "INFO" if accesslog else "CRITICAL",
                "handlers": ["access"],
                "propagate": False,
            },
        },
    }
else:
    # Like Apache's combined format, with the duration, the proxy's X-Forwarded-For and the
    # request id that the application's log lines carry too.
    access_log_format = (
        '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" '
        "%(M)sms fwd=%({x-forwarded-for}i)s id=%({x-request-id}o)s"
    )


class MaskingLogger(Logger):
    """gunicorn's logger; the access log masks the tokens of verification, reset and
    unsubscribe links (katilim.logs.mask_access_atoms), which a log reader could follow."""

    def atoms(self, resp, req, environ, request_time):
        from katilim.logs import mask_access_atoms

        return mask_access_atoms(super().atoms(resp, req, environ, request_time))


logger_class = MaskingLogger


def on_starting(server):
    """Tell the workers (and so the app's start-up checks) how many of them there are."""
    os.environ["KATILIM_GUNICORN_WORKERS"] = str(server.cfg.workers)
