"""The members-only canary: one members-only item, planted next to public
ones, must not exist for anyone who is not signed in, on any surface.

Every surface is a row of ``SURFACES``. When a surface is added (feeds,
sitemap, OAI-PMH, exports), add its row: what an anonymous reader must get,
and what someone allowed must get, with the traces of the canary that prove
they see it there, so the row can fail.

The canary has a word of its own (in its title, summary, body and a term
label) and an attached PDF with another word of its own that occurs only
inside the file, so the rows cover the file's download and thumbnail,
search inside files and the snippets made from them, and "did you mean"
suggestions drawn from either word. Two public editions link to it (it
replaces one and is replaced by the other), one public item names it as a
translation, another shares its terms (related items).

Write API rows send a request with a body: ``method`` and ``body``, and
``token``, the persona whose API token the anonymous column's request
carries (a token without rights must change nothing and learn nothing);
``by_token`` rows prove the insider's API token shows the canary.

Alert digests are e-mail, not pages: ``test_no_alert_digest_carries_it_to_anyone_not_allowed``
follows the canary's searches as the public and as a member.

Offline packs are zips built off the request path, so their rows are
``PACKS`` (the listing's parameters a pack is asked for with), checked by
``test_no_offline_pack_holds_it_for_anyone_not_allowed``: every file in
the zip and its search index, and the pack's pages.

Not a row: ``shelf export`` (the JSON export command) is an operator's tool
run on the server, which exports everything, members-only items included;
no reader can reach it.
"""

from __future__ import annotations

import datetime
import html
import json
import re
from dataclasses import dataclass
from urllib.parse import unquote

from shelf.api.models import ApiToken
from shelf.catalogue.models import Status, Visibility
from shelf.curation.tests.base import CurationTestCase, make_resource, term
from shelf.files import services, tasks
from shelf.files.models import FileStatus
from shelf.files.tests import samples
from shelf.files.tests.base import TemporaryFileStorage
from shelf.links.models import ItemLink, Link
from shelf.oai.protocol import identifier as oai_identifier

# A word that occurs nowhere else: in the title, summary, body and term label.
WORD = "Zyxwovut"
# Two letters dropped: too far for typo matching (one edit below 9 letters),
# near enough for "did you mean".
WORD_MISSPELT = "Zxwvut"
# One letter wrong: found by typo tolerance.
WORD_TYPO = "Zyxwovat"
# The first letters: found as the beginning of a word.
WORD_START = "Zyxw"
# A word that occurs only inside the canary's PDF.
PDF_WORD = "Klavorpine"
PDF_TEXT = "night helpline of the members network"
# Two letters changed: 9+ letters match with two edits.
PDF_TYPO = "Klavurpini"
# Two letters dropped: eight letters, so only "did you mean" reaches it.
PDF_MISSPELT = "Klvorpne"
PDF_NAME = "canary-handbook.pdf"
# A word the public item and the canary share (its term label).
SHARED = "parents"

HIDDEN = "hidden"  # answers (200, or 400 for a filter it refuses) without a trace of the canary
SHOWN = "shown"  # answers 200 and shows the canary
MOVED = "moved"  # redirects, and where to shows the canary
NOT_FOUND = "404"
SIGN_IN = "sign-in"  # sends to a sign-in page without a trace of the canary
UNAUTHORIZED = "401"  # refused for want of a token, without a trace of the canary
FORBIDDEN = "403"  # refused for the role, without a trace of the canary


@dataclass(frozen=True)
class Surface:
    name: str
    url: str
    anonymous: str
    member: str | None  # None: the member has no more right here than anyone
    insider: str = "member"  # who proves the row can see the canary
    # Traces the reader put there: a chosen term shows as a chip with its label.
    may_echo: tuple[str, ...] = ()
    # The traces that prove the insider sees the canary here.
    proof: tuple[str, ...] = ("title",)
    method: str = "get"
    body: dict | None = None
    token: str | None = None  # whose API token the anonymous column sends
    by_token: bool = False  # the insider sends their API token, not the session cookie

    # Only this part of a page is looked at: "json-ld" (the schema.org
    # data block) or "meta" (the citation_* and DC.* meta tags).
    part: str = ""


EXPORTS = ("csv", "json", "ris", "bib", "csl.json")


SURFACES = [
    # Listing page
    Surface("listing page: results and snippets", "/resources/", HIDDEN, SHOWN),
    Surface("listing page: search for the canary's word", f"/resources/?q={WORD}", HIDDEN, SHOWN),
    Surface(
        "listing page: search for the canary's word with a typo",
        f"/resources/?q={WORD_TYPO}",
        HIDDEN,
        SHOWN,
    ),
    Surface(
        "listing page: search for the beginning of the canary's word",
        f"/resources/?q={WORD_START}",
        HIDDEN,
        SHOWN,
    ),
    Surface(
        "listing page: search matching public items and the canary (facet counts)",
        f"/resources/?q={SHARED}",
        HIDDEN,
        SHOWN,
    ),
    Surface(
        "listing page: search for the word inside the canary's PDF, snippet from the file",
        f"/resources/?q={PDF_WORD}",
        HIDDEN,
        SHOWN,
        proof=("title", "PDF text"),
    ),
    Surface(
        "listing page: search for the PDF's word with typos",
        f"/resources/?q={PDF_TYPO}",
        HIDDEN,
        SHOWN,
        proof=("title", "PDF text"),
    ),
    Surface(
        "listing page: 'did you mean' for a misspelling of the canary's word",
        f"/resources/?q={WORD_MISSPELT}",
        HIDDEN,
        SHOWN,
        proof=("word",),
    ),
    Surface(
        "listing page: 'did you mean' for a misspelling of the PDF's word",
        f"/resources/?q={PDF_MISSPELT}",
        HIDDEN,
        SHOWN,
        proof=("PDF word",),
    ),
    Surface(
        "listing page: filtered by the canary's term",
        "/resources/?topic={term}",
        HIDDEN,
        SHOWN,
        may_echo=("term label", "word"),
    ),
    Surface(
        "listing page: filtered by a year only the canary has among its matches",
        f"/resources/?q={WORD}&year=2017",
        HIDDEN,
        SHOWN,
    ),
    Surface("listing page: sorted by title, page 1", "/resources/?sort=title", HIDDEN, SHOWN),
    # A facet's "more" view: every value of one facet, with counts.
    Surface(
        "facet 'more' page: every topic",
        "/resources/facets/topic/",
        HIDDEN,
        SHOWN,
        proof=("term label",),
    ),
    Surface(
        "facet 'more' page: topics containing the beginning of the canary's word",
        f"/resources/facets/topic/?contains={WORD_START}",
        HIDDEN,
        SHOWN,
        proof=("term label",),
    ),
    Surface(
        "facet 'more' page: topics of a search for the canary's word",
        f"/resources/facets/topic/?q={WORD}",
        HIDDEN,
        SHOWN,
        proof=("term label",),
    ),
    Surface(
        "facet 'more' page in French: every topic",
        "/fr/resources/facets/topic/",
        HIDDEN,
        SHOWN,
        proof=("term label",),
    ),
    # Detail pages
    Surface(
        "detail page, with its files' links and thumbnails",
        "/resources/{canary}/",
        NOT_FOUND,
        SHOWN,
        proof=("title", "file link", "file name"),
    ),
    Surface(
        "detail page of a public item: translations",
        "/resources/{public}/",
        HIDDEN,
        SHOWN,
    ),
    Surface(
        "detail page of a public item sharing its terms: related items",
        "/resources/{checklist}/",
        HIDDEN,
        SHOWN,
    ),
    Surface(
        "detail page of the edition the canary replaces: 'newer edition' notice",
        "/resources/{older}/",
        HIDDEN,
        SHOWN,
    ),
    Surface(
        "detail page of the edition that replaces the canary: 'Replaces'",
        "/resources/{newer}/",
        HIDDEN,
        SHOWN,
    ),
    # Files
    Surface("file download", "{file_url}", NOT_FOUND, SHOWN, proof=("file",)),
    Surface(
        "file download under another name (no redirect to the real one)",
        "/files/{file_pk}/other.pdf",
        NOT_FOUND,
        MOVED,
        proof=("file name",),
    ),
    Surface("file thumbnail", "{thumbnail_url}", NOT_FOUND, SHOWN, proof=("thumbnail",)),
    # API
    Surface("API list", "/api/v1/resources", HIDDEN, SHOWN),
    Surface("API search for the canary's word", f"/api/v1/resources?q={WORD}", HIDDEN, SHOWN),
    Surface(
        "API search for the canary's word with a typo",
        f"/api/v1/resources?q={WORD_TYPO}",
        HIDDEN,
        SHOWN,
    ),
    Surface(
        "API search matching public items and the canary (facet counts)",
        f"/api/v1/resources?q={SHARED}",
        HIDDEN,
        SHOWN,
    ),
    Surface(
        "API search for the word inside the canary's PDF, snippet from the file",
        f"/api/v1/resources?q={PDF_WORD}",
        HIDDEN,
        SHOWN,
        proof=("title", "PDF text"),
    ),
    Surface(
        "API suggestion for a misspelling of the canary's word",
        f"/api/v1/resources?q={WORD_MISSPELT}",
        HIDDEN,
        SHOWN,
        proof=("word",),
    ),
    Surface(
        "API suggestion for a misspelling of the PDF's word",
        f"/api/v1/resources?q={PDF_MISSPELT}",
        HIDDEN,
        SHOWN,
        proof=("PDF word",),
    ),
    Surface(
        "API filtered by the canary's term",
        "/api/v1/resources?topic={term}",
        HIDDEN,
        SHOWN,
        may_echo=("term label", "word"),
    ),
    Surface(
        "API facet values: every topic",
        "/api/v1/resources/facets/topic",
        HIDDEN,
        SHOWN,
        proof=("term label",),
    ),
    Surface(
        "API facet values: topics containing the beginning of the canary's word",
        f"/api/v1/resources/facets/topic?contains={WORD_START}",
        HIDDEN,
        SHOWN,
        proof=("term label",),
    ),
    Surface(
        "API facet values: topics of a search for the canary's word",
        f"/api/v1/resources/facets/topic?q={WORD}",
        HIDDEN,
        SHOWN,
        proof=("term label",),
    ),
    Surface("API detail", "/api/v1/resources/{canary}", NOT_FOUND, SHOWN),
    Surface(
        "API detail of a linked public item: translations",
        "/api/v1/resources/{public}",
        HIDDEN,
        SHOWN,
    ),
    Surface(
        "API detail of a public item sharing its terms: related",
        "/api/v1/resources/{checklist}",
        HIDDEN,
        SHOWN,
    ),
    Surface(
        "API detail of the edition the canary replaces: superseded_by",
        "/api/v1/resources/{older}",
        HIDDEN,
        SHOWN,
    ),
    Surface(
        "API detail of the edition that replaces the canary: supersedes",
        "/api/v1/resources/{newer}",
        HIDDEN,
        SHOWN,
    ),
    # OAI-PMH: harvesters are anonymous, so a member signed in gets no more.
    *[
        Surface(f"OAI-PMH {name}", f"/oai?verb={query}", HIDDEN, HIDDEN)
        for name, query in [
            ("Identify", "Identify"),
            ("ListMetadataFormats", "ListMetadataFormats"),
            ("ListMetadataFormats of the canary", "ListMetadataFormats&identifier={oai_canary}"),
            ("ListSets (the canary's own term is no set)", "ListSets"),
            ("GetRecord of the canary", "GetRecord&metadataPrefix=oai_dc&identifier={oai_canary}"),
            (
                "GetRecord of the canary, qdc",
                "GetRecord&metadataPrefix=qdc&identifier={oai_canary}",
            ),
            (
                "GetRecord of its public translation",
                "GetRecord&metadataPrefix=oai_dc&identifier={oai_public}",
            ),
            (
                "GetRecord of its public translation, qdc",
                "GetRecord&metadataPrefix=qdc&identifier={oai_public}",
            ),
            (
                "GetRecord of the edition it replaces, qdc",
                "GetRecord&metadataPrefix=qdc&identifier={oai_older}",
            ),
            (
                "GetRecord of the edition replacing it, qdc",
                "GetRecord&metadataPrefix=qdc&identifier={oai_newer}",
            ),
            ("ListIdentifiers", "ListIdentifiers&metadataPrefix=oai_dc"),
            ("ListRecords", "ListRecords&metadataPrefix=oai_dc"),
            ("ListRecords, qdc", "ListRecords&metadataPrefix=qdc"),
            *[
                (f"{verb} in set {spec}", f"{verb}&metadataPrefix={prefix}&set={spec}")
                for verb, prefix in [
                    ("ListIdentifiers", "oai_dc"),
                    ("ListRecords", "oai_dc"),
                    ("ListRecords", "qdc"),
                ]
                for spec in ["topic", "topic:{term}", "topic:online-safety", "language:fr"]
            ],
        ]
    ],
    # Feeds: the listing's query and permissions.
    Surface("Atom feed", "/resources/feed/", HIDDEN, SHOWN),
    Surface(
        "Atom feed of a search for the canary's word", f"/resources/feed/?q={WORD}", HIDDEN, SHOWN
    ),
    Surface(
        "Atom feed of a search matching public items and the canary",
        f"/resources/feed/?q={SHARED}",
        HIDDEN,
        SHOWN,
    ),
    Surface(
        "Atom feed of a search for the word inside the PDF: enclosures",
        f"/resources/feed/?q={PDF_WORD}",
        HIDDEN,
        SHOWN,
        proof=("title", "file link"),
    ),
    Surface(
        "Atom feed filtered by the canary's term",
        "/resources/feed/?topic={term}",
        HIDDEN,
        SHOWN,
        may_echo=("term label", "word"),
    ),
    # Search alerts: the follow page describes the search with the listing's
    # labels; what the digests hold is checked by the alert test below.
    Surface("follow-by-e-mail page", "/alerts/follow/", HIDDEN, None),
    Surface(
        "follow-by-e-mail page of a search for the canary's word",
        f"/alerts/follow/?q={WORD}",
        HIDDEN,
        None,
    ),
    Surface(
        "follow-by-e-mail page filtered by the canary's term",
        "/alerts/follow/?topic={term}",
        HIDDEN,
        None,
        may_echo=("term label", "word"),
    ),
    # Search engines: anonymous whoever asks.
    # The front page (newest items, collections and topics with counts) and
    # the pages at another language's address.
    Surface("front page", "/", HIDDEN, SHOWN),
    Surface("front page in French", "/fr/", HIDDEN, SHOWN),
    Surface(
        "listing page in Arabic: search for the canary's word",
        f"/ar/resources/?q={WORD}",
        HIDDEN,
        SHOWN,
    ),
    Surface("detail page in Spanish", "/es/resources/{canary}/", NOT_FOUND, SHOWN),
    Surface("robots.txt", "/robots.txt", HIDDEN, HIDDEN),
    Surface("sitemap index", "/sitemap.xml", HIDDEN, HIDDEN),
    Surface("sitemap of pages", "/sitemap-pages.xml", HIDDEN, HIDDEN),
    Surface("sitemap of resources", "/sitemap-resources.xml", HIDDEN, HIDDEN),
    # Structured data on detail pages.
    Surface(
        "JSON-LD of the canary",
        "/resources/{canary}/",
        NOT_FOUND,
        SHOWN,
        part="json-ld",
        proof=("title", "summary", "file link"),
    ),
    Surface(
        "meta tags of the canary",
        "/resources/{canary}/",
        NOT_FOUND,
        SHOWN,
        part="meta",
        proof=("title", "summary"),
    ),
    Surface(
        "JSON-LD of its public translation: workTranslation",
        "/resources/{public}/",
        HIDDEN,
        SHOWN,
        part="json-ld",
    ),
    Surface(
        "meta tags of its public translation: DC.relation",
        "/resources/{public}/",
        HIDDEN,
        SHOWN,
        part="meta",
        proof=("slug",),
    ),
    Surface(
        "JSON-LD of the edition replacing it: isBasedOn",
        "/resources/{newer}/",
        HIDDEN,
        SHOWN,
        part="json-ld",
        proof=("slug",),
    ),
    Surface(
        "JSON-LD of the edition it replaces", "/resources/{older}/", HIDDEN, HIDDEN, part="json-ld"
    ),
    # The "Suggest a resource" form offers the terms of items the reader may see.
    Surface("suggestion form: term choices", "/suggest/", HIDDEN, SHOWN, proof=("term label",)),
    Surface(
        "suggestion form in Arabic: term choices",
        "/ar/suggest/",
        HIDDEN,
        SHOWN,
        proof=("term label",),
    ),
    # Curators' pages: a sign-in page for anyone else.
    Surface("admin list", "/admin/catalogue/resource/", SIGN_IN, SHOWN, insider="editor"),
    Surface("admin search", f"/admin/catalogue/resource/?q={WORD}", SIGN_IN, SHOWN, "editor"),
    Surface(
        "admin change page", "/admin/catalogue/resource/{pk}/change/", SIGN_IN, SHOWN, "editor"
    ),
    Surface("admin history", "/admin/catalogue/resource/{pk}/history/", SIGN_IN, SHOWN, "editor"),
    Surface(
        "admin look-up for linking items",
        "/admin/autocomplete/?app_label=catalogue&model_name=resource"
        f"&field_name=supersedes&term={WORD}",
        SIGN_IN,
        SHOWN,
        "editor",
    ),
    Surface(
        "admin file list",
        "/admin/files/resourcefile/",
        SIGN_IN,
        SHOWN,
        "editor",
        proof=("title", "file name"),
    ),
    Surface("curator dashboard", "/curation/", SIGN_IN, None),
    # Reader statistics: the canary's views and a search for its word that
    # found nothing for someone else are counted (setUpTestData).
    Surface(
        "reader statistics: top items, zero-result searches",
        "/curation/stats/",
        SIGN_IN,
        SHOWN,
        "editor",
        proof=("title", "word"),
    ),
    Surface(
        "reader statistics as a member (no staff role)", "/curation/stats/", SIGN_IN, FORBIDDEN
    ),
    # Link checks name the items carrying each link: staff only.
    Surface("link check results", "/curation/links/", SIGN_IN, SHOWN, "editor"),
    Surface("link check results", "/curation/links/?state=broken", SIGN_IN, FORBIDDEN),
    Surface("dashboard: broken links", "/curation/", SIGN_IN, SHOWN, "editor"),
    Surface("account page", "/accounts/", SIGN_IN, None),
    Surface("two-factor pages", "/accounts/two-factor/", SIGN_IN, None),
    # Exports of a listing: every format, unfiltered, searched, filtered.
    *[
        Surface(f"export of the listing as {f}", f"/resources/download.{f}", HIDDEN, SHOWN)
        for f in EXPORTS
    ],
    *[
        Surface(
            f"export of a search for the canary's word as {f}",
            f"/resources/download.{f}?q={WORD}",
            HIDDEN,
            SHOWN,
        )
        for f in EXPORTS
    ],
    *[
        Surface(
            f"export filtered by the canary's term as {f}",
            "/resources/download." + f + "?topic={term}",
            HIDDEN,
            SHOWN,
            may_echo=("term label", "word"),
        )
        for f in EXPORTS
    ],
    Surface(
        "export of a search matching public items and the canary (count)",
        f"/resources/download.json?q={SHARED}",
        HIDDEN,
        SHOWN,
    ),
    # One item's downloads and citations.
    *[
        Surface(
            f"the canary's reference as {f}",
            "/resources/{canary}/download." + f,
            NOT_FOUND,
            SHOWN,
        )
        for f in EXPORTS
    ],
    Surface(
        "detail page: Cite this (APA, Chicago, Harvard)",
        "/resources/{canary}/",
        NOT_FOUND,
        SHOWN,
        proof=("citation",),
    ),
    Surface(
        "citations of a public item linked to the canary", "/resources/{public}/", HIDDEN, SHOWN
    ),
    # The OpenAPI document, its examples, and the API page made from it.
    Surface("OpenAPI document and its examples", "/api/v1/openapi.json", HIDDEN, None),
    Surface("API page", "/api/", HIDDEN, None),
    # The write API: refused without a token, and for a token without rights.
    Surface(
        "write API: change the canary without a token",
        "/api/v1/resources/{canary}",
        UNAUTHORIZED,
        None,
        method="patch",
        body={"title": "changed"},
    ),
    Surface(
        "write API: change the canary with a member's token (no rights)",
        "/api/v1/resources/{canary}",
        FORBIDDEN,
        SHOWN,
        insider="editor",
        method="patch",
        body={},
        token="member",
        by_token=True,
    ),
    Surface(
        "write API: link a new item to the canary with a member's token",
        "/api/v1/resources",
        FORBIDDEN,
        None,
        method="post",
        body={"title": "new", "translations": ["{canary}"], "supersedes": "{canary}"},
        token="member",
    ),
    Surface(
        "write API: upload to the canary with a member's token",
        "/api/v1/resources/{canary}/files",
        FORBIDDEN,
        None,
        method="post",
        token="member",
    ),
    Surface(
        "API detail with a member's token",
        "/api/v1/resources/{canary}",
        NOT_FOUND,
        SHOWN,
        by_token=True,
    ),
    Surface(
        "export with a member's token", "/resources/download.csv", HIDDEN, SHOWN, by_token=True
    ),
    Surface(
        "the canary's reference with a member's token",
        "/resources/{canary}/download.ris",
        NOT_FOUND,
        SHOWN,
        by_token=True,
    ),
]


# Offline packs asked for from the listing page (shelf.packs), and with
# ``shelf pack``: the whole listing, searches and filters that reach the canary.
PACKS = [
    ("the whole listing", {}),
    ("a search for the canary's word", {"q": WORD}),
    ("a search for the word inside the canary's PDF", {"q": PDF_WORD}),
    ("a search matching public items and the canary", {"q": SHARED}),
    ("filtered by a term the canary shares", {"audience": "parents"}),
    ("filtered by the canary's own term", {"topic": "{term}"}),
]


def page_part(page: str, part: str) -> str:
    """The JSON-LD block, or the citation_* and DC.* meta tags, of a page."""
    if part == "json-ld":
        blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
        assert len(blocks) == 1, "one JSON-LD block"
        return json.dumps(json.loads(blocks[0]), ensure_ascii=False)
    tags = re.findall(r'<meta name="(?:citation_|DC\.)[^"]*" content="([^"]*)">', page)
    assert tags, "meta tags"
    return "\n".join(tags)


class MembersOnlyCanaryTestCase(TemporaryFileStorage, CurationTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.parents = term("audience", "parents", "Parents")
        cls.online = term("topic", "online-safety", "Online safety")
        cls.secret_term = term("topic", "t-k3", f"{WORD} topic")
        cls.public = make_resource(
            "Online safety guide for parents",
            summary="(ICMEC) What parents can do at home.",
            terms=[cls.parents, cls.online],
            language="en",
            date=datetime.date(2017, 1, 1),
            date_precision="year",
        )
        cls.checklist = make_resource("Checklist for schools", terms=[cls.online], language="en")
        cls.older = make_resource("Online safety guide, 2015 edition", language="en")
        cls.canary = make_resource(
            f"{WORD} members briefing",
            slug="canary-q7",
            summary=f"A members-only summary mentioning {WORD}.",
            body=f"The body of the {WORD} briefing.",
            terms=[cls.parents, cls.online, cls.secret_term],
            language="fr",
            date=datetime.date(2017, 1, 1),
            date_precision="year",
            supersedes=cls.older,
            visibility=Visibility.MEMBERS,
            status=Status.PUBLISHED,
            # Due for review, so it would also show on the curator dashboard.
        )
        cls.newer = make_resource(
            "Online safety guide, 2024 edition", language="en", supersedes=cls.canary
        )
        cls.public.translations.add(cls.canary)
        cls.canary_link = Link.objects.create(
            url="https://members.example.org/briefing",
            host="members.example.org",
            last_checked=datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC),
            status_code=404,
            consecutive_failures=1,
        )
        ItemLink.objects.create(resource=cls.canary, link=cls.canary_link, field="source_url")
        cls.pdf_bytes = samples.pdf(
            [f"Members handbook\nThe {PDF_WORD} line is the {PDF_TEXT}.", "Second page"]
        )
        # Nothing commits in setUpTestData: read the file at once, as the
        # queued task would after the commit.
        cls.canary_pdf = services.attach_file(
            resource=cls.canary, upload=samples.upload(PDF_NAME, cls.pdf_bytes)
        )
        tasks.read_file(cls.canary_pdf.pk)
        cls.canary_pdf.refresh_from_db()
        assert cls.canary_pdf.status == FileStatus.READY, cls.canary_pdf.error
        with cls.canary_pdf.thumbnail.open("rb") as handle:
            cls.thumbnail_bytes = handle.read()
        # Counted by shelf.stats: views of the canary, a search for its word.
        from django.utils import timezone

        from shelf.stats.models import DailyCount, Kind

        today = timezone.localdate()
        DailyCount.objects.create(day=today, kind=Kind.VIEW, key=str(cls.canary.pk), count=5)
        DailyCount.objects.create(day=today, kind=Kind.DOWNLOAD, key=str(cls.canary.pk), count=2)
        DailyCount.objects.create(day=today, kind=Kind.ZERO, key=WORD.casefold(), count=1)

    def url(self, surface: Surface) -> str:
        return surface.url.format(
            canary=self.canary.slug,
            public=self.public.slug,
            checklist=self.checklist.slug,
            older=self.older.slug,
            newer=self.newer.slug,
            term=self.secret_term.slug,
            pk=self.canary.pk,
            file_pk=self.canary_pdf.pk,
            file_url=self.canary_pdf.get_absolute_url(),
            thumbnail_url=self.canary_pdf.get_thumbnail_url(),
            oai_canary=oai_identifier(self.canary.pk),
            oai_public=oai_identifier(self.public.pk),
            oai_older=oai_identifier(self.older.pk),
            oai_newer=oai_identifier(self.newer.pk),
        )

    @staticmethod
    def body(response) -> bytes:
        # Reading a streamed body to the end closes it the way the test
        # client expects (closing it again here would close the test's
        # database connection on PostgreSQL). Kept, as it can be read once.
        if not hasattr(response, "canary_body"):
            streamed = response.streaming
            content = b"".join(response.streaming_content) if streamed else response.content
            response.canary_body = content
        return response.canary_body

    def traces(self, surface: Surface, response) -> list[str]:
        """What of the canary a response gives away, in its body or the
        headers that name things. What the reader typed (a search word, a
        slug in the address) and may see echoed is not a trace."""
        data = self.body(response)
        if surface.part and response.status_code == 200:
            data = page_part(data.decode(), surface.part).encode()
        text = html.unescape(data.decode(errors="replace"))
        if response.get("Content-Type", "").startswith("application/json"):
            text = json.dumps(json.loads(text), ensure_ascii=False)
        text += "\n" + "\n".join(
            unquote(response.get(h, "")) for h in ("Location", "Content-Disposition")
        )
        markers = {
            "word": WORD,
            "title": self.canary.title,
            "summary": "members-only summary",
            "body": f"body of the {WORD}",
            "term label": self.secret_term.label,
            "slug": self.canary.slug,
            "admin link": f"/resource/{self.canary.pk}/",
            "PDF word": PDF_WORD,
            "PDF text": PDF_TEXT,
            "file name": PDF_NAME,
            "file link": f"/files/{self.canary_pdf.pk}/",
            "citation": f"<i>{self.canary.title}</i>",
            # As an element's whole text, so oai:...:1 is not found in oai:...:12.
            "OAI identifier": f">{oai_identifier(self.canary.pk)}<",
        }
        typed = unquote(self.url(surface))
        found = [
            name
            for name, marker in markers.items()
            if marker.casefold() in text.casefold()
            and marker.casefold() not in typed.casefold()
            and name not in surface.may_echo
        ]
        found += [name for name, content in self.contents().items() if data == content]
        return found

    def contents(self) -> dict[str, bytes]:
        return {"file": self.pdf_bytes, "thumbnail": self.thumbnail_bytes}

    def counted_and_listed(self, response) -> tuple[int, int]:
        """A one-page result's count and how many it lists: a hidden item
        counted is a leak even when it is not listed."""
        results = response.context and response.context.get("results")
        if hasattr(results, "count") and results.pages == 1:
            return results.count, len(results.resources)
        if response.get("Content-Type", "").startswith("application/json"):
            data = json.loads(self.body(response))
            if "count" in data and data.get("pages", 1) == 1:
                return data["count"], len(data["results"])
        return 0, 0

    def check(self, surface: Surface, expected: str, response) -> None:
        status = response.status_code
        traces = self.traces(surface, response)
        if expected == HIDDEN:
            self.assertIn(status, (200, 400) if "{term}" in surface.url else (200,))
            self.assertEqual(traces, [])
            self.assertEqual(*self.counted_and_listed(response), "counted but not listed")
        elif expected == NOT_FOUND:
            self.assertEqual(status, 404)
            self.assertEqual(traces, [])
        elif expected in (UNAUTHORIZED, FORBIDDEN):
            self.assertEqual(status, int(expected))
            self.assertEqual(traces, [])
        elif expected == SIGN_IN:
            self.assertEqual(status, 302)
            self.assertRegex(response["Location"], r"/(accounts|admin)/login/")
            self.assertEqual(traces, [])
        elif expected in (SHOWN, MOVED):
            self.assertEqual(status, 200 if expected == SHOWN else 302)
            for proof in surface.proof:
                self.assertIn(proof, traces, f"the canary is not shown ({proof})")
        else:
            self.fail(f"unknown expectation {expected!r}")

    def request(self, surface: Surface, token: str | None):
        headers = {}
        if token:
            secret = ApiToken(user=getattr(self, token), name="canary")
            headers["HTTP_AUTHORIZATION"] = f"Bearer {secret.issue()}"
            secret.save()
        if surface.method == "get":
            return self.client.get(self.url(surface), **headers)
        body = surface.body
        if body is not None:
            # The canary's slug where the row names it.
            body = json.loads(json.dumps(body).replace("{canary}", self.canary.slug))
        if body is None:
            data = {"file": samples.upload("more.pdf", samples.pdf(["More"]))}
            return self.client.post(self.url(surface), data, **headers)
        call = getattr(self.client, surface.method)
        return call(self.url(surface), json.dumps(body), content_type="application/json", **headers)

    def test_it_does_not_exist_for_anonymous_readers_on_any_surface(self):
        for surface in SURFACES:
            with self.subTest(surface.name):
                self.check(surface, surface.anonymous, self.request(surface, surface.token))

    def test_it_is_there_for_those_allowed_so_the_test_can_fail(self):
        for surface in SURFACES:
            if surface.member is None:
                continue
            insider = self.editor if surface.insider == "editor" else self.member
            self.client.force_login(insider)
            with self.subTest(surface.name, who=surface.insider):
                token = surface.insider if surface.by_token else None
                self.check(surface, surface.member, self.request(surface, token))

    def test_it_is_not_counted_in_facets(self):
        # Without a query, and with one that matches a public item and the canary.
        expected_counts = {"": (4, 5), SHARED: (1, 2)}
        for who in ("anonymous", "member"):
            if who == "member":
                self.client.force_login(self.member)
            mine = 0 if who == "anonymous" else 1
            for q, counts in expected_counts.items():
                params = {"q": q} if q else {}
                with self.subTest("listing page facets", who=who, q=q):
                    results = self.client.get("/resources/", params).context["results"]
                    found = {(f.name, v.value): v.count for f in results.facets for v in f.values}
                    self.assertEqual(found.get(("audience", "parents")), 1 + mine)
                    self.assertEqual(found.get(("year", "2017")), 1 + mine)
                    self.assertEqual(("topic", self.secret_term.slug) in found, bool(mine))
                    self.assertEqual(results.count, counts[mine])
                with self.subTest("API facets", who=who, q=q):
                    response = self.client.get("/api/v1/resources", params)
                    self.assertEqual(response.status_code, 200)
                    data = json.loads(response.content)
                    audience = {v["value"]: v["count"] for v in data["facets"]["audience"]}
                    years = {v["value"]: v["count"] for v in data["facets"]["year"]}
                    topics = {v["value"] for v in data["facets"]["topic"]}
                    self.assertEqual(audience.get("parents"), 1 + mine)
                    self.assertEqual(years.get("2017"), 1 + mine)
                    self.assertEqual(self.secret_term.slug in topics, bool(mine))
                    self.assertEqual(data["count"], counts[mine])

    def test_it_is_not_counted_in_a_facets_more_view(self):
        for who in ("anonymous", "member"):
            if who == "member":
                self.client.force_login(self.member)
            mine = 0 if who == "anonymous" else 1
            for q in ("", SHARED):
                params = {"q": q} if q else {}
                with self.subTest("facet page", who=who, q=q):
                    found = self.client.get("/resources/facets/audience/", params).context["found"]
                    counts = {v.value: v.count for v in found.facet.values}
                    self.assertEqual(counts.get("parents"), 1 + mine)
                    years = self.client.get("/resources/facets/year/", params).context["found"]
                    self.assertEqual(
                        {v.value: v.count for v in years.facet.values}["2017"], 1 + mine
                    )
                with self.subTest("API", who=who, q=q):
                    data = self.client.get("/api/v1/resources/facets/audience", params).json()
                    counts = {v["value"]: v["count"] for v in data["results"]}
                    self.assertEqual(counts.get("parents"), 1 + mine)
                    self.assertEqual(data["resources"], {"": (4, 5), SHARED: (1, 2)}[q][mine])

    def pack_traces(self, data: bytes) -> list[str]:
        """The canary's traces anywhere in a pack's zip: its pages, its
        search index, its files."""
        import io
        import zipfile

        zf = zipfile.ZipFile(io.BytesIO(data))
        text = "\n".join(html.unescape(zf.read(n).decode(errors="replace")) for n in zf.namelist())
        markers = {
            "word": WORD,
            "title": self.canary.title,
            "slug": self.canary.slug,
            "PDF word": PDF_WORD,
            "file name": PDF_NAME.removesuffix(".pdf"),
            "term label": self.secret_term.label,
        }
        found = [name for name, marker in markers.items() if marker.casefold() in text.casefold()]
        found += [f"file {n}" for n in zf.namelist() if zf.read(n) == self.pdf_bytes]
        return found

    def ask_for_pack(self, params: dict, **extra):
        from shelf.packs.models import Pack

        data = {k: v.replace("{term}", self.secret_term.slug) for k, v in params.items()}
        Pack.objects.all().delete()
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post("/packs/", {**data, **extra})
        return response, Pack.objects.first()

    def download_pack(self, pack) -> bytes:
        response = self.client.get(pack.get_download_url())
        self.assertEqual(response.status_code, 200)
        return b"".join(response.streaming_content)

    def test_no_offline_pack_holds_it_for_anyone_not_allowed(self):
        import tempfile
        from pathlib import Path

        from django.core.management import CommandError, call_command

        for who in ("anonymous", "member"):
            if who == "member":
                # A member is a reader here: packs of members-only items are curators'.
                self.client.force_login(self.member)
            for name, params in PACKS:
                with self.subTest("pack from the listing page", pack=name, who=who):
                    response, pack = self.ask_for_pack(params, members_only="on")
                    if pack is None:  # refused: nothing to pack
                        self.assertEqual(response.status_code, 400)
                        self.assertNotIn(self.canary.title, response.content.decode())
                        continue
                    self.assertIsNone(pack.owner)
                    self.assertEqual(self.pack_traces(self.download_pack(pack)), [])
                    status = self.client.get(pack.get_absolute_url()).content.decode()
                    self.assertNotIn(self.canary.title, status)
        for name, params in PACKS:
            with self.subTest("shelf pack", pack=name):
                out = Path(tempfile.mkdtemp()) / "pack.zip"
                args = [
                    f"--{k}={v.replace('{term}', self.secret_term.slug)}" for k, v in params.items()
                ]
                try:
                    call_command("pack", *args, "-o", str(out), verbosity=0)
                except CommandError:
                    continue
                self.assertEqual(self.pack_traces(out.read_bytes()), [])
        # A curator's pack has it (so the rows can fail), and is theirs alone.
        self.client.force_login(self.editor)
        _response, pack = self.ask_for_pack({}, members_only="on")
        traces = self.pack_traces(self.download_pack(pack))
        self.assertTrue({"title", "file name"} <= set(traces), traces)
        self.assertTrue(any(t.startswith("file ") for t in traces), "the PDF itself")
        for who in ("anonymous", "member"):
            self.client.logout()
            if who == "member":
                self.client.force_login(self.member)
            with self.subTest("a curator's pack", who=who):
                self.assertEqual(self.client.get(pack.get_absolute_url()).status_code, 404)
                self.assertEqual(self.client.get(pack.get_download_url()).status_code, 404)

    def test_it_is_never_suggested_to_anonymous_readers(self):
        """The misspellings find nothing, so "did you mean" runs; it may
        offer the canary's words to a member only."""
        for misspelt, word in ((WORD_MISSPELT, WORD), (PDF_MISSPELT, PDF_WORD)):
            for who in ("anonymous", "member"):
                if who == "member":
                    self.client.force_login(self.member)
                else:
                    self.client.logout()
                expected = word.casefold() if who == "member" else ""
                with self.subTest("listing page", q=misspelt, who=who):
                    results = self.client.get("/resources/", {"q": misspelt}).context["results"]
                    self.assertEqual(results.count, 0)
                    self.assertEqual(results.suggestion.casefold(), expected)
                with self.subTest("API", q=misspelt, who=who):
                    data = self.client.get("/api/v1/resources", {"q": misspelt}).json()
                    self.assertEqual(data["count"], 0)
                    self.assertEqual((data["suggestion"] or "").casefold(), expected)

    def test_the_model_helpers_pages_use_hide_it(self):
        self.assertNotIn(self.canary, self.checklist.related(None))
        self.assertNotIn(self.canary, self.public.visible_translations(None))
        self.assertIn(self.canary, self.checklist.related(self.member))
        self.assertIn(self.canary, self.public.visible_translations(self.member))

    def test_an_old_slug_of_its_term_leads_nowhere_new_for_anonymous_readers(self):
        """A renamed term's old slug redirects: the page it leads to hides
        the canary like any other."""
        from shelf.curation import terms

        old = self.secret_term.slug
        self.secret_term.slug = "t-k3-renamed"
        terms.renamed(self.secret_term, old, self.secret_term.label, self.admin)
        self.secret_term.save()
        surface = Surface("listing page: old slug", f"/resources/?topic={old}", HIDDEN, SHOWN)
        for who in ("anonymous", "member"):
            if who == "member":
                self.client.force_login(self.member)
            with self.subTest(who=who):
                r = self.client.get(self.url(surface))
                self.assertEqual(r.status_code, 301)
                self.assertEqual(self.traces(surface, r), [])
                final = self.client.get(r["Location"])
                expected = surface.anonymous if who == "anonymous" else surface.member
                echo = ("term label", "word")  # the chosen filter shows as a chip
                tolerant = Surface(surface.name, r["Location"], HIDDEN, SHOWN, may_echo=echo)
                self.check(tolerant, expected, final)

    def test_no_e_mail_about_it_reaches_anyone_but_staff(self):
        """Notifications and digests are surfaces too: someone who worked on
        the canary as an editor and is a member again gets nothing."""
        from django.contrib.auth.models import User
        from django.core import mail
        from django.core.management import call_command

        from shelf.curation import workflow
        from shelf.curation.roles import EDITOR, MEMBER, assign_role
        from shelf.curation.tests.base import person

        former = person("fay", EDITOR)
        self.canary.review_by = datetime.date(2000, 1, 1)
        self.canary._history_user = former
        self.canary.save()
        with self.captureOnCommitCallbacks(execute=True):
            workflow.apply(self.canary, "unpublish", self.reviewer)
            workflow.apply(self.canary, "submit", former)
            assign_role(former, MEMBER)
            workflow.apply(self.canary, "publish", self.reviewer)
        call_command("review_digest", stdout=open("/dev/null", "w"))  # noqa: SIM115
        staff = set(User.objects.filter(is_staff=True).values_list("email", flat=True))
        self.assertNotIn(former.email, staff)
        self.assertTrue(any(WORD in m.subject + m.body for m in mail.outbox), "the row can fail")
        for message in mail.outbox:
            with self.subTest(to=message.to):
                self.assertLessEqual(set(message.to), staff)

    def test_no_alert_digest_carries_it_to_anyone_not_allowed(self):
        """Digests of searches that find the canary (everything, its word,
        its term, the word inside its PDF, a word it shares with a public
        item): none carries it to the public, to a member's alert whose
        account is inactive or has another address now; the member's own
        alert does, so the row can fail."""
        from django.contrib.auth.models import User
        from django.core import mail
        from django.core.management import call_command
        from django.utils import timezone

        from shelf.alerts import tokens
        from shelf.alerts.models import Alert

        searches = [
            "",
            f"q={WORD}",
            f"topic={self.secret_term.slug}",
            f"q={PDF_WORD}",
            f"q={SHARED}",
        ]
        before = timezone.now() - datetime.timedelta(days=2)
        inactive = User.objects.create_user("ivy", "ivy@example.org", is_active=False)
        moved = User.objects.create_user("max", "max@example.org")
        readers = {
            "public@example.org": None,
            "ivy@example.org": inactive,
            "old-max@example.org": moved,
            self.member.email: self.member,
        }
        for email, user in readers.items():
            for query in searches:
                Alert.objects.create(
                    email=email,
                    query=query,
                    language="fr",
                    frequency="daily",
                    user=user,
                    confirmed_at=before,
                    since=before,
                )
        call_command("send_alerts", stdout=open("/dev/null", "w"))  # noqa: SIM115
        markers = {
            "word": WORD,
            "title": self.canary.title,
            "summary": "members-only summary",
            "slug": self.canary.slug,
            "PDF word": PDF_WORD,
            "file link": f"/files/{self.canary_pdf.pk}/",
        }
        member_sent = []
        for message in mail.outbox:
            (page, _mimetype), *_rest = message.alternatives
            text = html.unescape("\n".join([message.subject, message.body, page]))
            (to,) = message.to
            if to == self.member.email:
                member_sent.append(text)
                continue
            token = message.extra_headers["List-Unsubscribe"].strip("<>/").rsplit("/", 1)[1]
            query = Alert.objects.get(key=tokens.read_unsubscribe(token)).query
            typed = unquote(query)
            with self.subTest(to=to, query=query):
                found = [
                    name
                    for name, marker in markers.items()
                    if marker.casefold() in text.casefold()
                    and marker.casefold() not in typed.casefold()
                ]
                self.assertEqual(found, [])
        self.assertTrue(any(self.canary.title in text for text in member_sent), "the row can fail")
        self.assertTrue(
            any(to != self.member.email for m in mail.outbox for to in m.to),
            "the public got digests",
        )

    def test_no_e_mail_to_the_sender_of_a_suggestion_names_it(self):
        """A suggestion merged into the canary is reported to its sender,
        who may be anyone, without naming or linking the item."""
        from django.core import mail

        from shelf.submissions import services
        from shelf.submissions.models import State, Submission

        def merged_into(target):
            mail.outbox = []
            submission = Submission.objects.create(
                title="A suggestion",
                summary="From outside.",
                language="en",
                url="https://example.org/suggested",
                email="sender@example.net",
                interface_language="en",
                state=State.PENDING,
            )
            with self.captureOnCommitCallbacks(execute=True):
                services.merge(submission, target, self.editor)
            [message] = mail.outbox
            return message.subject + message.body

        self.assertIn(self.public.title, merged_into(self.public), "the row can fail")
        text = merged_into(self.canary)
        for marker in (WORD, self.canary.slug, self.canary.title):
            self.assertNotIn(marker, text)
