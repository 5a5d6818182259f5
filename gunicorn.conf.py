"""gunicorn settings for `make run` and production: `gunicorn -c gunicorn.conf.py shelf.wsgi`.

Threaded workers (gthread): a page spends much of its time waiting for the
database, so each process serves THREADS requests at once, and one process
per core uses the cores. Sizing: see "Sizing" in the README.
"""

import os

bind = f"{os.getenv('HOST', '127.0.0.1')}:{os.getenv('PORT', '8000')}"
workers = int(os.getenv("WORKERS") or os.cpu_count() or 2)
worker_class = "gthread"
threads = int(os.getenv("THREADS") or 8)
# Loaded once, before forking: workers share the code's memory.
preload_app = True
# Above SQLite's busy timeout (30 s), so a request waiting for an import's
# write lock is answered rather than killed.
timeout = int(os.getenv("WEB_TIMEOUT") or 60)
keepalive = 5
# No access log: Shelf stores no reader's address.
accesslog = None
# Newer gunicorn opens a control socket at one fixed path per user; nothing uses
# it, and two servers on one machine would fight over it.
control_socket_disable = True


def worker_exit(server, worker):
    # Reader statistics still in this worker's memory (shelf.stats.counter).
    from shelf.stats.counter import COUNTER

    COUNTER.flush()
