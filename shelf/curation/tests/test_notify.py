"""E-mails to curators, each to the right people only."""

import datetime

from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from shelf.accounts.models import Profile
from shelf.catalogue.models import Resource, Status, Visibility
from shelf.curation import bulk, workflow
from shelf.curation.roles import MEMBER, REVIEWER, assign_role
from shelf.curation.tests.base import CurationTestCase, make_resource, person


@override_settings(SITE_ROOT="https://library.example")
class NotifyTestCase(CurationTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.rob = person("rob", REVIEWER)
        cls.draft = make_resource(
            "Members briefing", status=Status.DRAFT, visibility=Visibility.MEMBERS
        )

    def step(self, name, actor, resource=None, **kwargs):
        with self.captureOnCommitCallbacks(execute=True):
            return workflow.apply(resource or self.draft, name, actor, **kwargs)

    def to(self) -> list[str]:
        return sorted(address for m in mail.outbox for address in m.to)


class ReviewTestCase(NotifyTestCase):
    def test_reviewers_hear_when_an_item_is_sent_to_review(self):
        self.step("submit", self.editor)
        # Reviewers and the admin (who may publish too); never the editor or a member.
        self.assertEqual(self.to(), ["ada@example.org", "rita@example.org", "rob@example.org"])
        message = mail.outbox[0]
        self.assertIn("In review: Members briefing", message.subject)
        self.assertIn("ed sent this item to review", message.body)
        self.assertIn(
            f"https://library.example/admin/catalogue/resource/{self.draft.pk}/change/",
            message.body,
        )
        self.assertIn("https://library.example/accounts/", message.body)

    def test_a_reviewer_may_turn_it_off(self):
        self.client.force_login(self.rob)
        r = self.client.post("/accounts/", {"notify_outcome": "on", "weekly_digest": "on"})
        self.assertRedirects(r, "/accounts/")
        self.assertFalse(Profile.of(self.rob).notify_review)
        self.step("submit", self.editor)
        self.assertNotIn("rob@example.org", self.to())

    def test_nothing_is_sent_before_the_change_commits(self):
        with self.captureOnCommitCallbacks(execute=False):
            workflow.apply(self.draft, "submit", self.editor)
        self.assertEqual(mail.outbox, [])

    def test_a_bulk_submission_is_one_message_per_reviewer(self):
        more = [make_resource(f"Draft {i}", status=Status.DRAFT) for i in range(3)]
        planned = bulk.plan(
            Resource.objects.filter(pk__in=[r.pk for r in more]),
            bulk.Change(bulk.TRANSITION, transition="submit"),
            self.editor,
        )
        with self.captureOnCommitCallbacks(execute=True):
            bulk.apply(planned, self.editor)
        self.assertEqual(len(mail.outbox), 3)
        self.assertIn("3 items in review", mail.outbox[0].subject)


class OutcomeTestCase(NotifyTestCase):
    def setUp(self):
        self.step("submit", self.editor)
        mail.outbox.clear()

    def test_the_editor_hears_when_it_is_published(self):
        self.step("publish", self.reviewer)
        self.assertEqual(self.to(), ["ed@example.org"])
        self.assertIn("Published: Members briefing", mail.outbox[0].subject)

    def test_the_editor_hears_why_it_was_sent_back(self):
        self.step("reject", self.reviewer, reason="The date is wrong.")
        self.assertEqual(self.to(), ["ed@example.org"])
        self.assertIn("Sent back: Members briefing", mail.outbox[0].subject)
        self.assertIn("Reason: The date is wrong.", mail.outbox[0].body)

    def test_the_editor_may_turn_it_off(self):
        Profile.objects.update_or_create(user=self.editor, defaults={"notify_outcome": False})
        self.step("publish", self.reviewer)
        self.assertEqual(mail.outbox, [])

    def test_a_former_editor_hears_nothing_about_members_only_work(self):
        assign_role(self.editor, MEMBER)
        self.step("publish", self.reviewer)
        self.assertEqual(mail.outbox, [])

    def test_a_scheduled_publish_tells_the_editor_when_it_happens(self):
        later = timezone.now() + datetime.timedelta(hours=1)
        self.step("publish", self.reviewer, publish_at=later)
        self.assertEqual(mail.outbox, [])
        with self.captureOnCommitCallbacks(execute=True):
            workflow.publish_due(later + datetime.timedelta(minutes=1))
        self.assertEqual(self.to(), ["ed@example.org"])


class DigestTestCase(NotifyTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        past = timezone.localdate() - datetime.timedelta(days=1)
        cls.mine = make_resource("Edited by ed", review_by=past)
        cls.mine.title = "Edited by ed"
        cls.mine._history_user = cls.editor
        cls.mine.save()
        cls.orphan = make_resource("Imported, never edited", review_by=past)
        cls.fresh = make_resource("Fresh", review_by=past + datetime.timedelta(days=30))
        cls.fresh._history_user = cls.editor
        cls.fresh.save()
        old = make_resource("Old edition", review_by=past)
        old._history_user = cls.editor
        old.save()
        make_resource("New edition", supersedes=old)

    def test_each_editor_gets_their_overdue_items_and_admins_the_rest(self):
        call_command("review_digest", stdout=open("/dev/null", "w"))  # noqa: SIM115
        by_person = {m.to[0]: m for m in mail.outbox}
        self.assertEqual(sorted(by_person), ["ada@example.org", "ed@example.org"])
        mine = by_person["ed@example.org"].body
        self.assertIn("Edited by ed", mine)
        self.assertNotIn("Fresh", mine)
        self.assertNotIn("Old edition", mine)
        self.assertNotIn("Imported, never edited", mine)
        self.assertIn("Imported, never edited", by_person["ada@example.org"].body)

    def test_a_person_may_turn_the_digest_off(self):
        Profile.objects.update_or_create(user=self.editor, defaults={"weekly_digest": False})
        call_command("review_digest", stdout=open("/dev/null", "w"))  # noqa: SIM115
        self.assertEqual([m.to[0] for m in mail.outbox], ["ada@example.org"])

    def test_a_demoted_editor_gets_no_digest(self):
        assign_role(self.editor, MEMBER)
        call_command("review_digest", stdout=open("/dev/null", "w"))  # noqa: SIM115
        self.assertNotIn("ed@example.org", self.to())
        # Their items are not forgotten: the administrators get them.
        self.assertIn("Edited by ed", mail.outbox[0].body)


class AccountPageTestCase(NotifyTestCase):
    def test_it_offers_each_role_only_its_notifications(self):
        table = [
            (self.member, []),
            (self.editor, ["notify_outcome", "weekly_digest"]),
            (self.reviewer, ["notify_review", "notify_outcome", "weekly_digest"]),
        ]
        for user, fields in table:
            with self.subTest(user.username):
                self.client.force_login(user)
                r = self.client.get("/accounts/")
                self.assertEqual(r.status_code, 200)
                self.assertEqual(list(r.context["form"].fields), fields)

    def test_it_needs_a_sign_in(self):
        r = self.client.get("/accounts/")
        self.assertRedirects(r, "/accounts/login/?next=/accounts/", fetch_redirect_response=False)
