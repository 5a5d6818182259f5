import unittest

from django.apps import apps

from shelf.search.tests.factories import resource
from shelf.search.tests.test_engine import search
from shelf.test import BaseTestCase


@unittest.skipUnless(apps.is_installed("shelf.files"), "shelf.files is not installed")
class FileTextTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.item = resource("Annual report", "Numbers and stories.")

    def attach(self, text: str, status: str = "ready"):
        resource_file = apps.get_model("files", "ResourceFile")
        file_page = apps.get_model("files", "FilePage")
        item = resource_file.objects.create(
            resource=self.item,
            file="files/report.pdf",
            filename="report.pdf",
            content_type="application/pdf",
            sha256="0" * 64,
            size=1000,
        )
        # As extraction does: pages in bulk, then the file saved as read.
        file_page.objects.bulk_create([file_page(file=item, number=1, text=text)])
        item.status = status
        item.save()
        return item

    def test_it_finds_text_inside_an_attached_file(self):
        self.assertEqual(search("helpline").count, 0)
        self.attach("Calls to the national helpline doubled.")
        results = search("helpline")
        self.assertEqual(results.count, 1)
        self.assertIn("<mark>helpline</mark>", results.snippets[self.item.pk])

    def test_it_ignores_files_not_read_yet(self):
        self.attach("Calls to the national helpline doubled.", status="pending")
        self.assertEqual(search("helpline").count, 0)

    def test_it_forgets_the_text_of_a_deleted_file(self):
        self.attach("Calls to the national helpline doubled.").delete()
        self.assertEqual(search("helpline").count, 0)

    def test_it_forgets_the_text_of_a_file_whose_new_reading_failed(self):
        from shelf.files.tasks import mark_failed

        item = self.attach("Calls to the national helpline doubled.")
        self.assertEqual(search("helpline").count, 1)
        mark_failed(item, "This PDF is damaged.")
        self.assertEqual(search("helpline").count, 0)
