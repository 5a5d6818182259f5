"""The follow form and the signed links: refusals that change nothing."""

from __future__ import annotations

import base64
import json
from unittest import mock

from django.core import mail, signing
from django.test import Client, override_settings
from django.utils import timezone

from shelf.alerts import digests, tokens
from shelf.alerts.models import Alert, Digest
from shelf.alerts.tests.base import CONFIRM_LINK, AlertTestCase
from shelf.curation.tests.base import make_resource, term


class FollowFormTests(AlertTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.parents = term("audience", "parents", "Parents")

    def test_it_offers_the_form_on_every_listing_even_an_empty_one(self):
        for params in ({}, {"q": "nothing matches this"}, {"audience": "parents", "page": "1"}):
            with self.subTest(params=params):
                page = self.client.get("/resources/", params)
                self.assertContains(page, "Follow this search by e-mail")
                self.assertNotContains(page, 'name="page"')

    def test_it_keeps_what_was_typed_and_says_what_is_wrong(self):
        response = self.follow({"audience": "parents"}, "not an address")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, 'value="not an address"', status_code=400)
        self.assertContains(response, 'aria-invalid="true"', status_code=400)
        self.assertContains(
            response, '<input type="hidden" name="audience" value="parents">', status_code=400
        )
        self.assertFalse(Alert.objects.exists())
        self.assertEqual(mail.outbox, [])

    def test_it_refuses_a_search_the_listing_refuses(self):
        response = self.client.get("/alerts/follow/", {"audience": "no-such-audience"})
        self.assertContains(response, "could not be followed", status_code=400)
        response = self.follow({"audience": "no-such-audience"}, "reader@example.org")
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Alert.objects.exists())

    def test_it_answers_alike_whether_or_not_the_address_follows_the_search(self):
        with self.at(minutes=0):
            first = self.follow({"audience": "parents"}, "reader@example.org", "daily")
            self.confirm(mail.outbox[0])
        with self.at(hours=1):
            again = self.follow({"audience": "parents"}, "reader@example.org", "weekly")
            other = self.follow({"audience": "parents"}, "someone@example.org", "weekly")
        self.assertEqual(
            (first.status_code, first["Location"]), (again.status_code, again["Location"])
        )
        self.assertEqual(again["Location"], other["Location"])
        self.assertEqual(len(mail.outbox), 3)
        # The same e-mail, but for its link, to a follower and to a newcomer.
        bodies = [CONFIRM_LINK.sub("LINK", m.body) for m in mail.outbox[1:]]
        self.assertEqual(bodies[0], bodies[1])
        # The follower's alert changes only through the new link.
        self.assertEqual(Alert.objects.get(email="reader@example.org").frequency, "daily")
        with self.at(hours=1, minutes=1):
            self.confirm(mail.outbox[1])
        self.assertEqual(Alert.objects.get(email="reader@example.org").frequency, "weekly")

    def test_it_sends_one_confirmation_per_alert_in_ten_minutes(self):
        with self.at(minutes=0):
            self.follow({"audience": "parents"}, "victim@example.org")
        with self.at(minutes=5):
            response = self.follow({"audience": "parents"}, "victim@example.org")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(len(mail.outbox), 1)
        with self.at(minutes=11):
            self.follow({"audience": "parents"}, "victim@example.org")
        self.assertEqual(len(mail.outbox), 2)

    @override_settings(SHELF_ALERTS_FOLLOW_LIMIT=2)
    def test_it_limits_how_often_one_connection_may_send_the_form(self):
        with self.at(minutes=0):
            for n in range(2):
                self.assertEqual(self.follow({}, f"reader{n}@example.org").status_code, 302)
            refused = self.follow({}, "reader9@example.org")
        self.assertContains(refused, "Too many requests", status_code=429)
        self.assertContains(refused, 'value="reader9@example.org"', status_code=429)
        self.assertEqual(len(mail.outbox), 2)
        self.assertFalse(Alert.objects.filter(email="reader9@example.org").exists())
        with self.at(hours=1, minutes=1):
            self.assertEqual(self.follow({}, "reader9@example.org").status_code, 302)

    def test_it_links_an_alert_to_the_account_only_for_the_accounts_own_address(self):
        self.client.force_login(self.member)
        page = self.client.get("/alerts/follow/", {"audience": "parents"})
        self.assertContains(page, f'value="{self.member.email}"')
        self.follow({"audience": "parents"}, "friend@example.org")
        self.confirm(mail.outbox[0])
        self.assertIsNone(Alert.objects.get(email="friend@example.org").user)


class SignedLinkTests(AlertTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.parents = term("audience", "parents", "Parents")

    def setUp(self):
        super().setUp()
        with self.at(minutes=0):
            self.follow({"audience": "parents"}, "reader@example.org")
        self.path = self.confirmation_path(mail.outbox[0])
        self.alert = Alert.objects.get()

    def test_it_refuses_a_tampered_confirmation_link(self):
        token = self.path.rstrip("/").rsplit("/", 1)[1]
        for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), token[:20], "x"):
            with self.subTest(bad=bad), self.at(minutes=1):
                for method in ("get", "post"):
                    response = getattr(self.client, method)(f"/alerts/confirm/{bad}/")
                    self.assertContains(response, "not valid", status_code=400)
        payload, stamp, signature = token.split(":")
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        changed = base64.urlsafe_b64encode(json.dumps({**data, "f": "weekly"}).encode())
        other_key = signing.dumps(data, salt=tokens.CONFIRM_SALT, key="not the site's key")
        for forged in (f"{changed.decode().rstrip('=')}:{stamp}:{signature}", other_key):
            with self.subTest(forged=forged), self.at(minutes=1):
                response = self.client.post(f"/alerts/confirm/{forged}/")
                self.assertContains(response, "not valid", status_code=400)
        self.alert.refresh_from_db()
        self.assertFalse(self.alert.is_confirmed)

    def test_it_refuses_an_expired_confirmation_link_and_then_forgets_the_address(self):
        with self.at(days=8):
            response = self.client.post(self.path)
            self.assertContains(response, "expired", status_code=400)
            self.send_alerts()
        self.assertFalse(Alert.objects.exists())

    def test_it_shows_a_button_to_confirm_and_changes_nothing_on_get(self):
        with self.at(minutes=1):
            page = self.client.get(self.path)
        self.assertContains(page, "<button")
        self.alert.refresh_from_db()
        self.assertFalse(self.alert.is_confirmed)

    def test_it_refuses_a_forged_unsubscribe_token_and_changes_nothing(self):
        with self.at(minutes=1):
            self.client.post(self.path)
        real = tokens.unsubscribe(self.alert.key)
        key, signature = real.split(":")
        mailer = Client(enforce_csrf_checks=True)
        for bad in (
            f"{key}:{'A' * len(signature)}",
            key,
            f"{key[:-1]}{'B' if key.endswith('A') else 'A'}:{signature}",
            "x:y",
        ):
            for method in ("get", "post"):
                with self.subTest(bad=bad, method=method):
                    response = getattr(mailer, method)(f"/alerts/unsubscribe/{bad}/")
                    self.assertContains(response, "Nothing was changed", status_code=400)
        self.assertTrue(Alert.objects.get().is_confirmed)

    def test_it_shows_a_button_to_unsubscribe_and_changes_nothing_on_get(self):
        real = tokens.unsubscribe(self.alert.key)
        page = self.client.get(f"/alerts/unsubscribe/{real}/")
        self.assertContains(page, "<button")
        self.assertContains(page, "reader@example.org")
        self.assertNotContains(page, "csrfmiddlewaretoken")
        self.assertTrue(Alert.objects.exists())
        self.assertEqual(self.client.post(f"/alerts/unsubscribe/{real}/").status_code, 200)
        self.assertFalse(Alert.objects.exists())
        again = self.client.post(f"/alerts/unsubscribe/{real}/")
        self.assertEqual(again.status_code, 200, "a second click is no error")


class SendingTests(AlertTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.parents = term("audience", "parents", "Parents")

    def setUp(self):
        super().setUp()
        with self.at(minutes=0):
            self.follow({"audience": "parents"}, "reader@example.org")
            self.confirm(mail.outbox[0])
        with self.at(minutes=30):
            self.item = make_resource("A guide for parents", terms=[self.parents])

    def test_it_records_nothing_when_the_mail_server_refuses_and_sends_next_time(self):
        broken = mock.Mock()
        broken.send_messages.side_effect = OSError("connection refused")
        with self.at(hours=1), mock.patch.object(digests, "get_connection", return_value=broken):
            report = digests.send_due()
        self.assertEqual(report.sent, 0)
        self.assertEqual(len(report.failed), 1)
        self.assertFalse(Digest.objects.exists())
        self.assertIsNone(Alert.objects.get().last_sent)
        with self.at(hours=2):
            (digest,) = self.send_alerts()
        self.assertIn(self.item.title, digest.body)

    def test_it_sends_nothing_for_an_alert_another_run_has_just_claimed(self):
        alert = Alert.objects.get()
        with self.at(hours=1):
            self.assertTrue(digests.send_digest(alert, timezone.now(), digests.get_connection()))
            # The same alert as a second run read it, before the first one committed.
            self.assertFalse(digests.send_digest(alert, timezone.now(), digests.get_connection()))
        self.assertEqual(Digest.objects.count(), 1)

    def test_it_sends_a_weekly_alert_a_week_after_the_last_digest(self):
        Alert.objects.update(frequency="weekly")
        with self.at(hours=1):
            self.assertEqual(len(self.send_alerts()), 1)
        with self.at(days=3):
            make_resource("Another guide for parents", terms=[self.parents])
            self.assertEqual(self.send_alerts(), [])
        with self.at(days=7):
            (digest,) = self.send_alerts()
        self.assertIn("Another guide for parents", digest.body)
        self.assertNotIn(self.item.title, digest.body)

    def test_it_follows_a_renamed_term_and_reports_a_deleted_one(self):
        from shelf.curation import terms

        topic = term("topic", "t-old", "Helplines")
        gone = term("topic", "gone", "Gone")
        for slug in ("t-old", "gone"):
            Alert.objects.create(
                email="reader@example.org",
                query=f"topic={slug}",
                language="en",
                confirmed_at=self.start,
                since=self.start,
            )
        with self.at(minutes=1):
            topic.slug = "t-new"
            terms.renamed(topic, "t-old", topic.label, self.admin)
            topic.save()
            gone.delete()
        with self.at(minutes=2):
            make_resource("Helpline guide", terms=[topic])
        with self.at(minutes=3):
            report = digests.send_due()
        self.assertEqual(report.sent, 1)
        self.assertEqual(len(report.failed), 1)
        self.assertIn("gone", report.failed[0])
        self.assertTrue(Alert.objects.filter(query="topic=t-new").exists())
        self.assertIn("Helpline guide", mail.outbox[-1].body)
