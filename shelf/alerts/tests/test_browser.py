"""The alert pages in a real browser: followed with JavaScript off and the
keyboard alone, and axe-core on every alert page in every language."""

from __future__ import annotations

import re

from django.core import mail
from django.core.cache import cache

from shelf.alerts import tokens
from shelf.alerts.models import Alert
from shelf.catalogue.factories import make_catalogue
from shelf.front.tests.browser import LANGUAGES, BrowserTestCase, prefix
from shelf.front.tests.test_access import AXE_OPTIONS


class AlertPagesInABrowserTests(BrowserTestCase):
    def setUp(self):
        super().setUp()
        cache.clear()
        make_catalogue()

    def test_a_reader_follows_a_search_with_javascript_off_by_keyboard(self):
        page = self.open("/resources/?audience=parents", language="fr", javascript=False)
        page.get_by_role("radio", name="Quotidien").check()
        page.get_by_role("button", name="Suivre par e-mail").focus()
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/fr/alerts/follow/\?"))
        page.get_by_label("Votre adresse e-mail").fill("reader@example.org")
        self.assertTrue(page.get_by_role("radio", name="Quotidien").is_checked())
        page.keyboard.press("Enter")
        page.wait_for_url("**/fr/alerts/follow/sent/")
        self.assertIn("Consultez votre boîte de réception", page.locator("h1").inner_text())
        alert = Alert.objects.get()
        self.assertEqual(
            (alert.query, alert.frequency, alert.language), ("audience=parents", "daily", "fr")
        )
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(self.errors, [])

    def test_axe_finds_no_violation_on_the_alert_pages_in_any_language(self):
        from axe_playwright_python.sync_playwright import Axe

        axe = Axe()
        alert = Alert.objects.create(
            email="reader@example.org", query="audience=parents", language="en"
        )
        confirm = tokens.confirmation(alert.key, "weekly", "en", None)
        unsubscribe = tokens.unsubscribe(alert.key)
        pages = {
            "follow": "/alerts/follow/?audience=parents&q=safe",
            "sent": "/alerts/follow/sent/",
            "confirm": f"/alerts/confirm/{confirm}/",
            "confirm refused": "/alerts/confirm/forged/",
        }
        found = {}
        for language in LANGUAGES:
            Alert.objects.filter(pk=alert.pk).update(language=language)
            urls = {name: prefix(language) + path for name, path in pages.items()}
            # One address for every language: the subscriber's language is the alert's.
            urls["unsubscribe"] = f"/alerts/unsubscribe/{unsubscribe}/"
            for name, url in urls.items():
                page = self.new_page()
                page.goto(self.live_server_url + url)
                self.assertEqual(page.locator("html").get_attribute("lang"), language, name)
                results = axe.run(page, options=AXE_OPTIONS).response
                found[(name, language)] = [
                    f"{v['id']}: {n['target']}" for v in results["violations"] for n in v["nodes"]
                ]
                page.context.close()
            # The form with an error, as the reader sees it after a wrong address.
            page = self.new_page()
            page.goto(self.live_server_url + urls["follow"])
            page.get_by_role("textbox").fill("not an address")
            page.get_by_role("button").last.click()
            page.wait_for_load_state()
            results = axe.run(page, options=AXE_OPTIONS).response
            found[("follow with an error", language)] = [
                f"{v['id']}: {n['target']}" for v in results["violations"] for n in v["nodes"]
            ]
            page.context.close()
        self.assertEqual({k: v for k, v in found.items() if v}, {})
        self.assertEqual([e for e in self.errors if "status of 400" not in e], [])
