import datetime

import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from shelf.catalogue.models import Resource, Status
from shelf.curation import workflow
from shelf.curation.models import AuditEvent
from shelf.curation.tests.base import CurationTestCase, make_resource

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


class WorkflowTestCase(CurationTestCase):
    def setUp(self):
        self.draft = make_resource("A draft guide", status=Status.DRAFT)

    def test_it_lets_an_editor_send_a_draft_to_review(self):
        workflow.apply(self.draft, "submit", self.editor)
        self.assertEqual(Resource.objects.get(pk=self.draft.pk).status, Status.REVIEW)

    def test_it_refuses_to_let_an_editor_publish_even_their_own_draft(self):
        for status in (Status.DRAFT, Status.REVIEW):
            with self.subTest(status=status):
                Resource.objects.filter(pk=self.draft.pk).update(status=status)
                self.draft.refresh_from_db()
                with self.assertRaises(PermissionDenied):
                    workflow.apply(self.draft, "publish", self.editor)
                self.assertEqual(Resource.objects.get(pk=self.draft.pk).status, status)

    def test_it_refuses_every_reviewer_action_to_an_editor_and_a_member(self):
        for name in ("publish", "reject", "unpublish", "archive", "restore"):
            for user in (self.editor, self.member):
                with (
                    self.subTest(action=name, user=user.username),
                    self.assertRaises(PermissionDenied),
                ):
                    workflow.check(self.draft, name, user)

    def test_it_lets_a_reviewer_publish_and_marks_it_reviewed(self):
        workflow.apply(self.draft, "submit", self.editor)
        with time_machine.travel(NOW):
            workflow.apply(self.draft, "publish", self.reviewer)
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.status, Status.PUBLISHED)
        self.assertEqual(self.draft.last_reviewed, NOW.date())

    def test_it_requires_a_reason_to_reject(self):
        workflow.apply(self.draft, "submit", self.editor)
        with self.assertRaises(workflow.WorkflowError):
            workflow.apply(self.draft, "reject", self.reviewer, reason="   ")
        workflow.apply(self.draft, "reject", self.reviewer, reason="Add the publisher.")
        self.assertEqual(Resource.objects.get(pk=self.draft.pk).status, Status.DRAFT)
        event = AuditEvent.objects.get(action="reject")
        self.assertEqual(event.details["reason"], "Add the publisher.")
        self.assertEqual(event.actor, self.reviewer)

    def test_it_refuses_transitions_from_the_wrong_state(self):
        with self.assertRaises(workflow.WorkflowError):
            workflow.apply(self.draft, "unpublish", self.reviewer)
        with self.assertRaises(workflow.WorkflowError):
            workflow.apply(self.draft, "restore", self.reviewer)

    def test_it_walks_publish_unpublish_archive_restore(self):
        steps = [
            ("publish", Status.PUBLISHED),
            ("unpublish", Status.DRAFT),
            ("archive", Status.ARCHIVED),
            ("restore", Status.DRAFT),
        ]
        for name, status in steps:
            workflow.apply(self.draft, name, self.reviewer)
            self.assertEqual(Resource.objects.get(pk=self.draft.pk).status, status)
        events = AuditEvent.objects.filter(
            target_id=str(self.draft.pk), target_type="catalogue.resource"
        )
        actions = list(events.order_by("id").values_list("action", flat=True))
        self.assertEqual(actions, ["publish", "unpublish", "archive", "restore"])

    def test_it_offers_each_role_only_its_transitions(self):
        self.assertEqual([t.name for t in workflow.allowed(self.draft, self.editor)], ["submit"])
        self.assertEqual(
            [t.name for t in workflow.allowed(self.draft, self.reviewer)],
            ["submit", "publish", "archive"],
        )

    def test_it_records_each_transition_as_a_revision_by_its_actor(self):
        workflow.apply(self.draft, "submit", self.editor)
        latest = self.draft.history.latest()
        self.assertEqual(latest.status, Status.REVIEW)
        self.assertEqual(latest.history_user, self.editor)
        self.assertEqual(latest.history_change_reason, "submit")


class ScheduledPublishTestCase(CurationTestCase):
    def setUp(self):
        self.item = make_resource("An embargoed report", status=Status.REVIEW)

    def test_it_approves_with_a_future_date_without_publishing(self):
        with time_machine.travel(NOW):
            workflow.apply(
                self.item, "publish", self.reviewer, publish_at=NOW + datetime.timedelta(days=2)
            )
        self.item.refresh_from_db()
        self.assertEqual(self.item.status, Status.REVIEW)
        self.assertEqual(self.item.publish_at, NOW + datetime.timedelta(days=2))
        self.assertFalse(Resource.objects.visible_to(self.member).filter(pk=self.item.pk).exists())
        self.assertTrue(AuditEvent.objects.filter(action="schedule").exists())

    def test_the_command_publishes_only_items_that_are_due(self):
        later = make_resource("Later", status=Status.REVIEW)
        with time_machine.travel(NOW):
            workflow.apply(
                self.item, "publish", self.reviewer, publish_at=NOW + datetime.timedelta(hours=1)
            )
            workflow.apply(
                later, "publish", self.reviewer, publish_at=NOW + datetime.timedelta(days=9)
            )
        with time_machine.travel(NOW + datetime.timedelta(hours=2)):
            call_command("publish_scheduled", stdout=open("/dev/null", "w"))  # noqa: SIM115
        self.item.refresh_from_db()
        later.refresh_from_db()
        self.assertEqual(self.item.status, Status.PUBLISHED)
        self.assertIsNone(self.item.publish_at)
        self.assertEqual(later.status, Status.REVIEW)
        self.assertTrue(Resource.objects.visible_to(None).filter(pk=self.item.pk).exists())

    def test_scheduled_publishing_is_a_real_save(self):
        soon = timezone.now() + datetime.timedelta(minutes=1)
        workflow.apply(self.item, "publish", self.reviewer, publish_at=soon)
        before = self.item.history.count()
        workflow.publish_due(soon + datetime.timedelta(minutes=1))
        self.assertEqual(self.item.history.count(), before + 1)
        self.assertEqual(self.item.history.latest().status, Status.PUBLISHED)
        event = AuditEvent.objects.get(action="publish")
        self.assertIsNone(event.actor)
        self.assertIn("scheduled_for", event.details)

    def test_rejecting_cancels_the_schedule(self):
        workflow.apply(
            self.item,
            "publish",
            self.reviewer,
            publish_at=timezone.now() + datetime.timedelta(days=1),
        )
        workflow.apply(self.item, "reject", self.reviewer, reason="Embargo moved")
        self.item.refresh_from_db()
        self.assertIsNone(self.item.publish_at)
        self.assertEqual(workflow.publish_due(timezone.now() + datetime.timedelta(days=2)), [])
