"""Which files are accepted, judged by content; hostile files refused."""

import tempfile
from pathlib import Path

from django.test import SimpleTestCase

from shelf.files.tests import samples
from shelf.lib import filetypes
from shelf.lib.filetypes import DOCX, JPEG, PDF, PNG, PPTX, FileProblem


class FileTypesTestCase(SimpleTestCase):
    def inspect(self, data: bytes, name: str = "file"):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "upload"
            path.write_bytes(data)
            return filetypes.inspect(path, name)

    def refusal(self, data: bytes, name: str = "file") -> FileProblem:
        with self.assertRaises(FileProblem) as caught:
            self.inspect(data, name)
        return caught.exception

    def test_it_detects_the_type_from_the_content(self):
        table = [
            ("report.pdf", samples.pdf(["Hello"]), PDF),
            ("report.docx", samples.docx([["Hello"]]), DOCX),
            ("slides.pptx", samples.pptx([["Hello"]]), PPTX),
            ("picture.png", samples.image("PNG"), PNG),
            ("photo.jpg", samples.image("JPEG"), JPEG),
            ("photo.jpeg", samples.image("JPEG"), JPEG),
            # No extension, or one that names no type: the content decides.
            ("report", samples.pdf(["Hello"]), PDF),
            ("slides.final", samples.pptx([["Hello"]]), PPTX),
            ("UPPER.PDF", samples.pdf(["Hello"]), PDF),
        ]
        for name, data, expected in table:
            with self.subTest(name=name):
                self.assertEqual(self.inspect(data, name).content_type, expected)

    def test_it_refuses_what_it_does_not_accept(self):
        table = [
            ("program.pdf", b"MZ\x90\x00\x03" + b"\x00" * 100, "a program"),
            ("page.pdf", b"<!DOCTYPE html><html><script>alert(1)</script>", "HTML"),
            ("image.svg", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">', "SVG"),
            ("image.png", b'<svg onload="alert(1)"/>', "SVG"),
            ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old-style"),
            ("anim.gif", b"GIF89a" + b"\x00" * 20, "image format"),
            ("notes.txt", b"just text", "does not recognise"),
            ("empty.pdf", b"", "does not recognise"),
            ("archive.zip", samples._zip({"a.txt": b"hello"}), "ZIP archive"),
            # HTML before the PDF header: a polyglot, not a PDF.
            ("poly.pdf", b"<html>" + samples.pdf(["x"]), "HTML"),
        ]
        for name, data, words in table:
            with self.subTest(name=name):
                problem = self.refusal(data, name)
                self.assertEqual(problem.code, "unsupported")
                self.assertIn(words, str(problem))

    def test_it_refuses_a_name_that_claims_another_type(self):
        table = [
            ("picture.pdf", samples.image("PNG"), "a PNG image", ".png"),
            ("report.docx", samples.pdf(["x"]), "a PDF document", ".pdf"),
            ("report.exe", samples.pdf(["x"]), "a PDF document", ".pdf"),
            ("report.html", samples.pdf(["x"]), "a PDF document", ".pdf"),
            ("slides.docx", samples.pptx([["x"]]), "a PowerPoint presentation", ".pptx"),
        ]
        for name, data, actual, extension in table:
            with self.subTest(name=name):
                problem = self.refusal(data, name)
                self.assertEqual(problem.code, "mismatch")
                self.assertIn(actual, str(problem))
                self.assertIn(extension, str(problem))

    def test_it_refuses_pdf_scripts_and_automatic_actions(self):
        js = b"<< /S /JavaScript /JS (app.alert(1)) >>"
        table = {
            "open action": samples.pdf(["x"], catalog=b"/OpenAction " + js),
            "document script": samples.pdf(["x"], catalog=b"/Names << /JavaScript 99 0 R >>"),
            "launch": samples.pdf(["x"], catalog=b"/OpenAction << /S /Launch /F (cmd.exe) >>"),
            "page additional actions": samples.pdf(["x"], page=b"/AA << /O 99 0 R >>"),
            "escaped name": samples.pdf(["x"], catalog=b"/OpenAction << /S /J#61vaScript >>"),
            "hidden in an object stream": samples.pdf(["x"], objects=[samples.object_stream([js])]),
            "xfa form": samples.pdf(["x"], catalog=b"/AcroForm << /XFA 99 0 R >>"),
        }
        for case, data in table.items():
            with self.subTest(case):
                self.assertEqual(self.refusal(data, "x.pdf").code, "active_content")

    def test_it_accepts_an_open_action_that_only_shows_a_page(self):
        data = samples.pdf(["x"], catalog=b"/OpenAction [4 0 R /Fit]")
        self.assertEqual(self.inspect(data, "x.pdf").content_type, PDF)

    def test_it_does_not_mistake_compressed_page_content_for_a_script(self):
        # "/JS" inside a content stream is drawn text, not a script.
        self.assertEqual(self.inspect(samples.pdf(["/JS /AA /Launch"])).content_type, PDF)

    def test_it_refuses_an_object_stream_it_cannot_decode(self):
        head = b"<< /Type /ObjStm /N 1 /First 4 /Filter /LZWDecode /Length 4 >>"
        stream = head + b"\nstream\nabcd\nendstream"
        self.assertEqual(self.refusal(samples.pdf(["x"], objects=[stream])).code, "unchecked")

    def test_it_notes_an_encrypted_pdf_for_extraction_to_fail(self):
        self.assertTrue(self.inspect(samples.encrypted_pdf(["x"])).encrypted)
        self.assertFalse(self.inspect(samples.pdf(["x"])).encrypted)

    def test_it_refuses_a_zip_bomb_disguised_as_docx(self):
        problem = self.refusal(samples.zip_bomb_docx(), "report.docx")
        self.assertEqual(problem.code, "zip_bomb")
        self.assertIn("zip bomb", str(problem))

    def test_it_refuses_an_archive_of_too_many_entries(self):
        parts = {"[Content_Types].xml": b"", "word/document.xml": b"<x/>"}
        parts.update({f"word/media/{i}.xml": b"" for i in range(filetypes.MAX_ZIP_ENTRIES)})
        self.assertEqual(self.refusal(samples._zip(parts), "x.docx").code, "zip_bomb")

    def test_it_refuses_office_files_with_macros(self):
        data = samples.docx([["x"]], extra={"word/vbaProject.bin": b"\x00" * 10})
        self.assertEqual(self.refusal(data, "x.docx").code, "macros")

    def test_it_refuses_a_damaged_zip(self):
        data = samples.docx([["x"]])
        self.assertEqual(self.refusal(data[: len(data) // 2], "x.docx").code, "broken")

    def test_it_refuses_an_image_decompression_bomb(self):
        table = {
            "over Shelf's limit": samples.png_header(9000, 8000),
            "over Pillow's limit": samples.png_header(20000, 20000),
        }
        for case, data in table.items():
            with self.subTest(case):
                self.assertEqual(self.refusal(data, "x.png").code, "pixel_bomb")

    def test_it_refuses_a_damaged_image(self):
        data = samples.image("PNG")
        self.assertEqual(self.refusal(data[:40], "x.png").code, "broken")
