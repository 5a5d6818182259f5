"""A local web server in a thread, for checking links without the internet."""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Seen:
    method: str
    path: str
    user_agent: str
    started: float
    ended: float = 0.0


# path: (status for HEAD, status for GET, Location or None)
ROUTES = {
    "/ok": (200, 200, None),
    "/moved": (301, 301, "/moved-again"),
    "/moved-again": (302, 302, "/ok"),
    "/missing": (404, 404, None),
    "/no-head": (405, 200, None),
    "/loop": (301, 301, "/loop"),
    "/to-mail": (302, 302, "mailto:someone@example.org"),
    "/slow": (200, 200, None),
    "/hang": (200, 200, None),
}


class LinkServer:
    def __init__(self, delay: float = 0.0):
        # Every answer takes ``delay`` seconds ("/slow" a little longer).
        self.delay = delay
        self.seen: list[Seen] = []
        self.busy = 0
        self.most_at_once = 0
        self.released = threading.Event()
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> LinkServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.released.set()  # lets "/hang" go
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.httpd.server_port}{path}"

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        seen = Seen(
            handler.command,
            handler.path,
            handler.headers.get("User-Agent", ""),
            time.monotonic(),
        )
        with self._lock:
            self.seen.append(seen)
            self.busy += 1
            self.most_at_once = max(self.most_at_once, self.busy)
        try:
            self._respond(handler)
        finally:
            with self._lock:
                self.busy -= 1
            seen.ended = time.monotonic()

    def _respond(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path.split("?")[0]
        if path == "/hang":
            # Says nothing until the test ends: the checker must give up first.
            self.released.wait(10)
            return
        time.sleep(self.delay + (0.3 if path == "/slow" else 0))
        head, get, location = ROUTES.get(path, (404, 404, None))
        handler.send_response(head if handler.command == "HEAD" else get)
        if location:
            handler.send_header("Location", location)
        handler.send_header("Content-Type", "text/html")
        body = b"<p>hello</p>"
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if handler.command == "GET":
            # The checker reads the headers only and hangs up.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                handler.wfile.write(body)


def _handler(server: LinkServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_HEAD(self):  # noqa: N802 (http.server's naming)
            server.answer(self)

        def do_GET(self):  # noqa: N802
            server.answer(self)

        def log_message(self, format, *args):  # quiet
            pass

    return Handler
