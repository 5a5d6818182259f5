import datetime
from unittest import mock

from django.utils import timezone

from shelf.catalogue.models import Status
from shelf.curation import freshness
from shelf.curation.tests.base import CurationTestCase, make_resource


class DashboardTestCase(CurationTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        today = timezone.localdate()
        cls.overdue = make_resource("Stale advice", review_by=today - datetime.timedelta(days=3))
        cls.current = make_resource("Current advice", review_by=today + datetime.timedelta(days=3))
        cls.archived = make_resource(
            "Archived advice", status=Status.ARCHIVED, review_by=today - datetime.timedelta(days=9)
        )
        cls.waiting = make_resource("Waiting for review", status=Status.REVIEW)
        cls.draft = make_resource("Half-written draft", status=Status.DRAFT)

    def test_it_lists_overdue_items_waiting_items_and_drafts(self):
        self.client.force_login(self.editor)
        r = self.client.get("/curation/")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(list(r.context["overdue"]), [self.overdue])
        self.assertEqual(list(r.context["in_review"]), [self.waiting])
        self.assertEqual(list(r.context["drafts"]), [self.draft])
        self.assertContains(r, "1 item past its review date")
        self.assertContains(r, "Half-written draft")
        self.assertNotContains(r, "Current advice")
        self.assertNotContains(r, "Archived advice")
        self.assertContains(r, 'id="main"')

    def test_it_is_for_staff_only(self):
        r = self.client.get("/curation/")
        self.assertRedirects(r, "/accounts/login/?next=/curation/", fetch_redirect_response=False)
        self.client.force_login(self.member)
        r = self.client.get("/curation/")
        self.assertEqual(r.status_code, 403)
        self.assertNotIn("Stale advice", r.content.decode())

    def test_the_failed_files_hook_is_empty_without_the_files_app(self):
        self.assertEqual(freshness.failed_files(), [])

    def test_the_failed_files_hook_asks_the_files_app_when_installed(self):
        file_model = mock.MagicMock()
        failed = file_model.objects.filter.return_value.select_related.return_value
        failed.order_by.return_value = ["broken.pdf"]
        with (
            mock.patch.object(freshness.apps, "is_installed", return_value=True),
            mock.patch.object(freshness.apps, "get_model", return_value=file_model),
        ):
            self.assertEqual(freshness.failed_files(), ["broken.pdf"])
        file_model.objects.filter.assert_called_once_with(status="failed")

    def test_the_admin_index_links_to_the_dashboard(self):
        self.client.force_login(self.editor)
        self.assertContains(self.client.get("/admin/"), 'href="/curation/"')


class SupersededEditionsTestCase(CurationTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        past = timezone.localdate() - datetime.timedelta(days=3)
        cls.old = make_resource("Guide, 2015 edition", review_by=past)
        cls.new = make_resource("Guide, 2024 edition", review_by=past, supersedes=cls.old)
        # Replaced only by a draft: still the current edition readers see.
        cls.kept = make_resource("Leaflet", review_by=past)
        make_resource("Leaflet, new draft", status=Status.DRAFT, supersedes=cls.kept)

    def test_superseded_editions_are_left_out_of_overdue_and_listed_below(self):
        self.client.force_login(self.editor)
        r = self.client.get("/curation/")
        self.assertEqual(set(r.context["overdue"]), {self.new, self.kept})
        self.assertEqual(list(r.context["superseded"]), [self.old])
        page = r.content.decode()
        self.assertLess(page.index("Guide, 2024 edition"), page.index("Guide, 2015 edition"))
        self.assertIn("1 superseded edition past its review date", page)

    def test_the_admin_filter_agrees(self):
        self.client.force_login(self.editor)
        r = self.client.get("/admin/catalogue/resource/?review=overdue")
        self.assertNotContains(r, "Guide, 2015 edition")
        self.assertContains(r, "Guide, 2024 edition")
        r = self.client.get("/admin/catalogue/resource/?review=superseded")
        self.assertContains(r, "Guide, 2015 edition")
        self.assertNotContains(r, "Guide, 2024 edition")
