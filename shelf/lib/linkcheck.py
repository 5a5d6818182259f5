"""Checking web addresses politely: HEAD, then GET when HEAD is refused or
fails; redirects followed one by one and recorded; one request at a time per
host with a pause between them, different hosts in parallel. No Django here.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests

from shelf.lib.weblinks import host_of, is_web_url

# Why a check failed when no HTTP status says it (stored, and translated
# where they are shown).
TIMEOUT = "timeout"
CONNECT = "connect"
TLS = "tls"
REDIRECTS = "redirects"
SCHEME = "scheme"
INVALID = "invalid"
PRIVATE = "private"
OTHER = "other"


@dataclass
class Result:
    url: str
    status: int | None = None
    final_url: str = ""
    # Each response that redirected: {"status": 301, "url": the address asked for}.
    redirects: list[dict] = field(default_factory=list)
    elapsed: float = 0.0  # seconds spent in requests, pauses between them left out
    error: str = ""  # one of the codes above
    detail: str = ""  # the exception's own words, for the curious
    method: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and self.status is not None and self.status < 400


class HostGate:
    """One request at a time per host, at least ``interval`` seconds from
    the end of one to the start of the next."""

    def __init__(self, interval: float):
        self.interval = interval
        self._locks: dict[str, threading.Lock] = defaultdict(threading.Lock)
        self._last: dict[str, float] = {}
        self._guard = threading.Lock()

    @contextmanager
    def turn(self, host: str):
        with self._guard:
            lock = self._locks[host]
        with lock:
            wait = self._last.get(host, float("-inf")) + self.interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                yield
            finally:
                self._last[host] = time.monotonic()


class Checker:
    def __init__(
        self,
        *,
        user_agent: str,
        connect_timeout: float = 5,
        read_timeout: float = 15,
        max_redirects: int = 10,
        host_interval: float = 1.0,
        workers: int = 8,
        allow_private: bool = False,
    ):
        self.headers = {"User-Agent": user_agent, "Accept": "*/*"}
        self.timeout = (connect_timeout, read_timeout)
        self.max_redirects = max_redirects
        self.gate = HostGate(host_interval)
        self.workers = workers
        self.allow_private = allow_private

    def check_all(self, urls: Iterable[str]) -> Iterator[Result]:
        """Results as each host's addresses are done. A host's addresses are
        checked in turn by one thread; hosts in parallel."""
        by_host: dict[str, list[str]] = defaultdict(list)
        for url in urls:
            by_host[host_of(url)].append(url)
        with ThreadPoolExecutor(max_workers=max(1, self.workers)) as pool:
            futures = [pool.submit(self._check_host, group) for group in by_host.values()]
            for future in as_completed(futures):
                yield from future.result()

    def _check_host(self, urls: list[str]) -> list[Result]:
        # A session per thread: requests' sessions are not meant to be shared.
        with requests.Session() as session:
            session.trust_env = False  # no proxy or .netrc from the environment
            return [self.check(url, session) for url in urls]

    def check(self, url: str, session: requests.Session | None = None) -> Result:
        if session is None:
            with requests.Session() as own:
                own.trust_env = False
                return self.check(url, own)
        result = self.follow(session, "HEAD", url)
        if result.ok or result.error in (SCHEME, INVALID, REDIRECTS, PRIVATE):
            return result
        # Many servers refuse HEAD (405, 501, 403, even 404) or mishandle it
        # while GET works; only the GET's answer counts then.
        return self.follow(session, "GET", url)

    def follow(self, session: requests.Session, method: str, url: str) -> Result:
        result = Result(url=url, method=method)
        current = url
        for _hop in range(self.max_redirects + 1):
            if not is_web_url(current):
                result.error, result.detail = SCHEME, urlsplit(current).scheme[:50]
                return result
            if not self.allow_private and (inside := private_address(current)):
                result.error, result.detail, result.final_url = PRIVATE, inside, current
                return result
            response = self._request(session, method, current, result)
            if response is None:
                return result
            target = session.get_redirect_target(response)
            if not target:
                result.status, result.final_url = response.status_code, current
                return result
            result.redirects.append({"status": response.status_code, "url": current})
            current = urljoin(current, requests.utils.requote_uri(target))
        result.error, result.final_url = REDIRECTS, current
        result.detail = f"more than {self.max_redirects}"
        return result

    def _request(self, session, method: str, url: str, result: Result):
        """One request, its time added to ``result``; None and the error
        noted in ``result`` when it fails."""
        with self.gate.turn(host_of(url)):
            started = time.monotonic()
            try:
                # stream: the headers are enough, the body is never read.
                response = session.request(
                    method,
                    url,
                    headers=self.headers,
                    timeout=self.timeout,
                    allow_redirects=False,
                    stream=True,
                )
                response.close()
                return response
            except requests.RequestException as error:
                result.error, result.detail = classify(error), str(error)[:500]
                result.final_url = url
                return None
            finally:
                result.elapsed += time.monotonic() - started


def private_address(url: str) -> str:
    """The first address of the URL's host that is not on the public
    internet (loopback, private, link-local such as cloud metadata), else
    "". Item links come from partners too: the checker must not become a way
    to probe the server's own network. (A host whose name resolves again
    differently between this look-up and the request could still slip
    through; the answer's body is never read or stored.)"""
    host = host_of(url)
    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return ""  # the request itself will fail and say so
    for *_rest, address in found:
        ip = ipaddress.ip_address(address[0].split("%")[0])
        if not ip.is_global:
            return str(ip)
    return ""


def classify(error: requests.RequestException) -> str:
    if isinstance(error, requests.Timeout):
        return TIMEOUT
    if isinstance(error, requests.exceptions.SSLError):
        return TLS
    if isinstance(error, requests.ConnectionError):
        return CONNECT
    if isinstance(error, requests.exceptions.InvalidURL | requests.exceptions.InvalidSchema):
        return INVALID
    return OTHER
