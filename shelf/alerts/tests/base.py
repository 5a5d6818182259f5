"""Helpers for alert tests: a clock to move, following and confirming
through the pages, and reading what was sent."""

from __future__ import annotations

import datetime
import re
from contextlib import contextmanager
from urllib.parse import urlsplit

import time_machine
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from shelf.curation.tests.base import CurationTestCase

CONFIRM_LINK = re.compile(r"https?://\S+/alerts/confirm/[^/\s]+/")


class AlertTestCase(CurationTestCase):
    def setUp(self):
        # Rate-limit counts live in the cache, which outlives a test.
        cache.clear()
        self.start = timezone.now().replace(microsecond=0) + datetime.timedelta(minutes=1)

    @contextmanager
    def at(self, **delta):
        """The clock at the test's start plus ``delta`` (hours=1, days=2...)."""
        with time_machine.travel(self.start + datetime.timedelta(**delta), tick=False):
            yield

    def follow(self, params: dict, email: str, frequency: str = "daily", prefix: str = ""):
        """Send the follow form as a reader would: its address, then the post."""
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(
                f"{prefix}/alerts/follow/", {**params, "email": email, "frequency": frequency}
            )

    def confirmation_path(self, message) -> str:
        found = CONFIRM_LINK.search(message.body)
        self.assertIsNotNone(found, message.body)
        return urlsplit(found.group(0)).path

    def confirm(self, message) -> None:
        path = self.confirmation_path(message)
        page = self.client.get(path)
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "csrfmiddlewaretoken")
        self.assertEqual(self.client.post(path).status_code, 200)

    def send_alerts(self) -> list:
        before = len(mail.outbox)
        call_command("send_alerts", stdout=open("/dev/null", "w"))  # noqa: SIM115
        return mail.outbox[before:]

    @staticmethod
    def html_of(message) -> str:
        (html, mimetype), *_rest = message.alternatives
        assert mimetype == "text/html"
        return html

    @classmethod
    def text_of(cls, message) -> str:
        return "\n".join([message.subject, message.body, cls.html_of(message)])
