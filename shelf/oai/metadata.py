"""The two metadata formats: ``oai_dc`` (simple Dublin Core, every harvester
reads it) and ``qdc`` (DCMI Metadata Terms, every facet in its own element).

Both are built from resources loaded by :func:`load`, which reads only what
the public may see: a translation or edition that is not public is not named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.etree.ElementTree import Element, SubElement

from django.conf import settings

from shelf.catalogue.models import Resource, Term

XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
DC = "http://purl.org/dc/elements/1.1/"
QDC = "http://dspace.org/qualifieddc/"
DCTERMS = "http://purl.org/dc/terms/"
# XML 1.0 forbids most control characters, even escaped.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text) -> str:
    text = str(text)
    # Most text is printable, which a C check says at once; only the rest
    # (newlines, tabs, control characters) goes through the pattern.
    return text if text.isprintable() else NOT_XML.sub("", text)


def absolute(path: str) -> str:
    return settings.SITE_ROOT + path


def load(ids: list[int]) -> dict[int, Resource]:
    """The public resources among ``ids``, with what their records name."""
    public = Resource.objects.visible_to(None)
    # The body is long and no record shows it.
    queryset = public.filter(pk__in=ids).defer("body")
    try:
        from shelf.files.models import ready_files_prefetch

        queryset = queryset.prefetch_related(ready_files_prefetch())
    except ImportError:  # the files app is optional
        pass
    found = queryset.in_bulk()
    attach_terms(found)
    # The linked items by id first, then which of them are public: two
    # index look-ups each (a join with the public filter makes the database
    # scan every public item).
    pairs = Resource.translations.through.objects.filter(from_resource_id__in=list(found))
    translations = list(pairs.values_list("from_resource_id", "to_resource_id"))
    newer = list(
        Resource.objects.filter(supersedes_id__in=list(found)).values_list("supersedes_id", "pk")
    )
    older = {r.supersedes_id for r in found.values() if r.supersedes_id}
    wanted = {b for _a, b in translations} | {b for _a, b in newer} | older
    linked = public.filter(pk__in=wanted).only("id", "slug", "language").in_bulk() if wanted else {}
    for resource in found.values():
        resource.public_translations = []
        resource.public_newer = []
        resource.public_older = linked.get(resource.supersedes_id)
    for a, b in translations:
        if b in linked:
            found[a].public_translations.append(linked[b])
    for a, b in newer:
        if b in linked:
            found[a].public_newer.append(linked[b])
    return found


def attach_terms(found: dict[int, Resource]) -> None:
    """Each resource's term labels by vocabulary, as ``oai_terms``: a page's
    items share most of their terms, so each term is read once."""
    pairs = list(
        Resource.terms.through.objects.filter(resource_id__in=list(found)).values_list(
            "resource_id", "term_id"
        )
    )
    terms = Term.objects.filter(pk__in={t for _r, t in pairs}).only("vocabulary", "label")
    by_id = {t.pk: t for t in terms.order_by("vocabulary", "label")}
    order = {pk: n for n, pk in enumerate(by_id)}
    for resource in found.values():
        resource.oai_terms = {}
    for resource_id, term_id in sorted(pairs, key=lambda p: order.get(p[1], 0)):
        term = by_id.get(term_id)
        if term is not None:
            found[resource_id].oai_terms.setdefault(term.vocabulary, []).append(term.label)


@dataclass
class Facts:
    """What both formats say, once."""

    url: str
    terms: dict[str, list[str]]
    files: list[tuple[str, str]]  # (URL, content type)
    translations: list[str]
    older: str
    newer: list[str]


def facts(resource: Resource) -> Facts:
    return Facts(
        url=absolute(resource.get_absolute_url()),
        terms=resource.oai_terms,
        files=[
            (absolute(f.get_absolute_url()), f.content_type)
            for f in getattr(resource, "ready_files", [])
        ],
        translations=[absolute(r.get_absolute_url()) for r in resource.public_translations],
        older=absolute(resource.public_older.get_absolute_url()) if resource.public_older else "",
        newer=[absolute(r.get_absolute_url()) for r in resource.public_newer],
    )


def add(parent: Element, tag: str, text, lang: str = "") -> None:
    if text:
        element = SubElement(parent, tag, {XML_LANG: lang} if lang else {})
        element.text = clean(text)


def oai_dc(parent: Element, resource: Resource) -> None:
    f = facts(resource)
    root = SubElement(
        parent,
        f"{{{OAI_DC}}}dc",
        {f"{{{XSI}}}schemaLocation": f"{OAI_DC} {OAI_DC_SCHEMA}"},
    )
    lang = resource.language
    add(root, f"{{{DC}}}title", resource.title, lang)
    for label in f.terms.get("topic", []) + f.terms.get("setting", []):
        add(root, f"{{{DC}}}subject", label)
    add(root, f"{{{DC}}}description", resource.summary, lang)
    for label in f.terms.get("publisher", []):
        add(root, f"{{{DC}}}publisher", label)
    add(root, f"{{{DC}}}date", resource.date_display())
    for label in f.terms.get("type", []):
        add(root, f"{{{DC}}}type", label)
    add(root, f"{{{DC}}}type", "Text")
    for content_type in dict.fromkeys(t for _url, t in f.files):
        add(root, f"{{{DC}}}format", content_type)
    add(root, f"{{{DC}}}identifier", f.url)
    for url, _type in f.files:
        add(root, f"{{{DC}}}identifier", url)
    add(root, f"{{{DC}}}source", resource.source_url)
    add(root, f"{{{DC}}}language", resource.language)
    for url in [*f.translations, f.older, *f.newer]:
        add(root, f"{{{DC}}}relation", url)
    for label in f.terms.get("country", []):
        add(root, f"{{{DC}}}coverage", label)


def qdc(parent: Element, resource: Resource) -> None:
    f = facts(resource)
    root = SubElement(
        parent,
        f"{{{QDC}}}qualifieddc",
        {f"{{{XSI}}}schemaLocation": f"{QDC} {absolute('/oai/schemas/qdc.xsd')}"},
    )
    lang = resource.language

    def term(tag: str, vocabulary: str) -> None:
        for label in f.terms.get(vocabulary, []):
            add(root, f"{{{DCTERMS}}}{tag}", label)

    add(root, f"{{{DCTERMS}}}title", resource.title, lang)
    add(root, f"{{{DCTERMS}}}abstract", resource.summary, lang)
    add(root, f"{{{DCTERMS}}}issued", resource.date_display())
    add(root, f"{{{DCTERMS}}}modified", resource.updated.strftime("%Y-%m-%dT%H:%M:%SZ"))
    add(root, f"{{{DCTERMS}}}language", resource.language)
    term("publisher", "publisher")
    term("subject", "topic")
    term("audience", "audience")
    # Where the resource applies (a school, online, a hospital).
    term("coverage", "setting")
    term("spatial", "country")
    term("type", "type")
    add(root, f"{{{DCTERMS}}}type", "Text")
    term("isPartOf", "collection")
    add(root, f"{{{DCTERMS}}}identifier", f.url)
    add(root, f"{{{DCTERMS}}}source", resource.source_url)
    for url, _type in f.files:
        add(root, f"{{{DCTERMS}}}hasFormat", url)
    for content_type in dict.fromkeys(t for _url, t in f.files):
        add(root, f"{{{DCTERMS}}}format", content_type)
    for url in f.translations:
        add(root, f"{{{DCTERMS}}}relation", url)
    add(root, f"{{{DCTERMS}}}replaces", f.older)
    for url in f.newer:
        add(root, f"{{{DCTERMS}}}isReplacedBy", url)
    add(root, f"{{{DCTERMS}}}accessRights", "public")


@dataclass(frozen=True)
class Format:
    prefix: str
    schema: str
    namespace: str
    build: object


def formats() -> dict[str, Format]:
    return {
        "oai_dc": Format("oai_dc", OAI_DC_SCHEMA, OAI_DC, oai_dc),
        "qdc": Format("qdc", absolute("/oai/schemas/qdc.xsd"), QDC, qdc),
    }
