"""The checker against a local server: no request leaves the machine."""

from __future__ import annotations

import time
from unittest import mock

from django.test import SimpleTestCase

from shelf.lib import linkcheck
from shelf.links.tests.server import LinkServer

AGENT = "Test Library link checker (+https://library.example.org/)"


def checker(**options) -> linkcheck.Checker:
    options = {
        "connect_timeout": 1,
        "read_timeout": 0.5,
        "host_interval": 0,
        "allow_private": True,  # the test server is on 127.0.0.1
        **options,
    }
    return linkcheck.Checker(user_agent=AGENT, **options)


class CheckerTests(SimpleTestCase):
    def setUp(self):
        self.server = LinkServer()
        self.server.__enter__()
        self.addCleanup(self.server.__exit__)

    def test_it_checks_a_good_link_with_head_only(self):
        result = checker().check(self.server.url("/ok"))
        self.assertTrue(result.ok)
        self.assertEqual((result.status, result.method), (200, "HEAD"))
        self.assertEqual(result.final_url, self.server.url("/ok"))
        self.assertEqual(result.redirects, [])
        self.assertEqual([s.method for s in self.server.seen], ["HEAD"])
        self.assertGreater(result.elapsed, 0)

    def test_it_follows_redirects_and_records_the_chain(self):
        result = checker().check(self.server.url("/moved"))
        self.assertTrue(result.ok)
        self.assertEqual(result.status, 200)
        self.assertEqual(result.final_url, self.server.url("/ok"))
        self.assertEqual(
            result.redirects,
            [
                {"status": 301, "url": self.server.url("/moved")},
                {"status": 302, "url": self.server.url("/moved-again")},
            ],
        )

    def test_it_reports_a_missing_page_after_trying_get_too(self):
        result = checker().check(self.server.url("/missing"))
        self.assertFalse(result.ok)
        self.assertEqual((result.status, result.method), (404, "GET"))
        self.assertEqual([s.method for s in self.server.seen], ["HEAD", "GET"])

    def test_it_uses_get_when_head_is_refused(self):
        result = checker().check(self.server.url("/no-head"))
        self.assertTrue(result.ok)
        self.assertEqual((result.status, result.method), (200, "GET"))

    def test_it_gives_up_on_a_hanging_server_after_the_read_timeout(self):
        started = time.monotonic()
        result = checker(read_timeout=0.3).check(self.server.url("/hang"))
        self.assertFalse(result.ok)
        self.assertEqual(result.error, linkcheck.TIMEOUT)
        self.assertIsNone(result.status)
        # HEAD and GET each waited about the timeout, not the server's 10 s.
        self.assertLess(time.monotonic() - started, 3)

    def test_it_reports_a_closed_port_as_a_connection_failure(self):
        with LinkServer() as closed:
            url = closed.url("/ok")
        result = checker().check(url)
        self.assertEqual(result.error, linkcheck.CONNECT)

    def test_it_stops_after_too_many_redirects(self):
        result = checker(max_redirects=3).check(self.server.url("/loop"))
        self.assertEqual(result.error, linkcheck.REDIRECTS)
        self.assertEqual(len(result.redirects), 4)
        # No GET retry: it would loop the same way.
        self.assertEqual(len(self.server.seen), 4)

    def test_it_does_not_follow_a_redirect_to_another_scheme(self):
        result = checker().check(self.server.url("/to-mail"))
        self.assertEqual(result.error, linkcheck.SCHEME)
        self.assertEqual(result.detail, "mailto")
        self.assertEqual(len(self.server.seen), 1)

    def test_it_refuses_to_check_other_schemes(self):
        for url in ("ftp://example.org/file", "file:///etc/passwd", "javascript:alert(1)"):
            with self.subTest(url):
                self.assertEqual(checker().check(url).error, linkcheck.SCHEME)
        self.assertEqual(self.server.seen, [])

    def test_it_does_not_request_addresses_on_the_servers_own_networks(self):
        for url in (
            self.server.url("/ok"),
            self.server.url("/ok", host="localhost"),
            "http://169.254.169.254/latest/meta-data/",
            "http://10.0.0.7/admin",
            "http://[::1]:8000/",
        ):
            with self.subTest(url):
                result = checker(allow_private=False).check(url)
                self.assertEqual(result.error, linkcheck.PRIVATE)
                self.assertIsNone(result.status)
        self.assertEqual(self.server.seen, [])

    def test_it_does_not_follow_a_redirect_into_a_private_network(self):
        public = linkcheck.Checker(user_agent=AGENT, read_timeout=0.5, host_interval=0)
        with mock.patch.object(linkcheck, "private_address", side_effect=["", "127.0.0.1"]):
            result = public.check(self.server.url("/moved"))
        self.assertEqual(result.error, linkcheck.PRIVATE)
        self.assertEqual(result.final_url, self.server.url("/moved-again"))
        self.assertEqual([s.path for s in self.server.seen], ["/moved"])

    def test_it_names_the_site_in_its_user_agent(self):
        checker().check(self.server.url("/ok"))
        self.assertEqual(self.server.seen[0].user_agent, AGENT)

    def test_it_measures_the_time_a_slow_page_takes(self):
        result = checker().check(self.server.url("/slow"))
        self.assertGreaterEqual(result.elapsed, 0.3)


class PolitenessTests(SimpleTestCase):
    def test_it_sends_one_request_at_a_time_to_a_host_with_a_pause(self):
        with LinkServer(delay=0.05) as server:
            urls = [server.url(f"/ok?{n}") for n in range(4)]
            results = list(checker(host_interval=0.2, workers=4).check_all(urls))
        self.assertEqual(len(results), 4)
        self.assertEqual(server.most_at_once, 1)
        seen = sorted(server.seen, key=lambda s: s.started)
        gaps = [b.started - a.ended for a, b in zip(seen, seen[1:], strict=False)]
        self.assertTrue(all(gap >= 0.19 for gap in gaps), gaps)

    def test_it_checks_different_hosts_at_the_same_time(self):
        # 127.0.0.1 and localhost are two hosts to the checker, one server here.
        with LinkServer(delay=1.0) as server:
            urls = [server.url("/ok", host="127.0.0.1"), server.url("/ok", host="localhost")]
            started = time.monotonic()
            results = list(checker(host_interval=5, workers=2, read_timeout=3).check_all(urls))
            took = time.monotonic() - started
        self.assertTrue(all(r.ok for r in results))
        self.assertEqual(server.most_at_once, 2)
        self.assertLess(took, 1.9)  # one after the other would take 2 s and more

    def test_it_waits_between_the_head_and_the_get_to_one_host(self):
        with LinkServer() as server:
            checker(host_interval=0.2).check(server.url("/no-head"))
        head, get = server.seen
        self.assertGreaterEqual(get.started - head.ended, 0.19)
