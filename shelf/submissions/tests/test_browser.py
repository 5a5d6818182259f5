"""The suggestion form in Chromium: the trap is out of reach of the keyboard."""

from __future__ import annotations

from django.core.cache import cache
from django.test import override_settings

from shelf.curation.tests.base import make_resource, term
from shelf.front.tests.browser import BrowserTestCase


@override_settings(SHELF_SUGGEST_MIN_SECONDS=0)
class SuggestionBrowserTests(BrowserTestCase):
    def setUp(self):
        super().setUp()
        cache.clear()
        self.schools = term("setting", "schools", "Schools")
        make_resource("Handbook for clubs", terms=[self.schools])

    def test_the_keyboard_never_reaches_the_trap(self):
        page = self.open("/suggest/")
        for _ in range(60):
            page.keyboard.press("Tab")
            name = page.evaluate("document.activeElement.name || ''")
            self.assertNotEqual(name, "website")
            if name == "" and page.evaluate("document.activeElement.type") == "submit":
                break
