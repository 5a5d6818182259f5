"""The whole path of an alert: follow, confirm, an item is published,
``send_alerts`` sends the digest with exactly the right items in the
subscriber's language, one-click unsubscribe, nothing more."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from shelf.alerts.models import Alert, Digest
from shelf.alerts.tests.base import AlertTestCase
from shelf.catalogue.models import Status, Visibility
from shelf.curation import workflow
from shelf.curation.tests.base import make_resource, term


class WholePathTests(AlertTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.parents = term("audience", "parents", "Parents")
        cls.teachers = term("audience", "teachers", "Teachers")
        cls.old = make_resource("Old grooming guide for parents", terms=[cls.parents])

    def publish_the_news(self):
        """What happens in the library after the alert is confirmed."""
        self.match = make_resource("Grooming signs for parents", terms=[self.parents])
        self.other = make_resource("Grooming signs for teachers", terms=[self.teachers])
        self.draft = make_resource(
            "Grooming draft for parents", terms=[self.parents], status=Status.DRAFT
        )
        self.members = make_resource(
            "Grooming briefing for parents, members",
            terms=[self.parents],
            visibility=Visibility.MEMBERS,
        )

    def test_it_sends_a_confirmed_anonymous_follower_the_right_items_in_french(self):
        params = {"q": "grooming", "audience": "parents"}
        with self.at(minutes=0):
            listing = self.client.get("/fr/resources/", params)
            self.assertContains(listing, 'action="/fr/alerts/follow/"')
            self.assertNotContains(listing, "csrfmiddlewaretoken")
            page = self.client.get("/fr/alerts/follow/", {**params, "frequency": "daily"})
            self.assertContains(page, "csrfmiddlewaretoken")
            self.assertContains(page, '<input type="hidden" name="q" value="grooming">')
            response = self.follow(params, "Reader@Example.org", prefix="/fr")
            self.assertRedirects(response, "/fr/alerts/follow/sent/")
            (confirmation,) = mail.outbox
            self.assertEqual(confirmation.to, ["reader@example.org"])
            self.assertIn("confirmez", confirmation.subject.casefold())
            # Not confirmed: nothing goes out, whatever is published.
            make_resource("Grooming news for parents before confirming", terms=[self.parents])
            self.assertEqual(self.send_alerts(), [])
        with self.at(minutes=5):
            self.confirm(confirmation)
        alert = Alert.objects.get()
        self.assertEqual(
            (alert.query, alert.frequency, alert.language),
            ("q=grooming&audience=parents", "daily", "fr"),
        )
        self.assertIsNone(alert.user)

        with self.at(hours=1):
            self.publish_the_news()
        with self.at(hours=2):
            (digest,) = self.send_alerts()
        text = self.text_of(digest)
        self.assertIn(self.match.title, text)
        for absent in (self.other, self.draft, self.members, self.old):
            self.assertNotIn(absent.title, text)
        self.assertIn("nouvelle ressource", digest.subject)
        self.assertIn('lang="fr"', self.html_of(digest))
        self.assertIn("http://127.0.0.1:8000/fr/resources/?q=grooming&audience=parents", text)
        unsubscribe = digest.extra_headers["List-Unsubscribe"].strip("<>")
        self.assertEqual(
            digest.extra_headers["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click"
        )
        self.assertIn(unsubscribe, digest.body)
        self.assertIn(unsubscribe, self.html_of(digest))

        with self.at(hours=3):
            self.assertEqual(self.send_alerts(), [], "run twice, sent once")
        with self.at(days=1, hours=3):
            self.assertEqual(self.send_alerts(), [], "nothing new")

        # A mail program's one-click POST: no cookie, no CSRF token.
        mailer = Client(enforce_csrf_checks=True)
        with self.at(days=1, hours=4):
            response = mailer.post(
                urlsplit(unsubscribe).path,
                "List-Unsubscribe=One-Click",
                content_type="application/x-www-form-urlencoded",
            )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Alert.objects.exists())
        self.assertFalse(Digest.objects.exists())
        with self.at(days=2):
            make_resource("Grooming guide for parents, after", terms=[self.parents])
        with self.at(days=3):
            self.assertEqual(self.send_alerts(), [])

    def test_it_sends_a_signed_in_member_the_members_only_items_too(self):
        self.client.force_login(self.member)
        with self.at(minutes=0):
            self.follow({"audience": "parents"}, self.member.email, "weekly")
            self.confirm(mail.outbox[0])
        self.assertEqual(Alert.objects.get().user, self.member)
        with self.at(hours=1):
            self.publish_the_news()
        with self.at(hours=2):
            (digest,) = self.send_alerts()
        text = self.text_of(digest)
        self.assertIn(self.members.title, text)
        self.assertIn(self.match.title, text)
        self.assertNotIn(self.draft.title, text)
        self.assertNotIn(self.other.title, text)
        self.assertIn(f"http://127.0.0.1:8000/resources/{self.match.slug}/", text)

    def test_it_reads_as_the_public_once_the_account_is_inactive_or_has_another_address(self):
        self.client.force_login(self.member)
        with self.at(minutes=0):
            self.follow({"audience": "parents"}, self.member.email, "daily")
            self.confirm(mail.outbox[0])
        for day, change in enumerate(("inactive", "address"), start=1):
            user = User.objects.get(pk=self.member.pk)
            user.is_active = change != "inactive"
            user.email = "elsewhere@example.org" if change == "address" else user.email
            user.save()
            with self.at(days=day * 2):
                hidden = make_resource(
                    f"Members note {change}", terms=[self.parents], visibility=Visibility.MEMBERS
                )
                public = make_resource(f"Public note {change}", terms=[self.parents])
            with self.subTest(change), self.at(days=day * 2, hours=1):
                (digest,) = self.send_alerts()
                self.assertIn(public.title, self.text_of(digest))
                self.assertNotIn(hidden.title, self.text_of(digest))

    def test_it_sends_an_item_again_when_it_is_updated_and_marks_it(self):
        with self.at(minutes=0):
            self.follow({"audience": "parents"}, "reader@example.org")
            self.confirm(mail.outbox[0])
        with self.at(hours=1):
            item = make_resource("Parents' guide", terms=[self.parents])
        with self.at(hours=2):
            (first,) = self.send_alerts()
        self.assertIn(item.title, first.body)
        self.assertNotIn("(updated)", first.body)
        with self.at(days=1, hours=3):
            item.summary = "A new chapter."
            item.save()
        with self.at(days=1, hours=4):
            (second,) = self.send_alerts()
        self.assertIn(f"{item.title} (updated)", second.body)

    def test_it_includes_an_item_published_from_review(self):
        with self.at(minutes=0):
            self.follow({"audience": "parents"}, "reader@example.org")
            self.confirm(mail.outbox[0])
            draft = make_resource("Waiting guide", terms=[self.parents], status=Status.DRAFT)
            workflow.apply(draft, "submit", self.editor)
        with self.at(hours=1):
            self.assertEqual(self.send_alerts(), [], "a draft is news to nobody")
            workflow.apply(draft, "publish", self.reviewer)
        with self.at(hours=2):
            (digest,) = self.send_alerts()
        self.assertIn(draft.title, digest.body)
        self.assertNotIn("(updated)", digest.body, "new to the subscriber")

    def test_it_lists_the_newest_first_and_caps_the_list_with_a_link_to_the_rest(self):
        with self.at(minutes=0):
            self.follow({"audience": "parents"}, "reader@example.org")
            self.confirm(mail.outbox[0])
        for n in range(5):
            with self.at(minutes=10 + n):
                make_resource(f"Item number {n}", terms=[self.parents])
        with self.settings(SHELF_ALERTS_MAX_ITEMS=3), self.at(hours=1):
            (digest,) = self.send_alerts()
        body = digest.body
        positions = [body.find(f"Item number {n}") for n in (4, 3, 2)]
        self.assertEqual(positions, sorted(positions))
        self.assertNotIn("Item number 1", body)
        self.assertIn("And 2 more.", body)
        self.assertIn("5 new resources", digest.subject)
        self.assertEqual(Digest.objects.get().count, 5)

    def test_it_writes_the_search_plainly_in_the_subject_and_escaped_in_the_html(self):
        with self.at(minutes=0):
            self.follow({"q": "parents' <guide>"}, "reader@example.org")
            self.confirm(mail.outbox[0])
        with self.at(hours=1):
            make_resource("Parents' guide <2024>", summary="A guide for parents.")
        with self.at(hours=2):
            (digest,) = self.send_alerts()
        self.assertIn("“parents' <guide>”", digest.subject)
        self.assertIn("Parents' guide <2024>", digest.body)
        self.assertIn("Parents&#x27; guide &lt;2024&gt;", self.html_of(digest))
        self.assertNotIn("<guide>", self.html_of(digest))
