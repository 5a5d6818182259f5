"""What a detail page tells machines: schema.org JSON-LD (search engines),
Highwire ``citation_*`` and Dublin Core meta tags (Google Scholar, Zotero).

Built from what the page itself shows the reader: the resource, the links
``browse.links`` already limited to what the reader may see, and the files
the reader may download.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from shelf.catalogue.models import DatePrecision, Resource

# In a <script> element only "</" (and "<!--") can end or confuse the data:
# escaped as JSON escapes, so the text means the same to a JSON-LD parser.
SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}
REPORT_TYPES = {"report", "reports", "research-report", "annual-report"}


def absolute(path: str) -> str:
    return settings.SITE_ROOT + path


def schema_type(resource: Resource, files) -> str:
    types = {t.slug for t in resource.terms.all() if t.vocabulary == "type"}
    if types & REPORT_TYPES:
        return "Report"
    return "DigitalDocument" if files else "CreativeWork"


def labels(resource: Resource, vocabulary: str) -> list[str]:
    return [t.label for t in resource.terms.all() if t.vocabulary == vocabulary]


def json_ld(resource: Resource, links, files) -> dict:
    url = absolute(resource.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": schema_type(resource, files),
        "@id": url,
        "url": url,
        "name": resource.title,
        "description": resource.summary or None,
        "inLanguage": resource.language or None,
        "datePublished": resource.date_display() or None,
        "dateModified": resource.updated.isoformat() if resource.updated else None,
        "publisher": [{"@type": "Organization", "name": n} for n in labels(resource, "publisher")],
        "audience": [
            {"@type": "Audience", "audienceType": n} for n in labels(resource, "audience")
        ],
        "about": [{"@type": "Thing", "name": n} for n in labels(resource, "topic")],
        "genre": labels(resource, "type"),
        "keywords": labels(resource, "setting"),
        "spatialCoverage": [{"@type": "Country", "name": n} for n in labels(resource, "country")],
        "isPartOf": [{"@type": "Collection", "name": n} for n in labels(resource, "collection")],
        # Shelf links translations without saying which is the original:
        # each names the others as translations of its content.
        "workTranslation": [
            {"@id": absolute(t.get_absolute_url()), "name": t.title, "inLanguage": t.language}
            for t in links.translations
        ],
        "sameAs": resource.source_url if resource.source_url.startswith("http") else None,
        "encoding": [
            {
                "@type": "MediaObject",
                "name": f.download_name,
                "contentUrl": absolute(f.get_absolute_url()),
                "encodingFormat": f.content_type,
                "contentSize": f"{f.size} B",
            }
            for f in files
        ],
    }
    if links.supersedes:
        data["isBasedOn"] = absolute(links.supersedes.get_absolute_url())
    return {k: v for k, v in data.items() if v not in (None, [], "")}


def json_ld_script(data: dict) -> SafeString:
    text = json.dumps(data, ensure_ascii=False, indent=1).translate(SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308


def highwire_date(resource: Resource) -> str:
    if not resource.date:
        return ""
    if resource.date_precision == DatePrecision.YEAR:
        return f"{resource.date:%Y}"
    if resource.date_precision == DatePrecision.MONTH:
        return f"{resource.date:%Y/%m}"
    return f"{resource.date:%Y/%m/%d}"


def meta_tags(resource: Resource, links, files) -> list[tuple[str, str]]:
    """(name, content) pairs, Highwire Press then Dublin Core."""
    url = absolute(resource.get_absolute_url())
    publishers = labels(resource, "publisher")
    tags = [("citation_title", resource.title)]
    # Publications of organisations: the publisher is the corporate author
    # (Google Scholar and Zotero want an author).
    tags += [("citation_author", p) for p in publishers]
    tags += [("citation_publisher", p) for p in publishers]
    tags += [
        ("citation_publication_date", highwire_date(resource)),
        ("citation_language", resource.language),
        ("citation_abstract_html_url", url),
        ("citation_keywords", "; ".join(labels(resource, "topic"))),
    ]
    pdfs = [f for f in files if f.content_type == "application/pdf"]
    if pdfs:
        tags.append(("citation_pdf_url", absolute(pdfs[0].get_absolute_url())))
    tags += [("DC.title", resource.title)]
    tags += [("DC.publisher", p) for p in publishers]
    tags += [
        ("DC.date", resource.date_display()),
        ("DC.language", resource.language),
        ("DC.description", resource.summary),
        ("DC.identifier", url),
    ]
    tags += [("DC.subject", s) for s in labels(resource, "topic")]
    tags += [("DC.type", t) for t in labels(resource, "type")]
    tags += [("DC.format", t) for t in dict.fromkeys(f.content_type for f in files)]
    tags += [("DC.relation", absolute(t.get_absolute_url())) for t in links.translations]
    return [(name, content) for name, content in tags if content]


def head(resource: Resource, links, files) -> SafeString:
    """Everything for the page's <head>, escaped."""
    tags = format_html_join(
        "\n", '<meta name="{}" content="{}">', meta_tags(resource, links, files)
    )
    # No <link rel="schema.DC">: "DC." is the convention readers know, and
    # a page names no other host.
    return format_html("{}\n{}", tags, json_ld_script(json_ld(resource, links, files)))
