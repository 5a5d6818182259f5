"""A real browser for tests: Debian's Chromium driven by Playwright.

Needs the `browser` extra (`pip install -e '.[browser]'`) and Chromium
(Debian: `apt-get install chromium`); tests using it are skipped without
them. Set SHELF_SCREENSHOTS to a folder to keep screenshots.
"""

import os
import shutil
from pathlib import Path
from unittest import SkipTest

from django.test import LiveServerTestCase

CHROMIUM = os.getenv("SHELF_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LANGUAGES = ["en", "fr", "es", "ar", "zh-hans"]


def prefix(language: str) -> str:
    """The address prefix of a language: none for English."""
    return "" if language == "en" else f"/{language}"


class BrowserTestCase(LiveServerTestCase):
    # Each test ends with a flush whose post_migrate brings back the bundled
    # terms and the roles. (Serialized rollback cannot work here: under
    # Playwright's event loop the test sees a connection object without the
    # serialized copy, and a second browser class would then load it over
    # the roles post_migrate had already recreated.)
    serialized_rollback = False

    @classmethod
    def setUpClass(cls):
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            raise SkipTest("playwright is not installed") from None
        if not Path(CHROMIUM).exists():
            raise SkipTest(f"no Chromium at {CHROMIUM}")
        # Playwright's sync API keeps an event loop in this thread; the ORM
        # calls made here are still synchronous.
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        super().setUpClass()
        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    def setUp(self):
        self.errors = []

    def new_page(self, width: int = 1280, javascript: bool = True, **options):
        context = self.browser.new_context(
            viewport={"width": width, "height": 900}, java_script_enabled=javascript, **options
        )
        self.addCleanup(context.close)
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        # Nothing from another host, ever.
        page.on(
            "request",
            lambda r: r.url.startswith(self.live_server_url) or self.errors.append(r.url),
        )
        return page

    def open(self, path: str, width: int = 1280, language: str = "en", **options):
        """``path`` in ``language``'s address (``/fr/...``)."""
        page = self.new_page(width, **options)
        page.goto(self.live_server_url + prefix(language) + path)
        return page

    def screenshot(self, page, name: str) -> None:
        if folder := os.getenv("SHELF_SCREENSHOTS"):
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
