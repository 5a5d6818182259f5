"""Edits in the admin say what they did: the new item's status, the reason
of every revision, and an approval that an edit withdraws."""

import datetime

from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from shelf.catalogue.models import Resource, Status, Visibility
from shelf.curation import workflow
from shelf.curation.models import AuditEvent
from shelf.curation.tests.base import CurationTestCase, make_resource
from shelf.curation.tests.test_admin import CHANGELIST, form_data


class AddPageTestCase(CurationTestCase):
    def test_it_says_a_new_item_is_a_draft(self):
        self.client.force_login(self.editor)
        r = self.client.get(f"{CHANGELIST}add/")
        self.assertContains(r, "Draft")
        self.assertNotContains(r, "Published")


class RevisionReasonTestCase(CurationTestCase):
    def test_every_admin_revision_says_what_it_was(self):
        resource = make_resource("First title", status=Status.DRAFT)
        first = resource.history.latest()
        self.client.force_login(self.editor)
        self.client.post(f"{CHANGELIST}{resource.pk}/change/", form_data(resource, title="Second"))
        resource.refresh_from_db()
        url = f"{CHANGELIST}{resource.pk}/history/{first.history_id}/"
        self.client.post(url, form_data(resource, title="First title"))
        restored, edited = resource.history.all()[:2]
        self.assertEqual(edited.history_change_reason, "edited")
        self.assertEqual(restored.history_change_reason, f"restored revision {first.history_id}")
        r = self.client.get(f"{CHANGELIST}{resource.pk}/history/")
        self.assertContains(r, f"restored revision {first.history_id}")
        self.assertNotContains(r, "None")
        event = AuditEvent.objects.get(action="restore revision")
        self.assertEqual(event.details, {"revision": first.history_id})


class SiteNameTestCase(CurationTestCase):
    def test_pages_name_the_site_not_the_host(self):
        pages = ["/accounts/login/", "/resources/", "/accounts/password-reset/"]
        for path in pages:
            with self.subTest(path), override_settings(SHELF_SITE_NAME="Safeguarding Shelf"):
                r = self.client.get(path, HTTP_HOST="127.0.0.1")
                self.assertContains(r, "· Safeguarding Shelf</title>")
                self.assertNotContains(r, "127.0.0.1</title>")

    def test_the_default_name_is_shelf(self):
        r = self.client.get("/accounts/login/")
        self.assertContains(r, "Sign in · Shelf</title>")


class EditAfterApprovalTestCase(CurationTestCase):
    """A reviewer approved one version; another must not go live as reviewed."""

    def approved(self, **fields):
        resource = make_resource(
            "Members briefing", status=Status.REVIEW, visibility=Visibility.MEMBERS, **fields
        )
        later = timezone.now() + datetime.timedelta(hours=1)
        return workflow.apply(resource, "publish", self.reviewer, publish_at=later)

    def test_an_edit_withdraws_the_approval(self):
        resource = self.approved()
        self.client.force_login(self.editor)
        data = form_data(resource, title="Public briefing", visibility="public")
        r = self.client.post(f"{CHANGELIST}{resource.pk}/change/", data, follow=True)
        self.assertContains(r, "approval was withdrawn")
        resource.refresh_from_db()
        self.assertEqual((resource.status, resource.publish_at), (Status.REVIEW, None))
        self.assertEqual(resource.title, "Public briefing")
        event = AuditEvent.objects.filter(action="approval withdrawn").get()
        self.assertEqual(event.actor, self.editor)
        with self.settings():
            call_command("publish_scheduled", stdout=open("/dev/null", "w"))  # noqa: SIM115
        resource.refresh_from_db()
        self.assertEqual(resource.status, Status.REVIEW)

    def test_saving_without_a_change_keeps_the_approval(self):
        resource = self.approved()
        self.client.force_login(self.editor)
        self.client.post(f"{CHANGELIST}{resource.pk}/change/", form_data(resource))
        resource.refresh_from_db()
        self.assertIsNotNone(resource.publish_at)

    def test_the_command_refuses_a_version_changed_after_approval_by_any_path(self):
        resource = self.approved()
        # A change that did not come through the admin (an import, the shell).
        resource.title = "Changed elsewhere"
        resource.visibility = Visibility.PUBLIC
        resource.save()
        published = workflow.publish_due(timezone.now() + datetime.timedelta(hours=2))
        self.assertEqual(published, [])
        resource.refresh_from_db()
        self.assertEqual((resource.status, resource.publish_at), (Status.REVIEW, None))
        self.assertEqual(resource.visibility, Visibility.PUBLIC)
        self.assertTrue(AuditEvent.objects.filter(action="approval withdrawn").exists())

    def test_the_command_still_publishes_the_approved_version(self):
        resource = self.approved()
        published = workflow.publish_due(timezone.now() + datetime.timedelta(hours=2))
        self.assertEqual(published, [resource])
        self.assertEqual(Resource.objects.get(pk=resource.pk).status, Status.PUBLISHED)
