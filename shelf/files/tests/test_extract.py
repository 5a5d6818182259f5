"""Text per page, page counts and thumbnails; broken files fail clearly."""

import io
import tempfile
from pathlib import Path

from django.test import SimpleTestCase
from PIL import Image

from shelf.files.tests import samples
from shelf.lib import extract
from shelf.lib.filetypes import DOCX, JPEG, PDF, PNG, PPTX, FileProblem


def thumbnail_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as img:
        assert img.format == "WEBP"
        return img.size


class ExtractTestCase(SimpleTestCase):
    def test_it_reads_pdf_text_per_page(self):
        data = samples.pdf(["First page\nwith two lines", "Second (page)", "Enlèvement"])
        result = extract.extract(data, PDF)
        self.assertEqual(result.page_count, 3)
        self.assertEqual(
            result.pages, ["First page\nwith two lines", "Second (page)", "Enlèvement"]
        )

    def test_it_renders_a_small_thumbnail_of_the_first_page(self):
        result = extract.extract(samples.pdf(["Hello"]), PDF)
        width, height = thumbnail_size(result.thumbnail)
        self.assertLessEqual(width, extract.THUMBNAIL_SIZE[0])
        self.assertLessEqual(height, extract.THUMBNAIL_SIZE[1])
        self.assertGreater(width, 100)

    def test_it_reads_a_path_a_file_object_and_bytes(self):
        data = samples.pdf(["Hello"])
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "x.pdf"
            path.write_bytes(data)
            for source in (path, str(path), io.BytesIO(data), data):
                with self.subTest(source=type(source).__name__):
                    self.assertEqual(extract.extract(source, PDF).pages, ["Hello"])

    def test_it_reads_docx_text_per_page(self):
        data = samples.docx([["Title", "First paragraph"], ["Second page"], ["Third & last"]])
        result = extract.extract(data, DOCX)
        self.assertEqual(result.pages, ["Title\nFirst paragraph", "Second page", "Third & last"])
        self.assertEqual(result.page_count, 3)

    def test_it_splits_docx_pages_where_word_last_broke_them(self):
        body = (
            "<w:p><w:r><w:t>One</w:t><w:tab/><w:t>two</w:t></w:r>"
            # A text box: a paragraph inside a paragraph, read once.
            "<w:r><w:txbxContent><w:p><w:r><w:t>Boxed</w:t></w:r></w:p></w:txbxContent></w:r></w:p>"
            "<w:p><w:r><w:lastRenderedPageBreak/><w:t>Next page</w:t></w:r></w:p>"
        )
        document = f"<w:document {samples.W}><w:body>{body}</w:body></w:document>"
        data = samples._zip({"[Content_Types].xml": b"", "word/document.xml": document.encode()})
        self.assertEqual(extract.extract(data, DOCX).pages, ["One\ttwo\nBoxed", "Next page"])

    def test_it_reads_pptx_text_per_slide_in_slide_order(self):
        data = samples.pptx([["Welcome", "to the course"], ["Module one"], ["Questions?"]])
        result = extract.extract(data, PPTX)
        self.assertEqual(result.pages, ["Welcome\nto the course", "Module one", "Questions?"])
        self.assertEqual(result.page_count, 3)

    def test_it_uses_the_preview_picture_office_saved(self):
        data = samples.docx([["x"]], extra={"docProps/thumbnail.jpeg": samples.image("JPEG")})
        self.assertIsNotNone(extract.extract(data, DOCX).thumbnail)
        self.assertIsNone(extract.extract(samples.docx([["x"]]), DOCX).thumbnail)

    def test_it_gives_images_one_page_no_text_and_a_thumbnail(self):
        for kind, content_type in (("PNG", PNG), ("JPEG", JPEG)):
            with self.subTest(kind):
                result = extract.extract(samples.image(kind, (1200, 900)), content_type)
                self.assertEqual((result.pages, result.page_count), ([], 1))
                self.assertEqual(thumbnail_size(result.thumbnail), (200, 150))

    def test_it_keeps_text_fit_for_any_database(self):
        self.assertEqual(extract.clean("a\x00b\r\nc\ud800d"), "ab\nc?d")

    def test_it_fails_clearly_on_broken_files(self):
        pdf = samples.pdf(["Hello"])
        broken_xml = samples._zip({"[Content_Types].xml": b"", "word/document.xml": b"<w:d><w:p>"})
        table = [
            ("truncated pdf", pdf[: len(pdf) // 2], PDF, "damaged or incomplete"),
            ("garbage pdf", b"%PDF-1.7\n" + b"\x13\x37" * 500, PDF, "damaged or incomplete"),
            ("encrypted pdf", samples.encrypted_pdf(["Hello"]), PDF, "password protected"),
            ("docx without a body", samples._zip({"[Content_Types].xml": b""}), DOCX, "missing"),
            ("docx with bad xml", broken_xml, DOCX, "damaged"),
            ("zip bomb", samples.zip_bomb_docx(), DOCX, "zip bomb"),
            ("pixel bomb", samples.png_header(20000, 20000), PNG, "too large"),
            ("damaged image", samples.image("PNG")[:60], PNG, "damaged"),
        ]
        for case, data, content_type, words in table:
            with self.subTest(case):
                with self.assertRaises(FileProblem) as caught:
                    extract.extract(data, content_type)
                self.assertIn(words, str(caught.exception))

    def test_it_refuses_xml_entities(self):
        bomb = (
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><d>&b;</d>'
        )
        data = samples._zip({"[Content_Types].xml": b"", "word/document.xml": bomb})
        with self.assertRaises(FileProblem) as caught:
            extract.extract(data, DOCX)
        self.assertEqual(caught.exception.code, "active_content")


class IsolatedExtractTestCase(SimpleTestCase):
    def run_isolated(self, data: bytes, content_type: str, **limits):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "upload"
            path.write_bytes(data)
            return extract.extract_isolated(path, content_type, **limits)

    def test_it_returns_what_extract_returns(self):
        result = self.run_isolated(samples.pdf(["One", "Two"]), PDF)
        self.assertEqual((result.pages, result.page_count), (["One", "Two"], 2))
        self.assertTrue(result.thumbnail.startswith(b"RIFF"))

    def test_it_passes_problems_back(self):
        with self.assertRaises(FileProblem) as caught:
            self.run_isolated(samples.encrypted_pdf(["x"]), PDF)
        self.assertEqual(caught.exception.code, "encrypted")

    def test_it_turns_a_hang_into_a_timeout(self):
        with self.assertRaises(FileProblem) as caught:
            self.run_isolated(samples.pdf(["x"] * 50), PDF, timeout=0.01)
        self.assertEqual(caught.exception.code, "timeout")

    def test_it_turns_running_out_of_memory_into_a_failure(self):
        # 64 million pixels need 64 MB before a byte is decoded.
        with self.assertRaises(FileProblem) as caught:
            self.run_isolated(samples.png_header(7999, 8000), PNG, memory_mb=64)
        self.assertEqual(caught.exception.code, "too_big")
