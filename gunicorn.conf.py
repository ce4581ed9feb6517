"""gunicorn settings for serving behind a buffering reverse proxy (gunicorn -c gunicorn.conf.py)."""
import os

# Sync workers are safe only because the proxy (nginx, see the README) reads each request
# whole before passing it on and takes the response at once: a client sending slowly ties
# up nginx, not a worker. Never expose this port to the internet directly.
bind = os.environ.get("LEADERS_BIND", "127.0.0.1:8000")

# 2 per core + 1; capped because each worker holds its own database connections and
# SQLite takes one writer at a time anyway.
_cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
workers = int(os.environ.get("LEADERS_WORKERS") or min(2 * _cores + 1, 12))
worker_class = "sync"

timeout = 30           # a worker silent this long is killed and replaced
graceful_timeout = 30  # on restart, in-flight requests get this long to finish
keepalive = 2          # seconds an idle proxy connection is kept open

# gunicorn's own defaults, written out so they are seen: oversized request lines and
# headers get 400 before reaching the app.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

# Recycle each worker after about a thousand requests (jittered so they do not all
# restart together), which bounds any slow leak.
max_requests = 1000
max_requests_jitter = 100

accesslog = "-"  # stdout, like the app's own logs
errorlog = "-"

# Trust X-Forwarded-Proto only from the proxy (the app's LEADERS_PROXY_FIX reads the rest).
forwarded_allow_ips = os.environ.get("LEADERS_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")


def pre_fork(server, worker):
    """Tell the app how many workers share it (gunicorn's count, whatever set it): in
    production it refuses rate limits kept in each worker's memory when there are several."""
    os.environ["LEADERS_WORKERS"] = str(server.num_workers)


def worker_exit(server, worker):
    """A worker stopping gracefully (restart, max_requests, SIGTERM) first lets the mail it is
    sending finish, so no message is left claimed mid-send (it would be retried, perhaps twice)."""
    from app import mail
    left = mail.wait_for_deliveries(timeout=graceful_timeout - 5)
    if left:
        server.log.warning("%d mail deliveries still running at exit; their claims will expire "
                           "and `flask mail deliver` retries them", left)
