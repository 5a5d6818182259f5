from django.test import SimpleTestCase

from shelf.lib.text import clean, decode


class CleanTestCase(SimpleTestCase):
    def test_it_decodes_entities_and_folds_whitespace(self):
        self.assertEqual(
            clean(" Tom &amp; Jerry&nbsp;&#8217;s\u00a0\u00a0guide\t "), "Tom & Jerry ’s guide"
        )

    def test_it_drops_invisible_characters(self):
        self.assertEqual(clean("safe\u200bguarding\u00ad \ufeffschools"), "safeguarding schools")

    def test_it_composes_accents(self):
        self.assertEqual(clean("e\u0301cole"), "\u00e9cole")


class DecodeTestCase(SimpleTestCase):
    def test_it_removes_a_byte_order_mark_and_unifies_line_endings(self):
        self.assertEqual(decode(b"\xef\xbb\xbfone\r\ntwo\rthree\n"), "one\ntwo\nthree\n")
