from __future__ import annotations

from django.test import override_settings

from shelf.curation.tests.base import CurationTestCase
from shelf.links import services
from shelf.links.tests.server import LinkServer

FAST = {
    "SHELF_LINKS_HOST_INTERVAL": 0,
    "SHELF_LINKS_CONNECT_TIMEOUT": 1,
    "SHELF_LINKS_READ_TIMEOUT": 0.8,
    "SHELF_LINKS_SLOW_SECONDS": 0.25,
    "SHELF_LINKS_DEAD_AFTER": 3,
    "SHELF_LINKS_ALLOW_PRIVATE": True,  # the test server is on 127.0.0.1
    "SHELF_SITE_NAME": "Safeguarding Library",
    "SITE_ROOT": "https://library.example.org",
}


@override_settings(**FAST)
class LinkTestCase(CurationTestCase):
    """A local web server for the test's links (see ``server.ROUTES``)."""

    def setUp(self):
        super().setUp()
        self.server = LinkServer()
        self.server.__enter__()
        self.addCleanup(self.server.__exit__)

    def url(self, path: str) -> str:
        return self.server.url(path)

    def run_checks(self, times: int = 1) -> services.Checked:
        services.collect()
        for _n in range(times):
            report = services.check()
        return report
