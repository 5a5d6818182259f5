"""The listing format: a resources page copied from a website.

Each item is a line of comma-separated tags, one blank line, the title, two
blank lines, then the summary, which often starts with the publishers in
brackets and a date, and ends in "Read More"::

    Child Protection, ICMEC Publications, Parents

    Mandatory Reporter Infographic_fr


    (ICMEC, HCCH) March 2020 Your role as a mandatory reporter...Read More

The page's "Filter by" sidebar and everything after it are ignored. The two
blank lines after a title are what tell items apart, so an item whose tags
line is empty still parses.

Publishers keep the order the page gives (the first is the lead publisher);
an item naming none gets its collection's publisher when the taxonomy
declares one. A page whose last summary lacks the "Read More" the others
end in was cut short, and is refused rather than written.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import cached_property

from django.utils.text import slugify

from shelf.catalogue.taxonomy import Taxonomy
from shelf.ingest.formats import csv as csv_format
from shelf.ingest.records import IngestError, Record, TermRef, term_ref
from shelf.lib import languages
from shelf.lib.text import clean

NAME = "listing"
EXTENSIONS = (".txt", ".listing")
KEY_PREFIX = "listing:"
FIELDS = ("title", "summary", "date", "date_precision", "language", "terms")

MONTHS = {
    # English
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    # French
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "decembre": 12,
    # Spanish
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11,
    "diciembre": 12,
}  # fmt: skip
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_AFTER_DATE = r"(?:\s*[:,.;\u2013\u2014-]\s*|\s+|$)"
# "5 March 2020", "1er mars 2020", "5 de marzo de 2020", "March 2020", "March 5, 2020"
_DATE_DMY = re.compile(
    rf"(?:(\d{{1,2}})(?:er|º|°)?\s+(?:de\s+)?)?({_MONTH})\.?\s+(?:de\s+|del\s+)?(\d{{4}}){_AFTER_DATE}",
    re.IGNORECASE,
)
_DATE_MDY = re.compile(rf"({_MONTH})\.?\s+(\d{{1,2}}),?\s+(\d{{4}}){_AFTER_DATE}", re.IGNORECASE)
_PUBLISHERS = re.compile(r"\(([^()]{1,300})\)\s*")
_READ_MORE = re.compile(r"\s*Read\s+More\W*$", re.IGNORECASE)
_LANGUAGE_SUFFIX = re.compile(r"_([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?)$")
_FILTER_BY = "filter by"


@dataclass
class Paragraph:
    line: int
    text: str
    blanks_after: int


def parse(text: str, *, taxonomy: Taxonomy) -> list[Record]:
    """Records from a listing; raises IngestError for what is not one."""
    paragraphs = split_paragraphs(text)
    if not paragraphs:
        raise IngestError("the file is empty (no listing items)")
    if not any(p.blanks_after >= 2 for p in paragraphs[:-1]):
        raise IngestError(not_a_listing(text))
    reader = TypeReader(taxonomy)
    found = list(items(paragraphs))
    check_last_item(found)
    return [to_record(item, taxonomy, reader) for item in found]


def check_last_item(found: list[Item]) -> None:
    """A page cut short (a partial copy, a truncated download) ends in half
    a summary. Where the other items end in "Read More", the last one must
    too, or its cut text would replace the item's whole summary."""
    earlier = found[:-1]
    if len(earlier) < 2:
        return
    ending = sum(1 for i in earlier if _READ_MORE.search(i.summary.text))
    last = found[-1].summary
    if ending >= 0.75 * len(earlier) and not _READ_MORE.search(last.text):
        raise IngestError(
            'the last item\'s summary does not end in "Read More" as the others do: '
            "the file looks cut short; copy the whole page again",
            last.line,
        )


def split_paragraphs(text: str) -> list[Paragraph]:
    """Runs of non-blank lines, with the number of blank lines after each,
    up to the "Filter by" sidebar."""
    paragraphs: list[Paragraph] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = clean(raw)
        if line.casefold().rstrip(":") == _FILTER_BY:
            break
        if not line:
            if paragraphs:
                paragraphs[-1].blanks_after += 1
        elif paragraphs and paragraphs[-1].blanks_after == 0:
            paragraphs[-1].text += " " + line
        else:
            paragraphs.append(Paragraph(number, line, 0))
    if paragraphs:
        # The end of the file separates as well as any number of blank lines.
        paragraphs[-1].blanks_after = 99
    return paragraphs


def not_a_listing(text: str) -> str:
    first = text.lstrip()[:1]
    if first in "[{":
        return "this looks like JSON, not a listing; name it .json or use --format json"
    lines = [line for line in text.split("\n")[:5] if line.strip()]
    header = {h.strip(' "').lower() for h in lines[0].split(",")} if lines else set()
    same_shape = len(lines) >= 2 and len({line.count(",") for line in lines}) == 1
    if len(header & set(csv_format.COLUMNS)) >= 2 or (len(header) > 1 and same_shape):
        return "this looks like CSV, not a listing; name it .csv or use --format csv"
    return (
        "no listing items found: an item is a line of tags, a blank line, a title, "
        "two blank lines and a summary"
    )


@dataclass
class Item:
    tags: Paragraph | None
    title: Paragraph
    summary: Paragraph

    @property
    def line(self) -> int:
        return (self.tags or self.title).line


def items(paragraphs: list[Paragraph]):
    i = 0
    while i < len(paragraphs):
        tags = None
        if i + 1 == len(paragraphs):
            raise IngestError(
                "the file ends in the middle of an item (no summary)", paragraphs[i].line
            )
        if paragraphs[i].blanks_after < 2:
            tags = paragraphs[i]
            i += 1
        title = paragraphs[i]
        if title.blanks_after < 2:
            raise IngestError(
                "expected a title followed by two blank lines, found " + repr(title.text[:60]),
                title.line,
            )
        if i + 1 == len(paragraphs):
            raise IngestError("the file ends in the middle of an item (no summary)", title.line)
        yield Item(tags, title, paragraphs[i + 1])
        i += 2


def to_record(item: Item, taxonomy: Taxonomy, reader: TypeReader) -> Record:
    key_slug = slugify(item.title.text, allow_unicode=True)[:250]
    if not key_slug:
        raise IngestError("the title has no letters or digits", item.title.line)
    title, language = split_language_suffix(item.title.text)
    summary = _READ_MORE.sub("", item.summary.text)
    publishers, summary = take_publishers(summary, taxonomy)
    (date, precision), summary = take_date(summary)
    if not publishers:
        publishers, summary = take_publishers(summary, taxonomy)
    if not language:
        # A few sentences tell the language as well as a page does, and
        # detection time grows with the text.
        language = languages.detect(f"{title}. {summary}"[:400])

    terms: list[TermRef] = []
    unknown: list[str] = []
    for tag in split_tags(item.tags.text if item.tags else ""):
        spec, known = taxonomy.map_tag(tag)
        if not spec.slug:  # punctuation only
            continue
        # An unknown tag goes by its label, so a term a curator gave that
        # alias in the database catches it.
        slug = spec.slug if known else ""
        terms.append(term_ref(spec.vocabulary, slug, spec.label, spec.aliases))
        if not known:
            unknown.append(tag)
    if not publishers:
        publishers = collection_publishers(terms, taxonomy)
    terms += publishers
    terms += reader.types(title)
    terms.append(language_term(language))
    values = {"title": title, "summary": summary, "date": date, "date_precision": precision}
    values["language"] = language
    return Record(
        line=item.line,
        key=KEY_PREFIX + key_slug,
        title=title,
        # What the item does not give (an undated item) is left as it is.
        fields=tuple(f for f in FIELDS if f == "terms" or values.get(f)),
        summary=summary,
        date=date,
        date_precision=precision,
        language=language,
        terms=list(dict.fromkeys(terms)),
        unknown_tags=unknown,
    )


def collection_publishers(terms: list[TermRef], taxonomy: Taxonomy) -> list[TermRef]:
    """The publishers the item's collections name in the taxonomy."""
    found = []
    for ref in terms:
        if ref.vocabulary == "collection" and ref.slug:
            collection = taxonomy.get("collection", ref.slug)
            if collection and collection.publisher:
                spec = taxonomy.get("publisher", collection.publisher)
                found.append(term_ref("publisher", spec.slug, spec.label, spec.aliases))
    return found


def split_tags(line: str) -> list[str]:
    return list(dict.fromkeys(t for t in (clean(t) for t in line.split(",")) if t))


def split_language_suffix(title: str) -> tuple[str, str]:
    """``Resources in Chinese_zh-cn`` -> (``Resources in Chinese``, ``zh-Hans``)."""
    if m := _LANGUAGE_SUFFIX.search(title):
        code = languages.normalise(m.group(1))
        if code and m.start() > 0:
            return title[: m.start()].rstrip(" -_"), code
    return title, ""


def language_term(code: str) -> TermRef:
    return term_ref("language", languages.slug(code), languages.language_label(code))


def take_publishers(summary: str, taxonomy: Taxonomy) -> tuple[list[TermRef], str]:
    """A leading ``(ICMEC, HCCH)`` as publisher terms, and the rest."""
    m = _PUBLISHERS.match(summary)
    if not m:
        return [], summary
    names = [clean(n) for n in m.group(1).split(",")]
    if not all(looks_like_org(n, taxonomy) for n in names):
        return [], summary
    terms = []
    for name in names:
        spec = taxonomy.lookup(name)
        if spec and spec.vocabulary == "publisher":
            terms.append(term_ref("publisher", spec.slug, spec.label, spec.aliases))
        else:
            terms.append(term_ref("publisher", "", name))
    return terms, summary[m.end() :]


def looks_like_org(name: str, taxonomy: Taxonomy | None = None) -> bool:
    # "(1) an overview" or "(see below)" are not publishers; "(e-Enfance)",
    # "(ICMEC)" and "(Save the Children)" are: a name with a capital letter
    # somewhere, or one the taxonomy knows as a publisher.
    if taxonomy and (spec := taxonomy.lookup(name)) and spec.vocabulary == "publisher":
        return True
    return (
        0 < len(name) <= 100
        and len(name.split()) <= 10
        and any(c.isupper() for c in name)
        and bool(slugify(name, allow_unicode=True))
    )


def take_date(summary: str) -> tuple[tuple[datetime.date | None, str], str]:
    """A leading ``March 2020`` or ``5 March 2020`` as (date, precision), and the rest."""
    if m := _DATE_DMY.match(summary):
        day, month, year = m.group(1), m.group(2), m.group(3)
    elif m := _DATE_MDY.match(summary):
        month, day, year = m.group(1), m.group(2), m.group(3)
    else:
        return (None, ""), summary
    try:
        date = datetime.date(int(year), MONTHS[month.casefold()], int(day or 1))
    except ValueError:
        return (None, ""), summary
    if not 1900 <= date.year <= 2100:
        return (None, ""), summary
    return (date, "day" if day else "month"), summary[m.end() :]


class TypeReader:
    """Resource types named in a title, as whole words, longest name first:
    "Your Child Protection Training Plan" is a training plan, not training."""

    def __init__(self, taxonomy: Taxonomy):
        self.by_name: dict[str, TermRef] = {}
        for spec in taxonomy.specs:
            if spec.vocabulary == "type":
                for name in (spec.label, *spec.aliases):
                    ref = term_ref(spec.vocabulary, spec.slug, spec.label, spec.aliases)
                    self.by_name.setdefault(name.casefold(), ref)

    @cached_property
    def pattern(self) -> re.Pattern | None:
        if not self.by_name:
            return None
        names = sorted(self.by_name, key=len, reverse=True)
        return re.compile(r"(?<!\w)(" + "|".join(map(re.escape, names)) + r")(?!\w)", re.I)

    def types(self, title: str) -> list[TermRef]:
        if self.pattern is None:
            return []
        found = (self.by_name[m.group(1).casefold()] for m in self.pattern.finditer(title))
        return list(dict.fromkeys(found))
