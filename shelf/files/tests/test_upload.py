"""attach_file: checks before saving, stores, queues extraction."""

import hashlib

from django.core.exceptions import ValidationError
from django.test import override_settings

from shelf.files import services
from shelf.files.models import FilePage, FileStatus, ResourceFile
from shelf.files.tests import samples
from shelf.files.tests.base import FilesTestCase
from shelf.lib.filetypes import DOCX, PDF, PNG, PPTX


class AttachFileTestCase(FilesTestCase):
    def refuse(self, data: bytes, name: str = "guide.pdf") -> ValidationError:
        before = self.stored_files()
        with self.assertRaises(ValidationError) as caught:
            self.attach(data, name)
        # A refused file leaves nothing behind: no row, no stored bytes.
        self.assertFalse(ResourceFile.objects.exists())
        self.assertEqual(self.stored_files(), before)
        return caught.exception

    def test_it_stores_the_file_with_its_hash_size_and_detected_type(self):
        data = samples.pdf(["Hello"])
        item = self.attach(data, "Guide (final).pdf", user=self.editor)
        self.assertEqual(item.filename, "Guide (final).pdf")
        self.assertEqual(item.content_type, PDF)
        self.assertEqual(item.sha256, hashlib.sha256(data).hexdigest())
        self.assertEqual(item.size, len(data))
        self.assertEqual(item.uploaded_by, self.editor)
        self.assertEqual(item.file.read(), data)
        # Stored under a name of our own, not the uploader's.
        self.assertNotIn("Guide", item.file.name)
        self.assertTrue(item.file.name.startswith("files/"))

    def test_it_reads_the_file_after_the_commit(self):
        item = self.attach(samples.pdf(["Page one text", "Page two text"]))
        self.assertEqual(item.status, FileStatus.READY)
        self.assertEqual(item.page_count, 2)
        self.assertEqual(
            list(item.pages.values_list("number", "text")),
            [(1, "Page one text"), (2, "Page two text")],
        )
        self.assertTrue(item.thumbnail.name.endswith(".webp"))
        self.assertIsNotNone(item.processed)

    def test_it_leaves_the_file_pending_until_the_commit(self):
        services.attach_file(
            resource=self.guide, upload=samples.upload("a.pdf", samples.pdf(["x"]))
        )
        self.assertEqual(ResourceFile.objects.get().status, FileStatus.PENDING)

    def test_it_reads_every_accepted_format(self):
        table = [
            # Office files have a thumbnail only when they carry a preview picture.
            ("slides.pptx", samples.pptx([["One"], ["Two"]]), PPTX, 2, ["One", "Two"], False),
            ("doc.docx", samples.docx([["One"], ["Two"]]), DOCX, 2, ["One", "Two"], False),
            ("picture.png", samples.image("PNG"), PNG, 1, [], True),
        ]
        for name, data, content_type, pages, texts, thumbnail in table:
            with self.subTest(name):
                item = self.attach(data, name)
                self.assertEqual((item.content_type, item.status), (content_type, FileStatus.READY))
                self.assertEqual(item.page_count, pages)
                self.assertEqual([p.text for p in item.pages.all()], texts)
                self.assertEqual(bool(item.thumbnail), thumbnail)

    def test_it_ignores_the_client_content_type(self):
        upload = samples.upload("a.pdf", samples.pdf(["x"]), content_type="text/html")
        item = services.attach_file(resource=self.guide, upload=upload, user=None)
        self.assertEqual(item.content_type, PDF)

    def test_it_refuses_a_duplicate_on_the_same_resource(self):
        data = samples.pdf(["Hello"])
        self.attach(data)
        with self.assertRaises(ValidationError) as caught:
            self.attach(data, "copy.pdf")
        self.assertEqual(caught.exception.code, "duplicate")
        self.assertIn("already attached", caught.exception.messages[0])
        self.assertEqual(ResourceFile.objects.count(), 1)

    def test_it_accepts_the_same_file_on_another_resource(self):
        from shelf.files.tests.base import make_resource

        data = samples.pdf(["Hello"])
        self.attach(data)
        self.attach(data, resource=make_resource("toolkit"))
        self.assertEqual(ResourceFile.objects.count(), 2)

    @override_settings(SHELF_MAX_UPLOAD_MB=1)
    def test_it_refuses_a_file_over_the_size_limit(self):
        error = self.refuse(samples.pdf([samples.words(200)]) + b"\n%" + b"x" * 1024 * 1024)
        self.assertEqual(error.code, "too_big")
        self.assertIn("1.0\xa0MB", error.messages[0])

    def test_it_refuses_an_empty_file(self):
        self.assertEqual(self.refuse(b"").code, "empty")

    def test_it_refuses_hostile_files_with_a_clear_message(self):
        js = b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"
        table = [
            ("pdf with javascript", samples.pdf(["x"], catalog=js), "a.pdf", "JavaScript"),
            ("zip bomb", samples.zip_bomb_docx(), "a.docx", "zip bomb"),
            ("program renamed", b"MZ\x90\x00" + b"\x00" * 64, "a.pdf", "program"),
            ("html renamed", b"<html><body>hi</body></html>", "a.pdf", "HTML"),
            ("svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "a.svg", "SVG"),
            ("png named pdf", samples.image("PNG"), "a.pdf", "PNG image"),
            ("pixel bomb", samples.png_header(20000, 20000), "a.png", "too large"),
        ]
        for case, data, name, words in table:
            with self.subTest(case):
                self.assertIn(words, self.refuse(data, name).messages[0])

    def test_it_cleans_the_uploaded_name(self):
        table = [
            ("../../etc/passwd.pdf", "passwd.pdf"),
            ("C:\\Users\\me\\report.pdf", "report.pdf"),
            ("bad\x00name\n.pdf", "badname.pdf"),
            ("...", "file"),
            ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
        ]
        for raw, clean in table:
            with self.subTest(raw=raw):
                self.assertEqual(services.clean_filename(raw), clean)

    def test_it_removes_stored_files_with_the_row(self):
        item = self.attach(samples.pdf(["x"]))
        names = {item.file.name, item.thumbnail.name}
        self.assertTrue(names <= set(self.stored_files()))
        with self.captureOnCommitCallbacks(execute=True):
            item.delete()
        self.assertFalse(names & set(self.stored_files()))
        self.assertFalse(FilePage.objects.exists())
