from unittest import TestCase

from shelf.lib.spreadsheet import neutralise, neutralise_row


class NeutraliseTests(TestCase):
    def test_it_quotes_cells_a_spreadsheet_would_run(self):
        for cell in ("=1+1", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("x")'):
            with self.subTest(cell=cell):
                self.assertEqual(neutralise(cell), "'" + cell)

    def test_it_leaves_other_text_alone(self):
        for cell in ("Guide", "", " =not first", "a=b", "2020-05", "'quoted", "١٢٣"):
            with self.subTest(cell=cell):
                self.assertEqual(neutralise(cell), cell)

    def test_it_reads_none_and_numbers_as_text(self):
        self.assertEqual(neutralise_row([None, 3, -4]), ["", "3", "'-4"])
