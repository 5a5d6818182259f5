"""Helpers for suggestion tests: a valid form post, opened a minute ago."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

from django.core import mail
from django.core.cache import cache

from shelf.catalogue.models import Resource
from shelf.curation.tests.base import CurationTestCase, make_resource, term
from shelf.files.tests.base import TemporaryFileStorage
from shelf.submissions.forms import stamp

SUGGEST = "/suggest/"


def form_data(**changes) -> dict:
    data = {
        "title": "Keeping children safe in sport",
        "summary": "A guide for coaches and clubs.",
        "publisher": "Sport Safe Network",
        "language": "en",
        "url": "https://example.org/sport-guide",
        "email": "sender@example.net",
        "website": "",
        "started": stamp(time.time() - 60),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def confirmation_link(message) -> str:
    found = re.search(r"https?://\S+/suggest/confirm/\S+/", message.body)
    assert found, message.body
    return urlsplit(found.group(0)).path


class SuggestionTestCase(TemporaryFileStorage, CurationTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.schools = term("setting", "schools", "Schools")
        cls.coaches = term("audience", "coaches", "Coaches")
        # A public item carrying them, so the form offers them.
        cls.known = make_resource("Handbook for clubs", terms=[cls.schools, cls.coaches])

    def setUp(self):
        super().setUp()
        cache.clear()  # the rate limit's counts
        mail.outbox = []

    def new_items(self):
        return Resource.objects.exclude(pk=self.known.pk)

    def send(self, path: str = SUGGEST, **changes):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(path, form_data(**changes))
