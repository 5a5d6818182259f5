"""Bad input gets a clear refusal, the form again as typed, and nothing saved."""

from __future__ import annotations

import datetime
import os
import time

import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import override_settings

from shelf.catalogue.models import Visibility
from shelf.curation.tests.base import make_resource, term
from shelf.files.tests import samples
from shelf.submissions import services
from shelf.submissions.forms import stamp
from shelf.submissions.models import State, Submission
from shelf.submissions.tests.base import SUGGEST, SuggestionTestCase, confirmation_link


class RefusalTest(SuggestionTestCase):
    def assertRefused(self, response, message: str, status: int = 400):
        self.assertEqual(response.status_code, status)
        self.assertContains(response, message, status_code=status)
        # What was typed is still there.
        self.assertContains(response, 'value="Keeping children safe in sport"', status_code=status)
        self.assertFalse(Submission.objects.exists())
        self.assertEqual(mail.outbox, [])

    def test_it_shows_the_form_with_its_term_choices(self):
        term("audience", "referees", "Referees")
        page = self.client.get(SUGGEST)
        self.assertContains(page, "Suggest a resource")
        self.assertContains(page, 'name="terms_setting"')
        self.assertContains(page, "Schools")
        self.assertNotContains(page, "Referees", msg_prefix="a term no item has is not offered")
        self.assertContains(self.client.get("/resources/"), 'href="/suggest/"')

    def test_it_refuses_a_suggestion_without_link_or_file(self):
        self.assertRefused(self.send(url=""), "Give a link to the resource, attach its file")

    def test_it_refuses_a_file_of_the_wrong_type(self):
        upload = samples.upload("guide.pdf", b"MZ\x90\x00 not a document at all" * 10)
        self.assertRefused(self.send(file=upload), "Shelf accepts PDF, Word (DOCX)")

    def test_it_refuses_a_file_whose_name_claims_another_type(self):
        upload = samples.upload("poster.pdf", samples.image("PNG"))
        self.assertRefused(self.send(file=upload), "its content is a PNG image")

    @override_settings(SHELF_MAX_UPLOAD_MB=1)
    def test_it_refuses_an_oversize_file(self):
        upload = samples.upload("big.pdf", b"%PDF-1.7\n" + os.urandom(1024 * 1024))
        self.assertGreater(upload.size, 1024 * 1024)
        self.assertRefused(self.send(file=upload), "larger than 1.0")

    def test_it_refuses_the_honeypot_filled_in(self):
        response = self.send(website="https://spam.example")
        self.assertRefused(response, "the field meant to stay empty was filled in")

    def test_it_refuses_a_form_sent_too_fast(self):
        response = self.send(started=stamp(time.time() - 1))
        self.assertRefused(response, "faster than a person can fill it in")

    def test_it_refuses_a_form_opened_too_long_ago_and_gives_a_new_one(self):
        old = stamp(time.time() - 25 * 3600)
        response = self.send(started=old)
        self.assertRefused(response, "opened too long ago")
        self.assertNotContains(response, old, status_code=400)

    def test_it_refuses_a_forged_or_missing_timestamp(self):
        for started in (None, "", f"{time.time() - 60}", stamp(time.time() - 60)[:-2] + "xx"):
            with self.subTest(started=started):
                response = self.send(started=started)
                self.assertRefused(response, "The form was changed or is incomplete")

    @override_settings(SHELF_SUGGEST_RATE_LIMIT=2)
    def test_it_limits_suggestions_from_one_address(self):
        for n in range(2):
            self.assertEqual(self.send(title=f"Guide {n}").status_code, 302)
        mail.outbox = []
        Submission.objects.all().delete()
        response = self.send()
        self.assertRefused(response, "Too many suggestions", status=429)
        other = self.client.post(SUGGEST, {}, REMOTE_ADDR="192.0.2.9")
        self.assertEqual(other.status_code, 400, "another address is not limited")

    def test_it_refuses_terms_not_offered(self):
        hidden = term("topic", "members-topic", "Members topic")
        make_resource("Members item", terms=[hidden], visibility=Visibility.MEMBERS)
        response = self.send(terms_topic=[hidden.pk])
        self.assertRefused(response, "Select a valid choice")

    def test_it_refuses_a_tampered_confirmation_link(self):
        self.send()
        link = confirmation_link(mail.outbox[0])
        token = link.rstrip("/").rsplit("/", 1)[1]
        for bad in (token[:-3] + "abc", token.replace(":", ":x", 1), "nonsense"):
            with self.subTest(token=bad):
                for method in (self.client.get, self.client.post):
                    response = method(f"/suggest/confirm/{bad}/")
                    self.assertContains(response, "is not valid", status_code=400)
        self.assertEqual(Submission.objects.get().state, State.UNCONFIRMED)

    def test_it_refuses_an_expired_confirmation_link(self):
        with time_machine.travel(datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=4)):
            self.send(started=stamp(time.time() - 60))
        link = confirmation_link(mail.outbox[0])
        response = self.client.post(link)
        self.assertContains(response, "has expired", status_code=400)
        self.assertContains(response, "72 hours", status_code=400)
        self.assertEqual(Submission.objects.get().state, State.UNCONFIRMED)

    def test_it_says_when_a_link_names_a_purged_suggestion(self):
        self.send()
        link = confirmation_link(mail.outbox[0])
        Submission.objects.all().delete()
        self.assertContains(self.client.get(link), "no longer here", status_code=404)

    def test_it_confirms_once(self):
        self.send()
        link = confirmation_link(mail.outbox[0])
        self.client.post(link)
        self.assertContains(self.client.post(link), "already confirmed")

    def test_it_purges_unconfirmed_suggestions_and_their_files(self):
        pdf = samples.pdf(["An old suggestion"])
        with time_machine.travel(datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=9)):
            self.send(
                title="Old", file=samples.upload("old.pdf", pdf), started=stamp(time.time() - 60)
            )
        old = Submission.objects.get()
        self.send(title="New")
        confirmed = Submission.objects.get(title="New")
        services.confirm(confirmed)
        Submission.objects.filter(pk=confirmed.pk).update(created=old.created)
        storage, name = old.file.storage, old.file.name
        self.assertTrue(storage.exists(name))
        with self.captureOnCommitCallbacks(execute=True):
            call_command("purge_submissions", "--days", "7", stdout=open("/dev/null", "w"))  # noqa: SIM115
        self.assertEqual(list(Submission.objects.values_list("title", flat=True)), ["New"])
        self.assertFalse(storage.exists(name))
