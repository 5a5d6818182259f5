"""The export formats: each turns resources into text, a chunk at a time.

A format is a small class: ``head(count)`` once, ``rows(resources)`` for
every chunk, ``tail()`` once, so a list of any length is written without
holding more than one chunk. To add a format, write a class with those
three methods, a ``name`` (the file extension and URL suffix), a
``media_type`` and a ``label``, and add it to ``FORMATS``.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata

from django.utils.translation import gettext_lazy as _

from shelf.api import serializers
from shelf.catalogue.models import VOCABULARY_NAMES
from shelf.exports.items import csl_item, terms_of
from shelf.lib import spreadsheet


def one_line(text: str) -> str:
    """Line-based formats (RIS) end a field at the line's end."""
    return " ".join(str(text).split())


class CSV:
    name = "csv"
    media_type = "text/csv; charset=utf-8"
    label = _("CSV (spreadsheet)")
    COLUMNS = ["slug", "title", "summary", "date", "language", *VOCABULARY_NAMES]
    COLUMNS += ["url", "source_url"]

    def _line(self, values) -> str:
        out = io.StringIO()
        spreadsheet.writer(out).writerow(values)
        return out.getvalue()

    def head(self, count: int) -> str:
        # The byte-order mark makes Excel read the file as UTF-8.
        return "\ufeff" + self._line(self.COLUMNS)

    def rows(self, resources) -> str:
        out = io.StringIO()
        writer = spreadsheet.writer(out)
        for r in resources:
            terms = ["; ".join(terms_of(r, name)) for name in VOCABULARY_NAMES]
            url = serializers.absolute(r.get_absolute_url())
            writer.writerow(
                [
                    r.slug,
                    r.title,
                    r.summary,
                    r.date_display(),
                    r.language,
                    *terms,
                    url,
                    r.source_url,
                ]
            )
        return out.getvalue()

    def tail(self) -> str:
        return ""


class JSONList:
    """The API's result objects, all of them: ``{"count", "results"}``."""

    name = "json"
    media_type = "application/json"
    label = _("JSON")

    def __init__(self):
        self.first = True

    def dump(self, data) -> str:
        return json.dumps(data, ensure_ascii=False)

    def item(self, resource) -> dict:
        # As the API's results have it (set by browse from the index).
        superseded = bool(getattr(resource, "superseded", False))
        return {**serializers.resource_summary(resource), "superseded": superseded}

    def head(self, count: int) -> str:
        return f'{{"count": {count:d}, "results": ['

    def rows(self, resources) -> str:
        parts = []
        for resource in resources:
            parts.append(("\n" if self.first else ",\n") + self.dump(self.item(resource)))
            self.first = False
        return "".join(parts)

    def tail(self) -> str:
        return "\n]}\n"


class CSLJSON(JSONList):
    """A CSL-JSON array, what Zotero, citeproc and pandoc read."""

    name = "csl.json"
    media_type = "application/vnd.citationstyles.csl+json"
    label = _("CSL-JSON (citation processors)")

    def item(self, resource) -> dict:
        return csl_item(resource)

    def head(self, count: int) -> str:
        return "["

    def tail(self) -> str:
        return "\n]\n"


RIS_TYPES = {"report": "RPRT", "graphic": "FIGURE", "motion_picture": "VIDEO"}


class RIS:
    """RIS, what EndNote, Zotero, Mendeley and RefWorks import."""

    name = "ris"
    media_type = "application/x-research-info-systems"
    label = _("RIS (EndNote, Zotero, Mendeley)")

    def entry(self, resource) -> list[tuple[str, str]]:
        item = csl_item(resource)
        tags = [("TY", RIS_TYPES.get(item["type"], "GEN")), ("ID", item["id"])]
        tags.append(("TI", item["title"]))
        tags += [("AU", a["literal"]) for a in item.get("author", [])]
        parts = item.get("issued", {}).get("date-parts", [[]])[0]
        if parts:
            tags.append(("PY", f"{parts[0]:04d}"))
            padded = [f"{parts[0]:04d}"] + [f"{p:02d}" for p in parts[1:]]
            tags.append(("DA", "/".join(padded + [""] * (3 - len(padded))) + "/"))
        if "publisher" in item:
            tags.append(("PB", item["publisher"]))
        if "abstract" in item:
            tags.append(("AB", item["abstract"]))
        if "language" in item:
            tags.append(("LA", item["language"]))
        tags += [("KW", k) for k in terms_of(resource, "topic")]
        if "collection-title" in item:
            tags.append(("T3", item["collection-title"]))
        tags.append(("UR", item["URL"]))
        return tags

    def head(self, count: int) -> str:
        return ""

    def rows(self, resources) -> str:
        lines = []
        for resource in resources:
            lines += [f"{tag}  - {one_line(value)}" for tag, value in self.entry(resource)]
            lines += ["ER  - ", ""]
        return "\r\n".join(lines) + ("\r\n" if lines else "")

    def tail(self) -> str:
        return ""


# Characters BibTeX reads as markup; escaped so a title is printed as typed.
BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "^": r"\^{}",
    "~": r"\~{}",
}
BIBTEX_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def bibtex_text(text: str) -> str:
    return "".join(BIBTEX_SPECIAL.get(c, c) for c in one_line(text))


def bibtex_key(slug: str) -> str:
    # Keys are ASCII without spaces or commas in every BibTeX tool.
    ascii_slug = unicodedata.normalize("NFKD", slug).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9_-]+", "-", ascii_slug).strip("-") or "item"


class BibTeX:
    """BibTeX (biblatex-compatible fields), for LaTeX and JabRef."""

    name = "bib"
    media_type = "application/x-bibtex; charset=utf-8"
    label = _("BibTeX")

    def entry(self, resource) -> str:
        item = csl_item(resource)
        kind = "techreport" if item["type"] == "report" and "publisher" in item else "misc"
        # Organisations as authors: braced whole, so "Save the Children" is
        # not read as given and family names.
        fields = [("title", "{" + bibtex_text(item["title"]) + "}")]
        if "author" in item:
            authors = " and ".join("{" + bibtex_text(a["literal"]) + "}" for a in item["author"])
            fields.append(("author", authors))
        if kind == "techreport":
            fields.append(("institution", bibtex_text(item["publisher"])))
        elif "publisher" in item:
            fields.append(("publisher", bibtex_text(item["publisher"])))
        parts = item.get("issued", {}).get("date-parts", [[]])[0]
        if parts:
            fields.append(("year", f"{parts[0]:04d}"))
        if len(parts) > 1:
            fields.append(("month", BIBTEX_MONTHS[parts[1] - 1]))
        if "abstract" in item:
            fields.append(("abstract", bibtex_text(item["abstract"])))
        if "language" in item:
            fields.append(("language", bibtex_text(item["language"])))
        if "keyword" in item:
            fields.append(("keywords", bibtex_text(item["keyword"])))
        fields.append(("url", item["URL"]))
        body = ",\n".join(
            f"  {name} = {value}" if name == "month" else f"  {name} = {{{value}}}"
            for name, value in fields
        )
        return f"@{kind}{{{bibtex_key(item['id'])},\n{body}\n}}\n"

    def head(self, count: int) -> str:
        return ""

    def rows(self, resources) -> str:
        return "".join(self.entry(r) + "\n" for r in resources)

    def tail(self) -> str:
        return ""


FORMATS = {f.name: f for f in (CSV, JSONList, RIS, BibTeX, CSLJSON)}
