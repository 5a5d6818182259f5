"""The extraction task marks files ready or failed and never raises."""

from unittest import mock

from django.core.files.base import ContentFile

from shelf.files import tasks
from shelf.files.models import FilePage, FileStatus, ResourceFile
from shelf.files.tests import samples
from shelf.files.tests.base import FilesTestCase
from shelf.lib.filetypes import DOCX, PDF


class ExtractTaskTestCase(FilesTestCase):
    def stored(self, data: bytes, content_type: str = PDF, name: str = "x.pdf") -> ResourceFile:
        """A stored file that skipped the upload checks, as a file that got
        past them (or was damaged in storage) would be."""
        item = ResourceFile(
            resource=self.guide,
            filename=name,
            content_type=content_type,
            sha256=f"{len(data):064d}",
            size=len(data),
        )
        item.file.save(name, ContentFile(data))
        return item

    def run_task(self, item: ResourceFile) -> ResourceFile:
        result = tasks.extract_file.enqueue(item.pk)
        self.assertEqual(result.status, "SUCCESSFUL")
        item.refresh_from_db()
        return item

    def test_it_marks_a_good_file_ready(self):
        item = self.run_task(self.stored(samples.pdf(["One", "Two", "Three"])))
        self.assertEqual((item.status, item.error, item.page_count), (FileStatus.READY, "", 3))
        self.assertEqual(item.pages.count(), 3)

    def test_it_marks_broken_and_encrypted_files_failed_with_the_reason(self):
        pdf = samples.pdf(["Hello"])
        table = [
            ("encrypted", samples.encrypted_pdf(["Hello"]), PDF, "password protected"),
            ("truncated", pdf[: len(pdf) // 3], PDF, "damaged or incomplete"),
            ("garbage", b"%PDF-1.4\n" + bytes(range(256)) * 8, PDF, "damaged or incomplete"),
            ("zip bomb", samples.zip_bomb_docx(), DOCX, "zip bomb"),
        ]
        for case, data, content_type, words in table:
            with self.subTest(case):
                item = self.run_task(self.stored(data, content_type))
                self.assertEqual(item.status, FileStatus.FAILED)
                self.assertIn(words, item.error)
                self.assertIsNone(item.page_count)
                self.assertFalse(item.pages.exists())

    def test_it_marks_failed_when_the_reader_crashes(self):
        item = self.stored(samples.pdf(["x"]))
        crash = mock.patch("shelf.lib.extract.extract", side_effect=RuntimeError("boom"))
        with crash, self.settings(SHELF_EXTRACT_ISOLATED=False):
            item = self.run_task(item)
        self.assertEqual(item.status, FileStatus.FAILED)
        self.assertIn("unexpected error", item.error)

    def test_it_replaces_the_pages_of_an_earlier_reading(self):
        item = self.run_task(self.stored(samples.pdf(["One", "Two"])))
        FilePage.objects.filter(file=item, number=1).update(text="stale")
        item = self.run_task(item)
        self.assertEqual(list(item.pages.values_list("text", flat=True)), ["One", "Two"])

    def test_it_does_nothing_for_a_deleted_file(self):
        result = tasks.extract_file.enqueue(987654)
        self.assertEqual(result.return_value, "gone")
