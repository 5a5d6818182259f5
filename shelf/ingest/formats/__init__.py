"""Import and export formats, one small module each.

A format module has ``NAME``, ``EXTENSIONS`` and ``parse(text, *, taxonomy)
-> list[Record]``; one that can also write has ``export(rows, out) -> int``.
``parse`` gets the decoded text (UTF-8 or UTF-16, BOM removed, ``\\n`` line
endings unless the module sets ``RAW_NEWLINES = True``, no NUL characters),
knows nothing about the database and raises
:class:`~shelf.ingest.records.IngestError` with a line number for bad input.

How to add a format (say, RIS):

1. Write ``shelf/ingest/formats/ris.py`` with ``NAME = "ris"``,
   ``EXTENSIONS = (".ris",)`` and ``parse`` (and ``export`` if it writes).
   Set ``Record.fields`` to the fields the source really gives, so the
   others survive a re-import, and give each record a stable ``key``
   (``"ris:" + the source's id``).
2. Add it to ``FORMATS`` below: ``shelf import`` and ``shelf export`` pick it up.
3. Add ``shelf/ingest/tests/test_ris.py``: parse a small sample, a bad file,
   and, if it exports, the export -> import -> export round trip.
"""

from shelf.catalogue.taxonomy import Taxonomy
from shelf.ingest.formats import csv, json, listing
from shelf.ingest.records import IngestError, Record
from shelf.lib.text import DecodeError, decode

FORMATS = {module.NAME: module for module in (listing, csv, json)}
EXPORTERS = {name: module for name, module in FORMATS.items() if hasattr(module, "export")}


def for_path(path: str):
    """The format a file name says, the listing format for anything else."""
    lower = path.lower()
    for module in FORMATS.values():
        if lower.endswith(module.EXTENSIONS):
            return module
    return listing


def module_for(path: str, format_name: str | None = None):
    return FORMATS[format_name] if format_name else for_path(path)


def read(
    path: str, format_name: str | None = None, taxonomy: Taxonomy | None = None
) -> list[Record]:
    """Records from a file; IngestError (naming the file) for bad input.
    OSError when it cannot be read."""
    module = module_for(path, format_name)
    with open(path, "rb") as f:
        data = f.read()
    try:
        text = decode(data, newlines=not getattr(module, "RAW_NEWLINES", False))
        return module.parse(text, taxonomy=taxonomy or Taxonomy.load())
    except ValueError as e:
        if isinstance(e, DecodeError):
            e = IngestError(e.reason, e.line)
        elif not isinstance(e, IngestError):
            e = IngestError(str(e))
        e.source = path
        raise e from None
