"""No English interface text on a page in another language.

A crawler walks the public pages of each language (/fr/, /es/, /ar/,
/zh-hans/) from a few starting pages, following the page's own links, and
reads the interface text: every text node and label whose language is the
page's (content in its own language, marked with lang, is left out). Then
against Shelf's catalogues (shelf/locale/<ll>/LC_MESSAGES/django.po):

- a string the catalogue translates must never appear in English, whatever
  page it is on (a string rendered outside the reader's language, or the
  same words written unmarked in another template);
- a marked string that the English page shows must have a translation in
  the catalogue of that language.

A language without a catalogue yet is skipped, saying so.
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

from shelf.catalogue.factories import make_catalogue, make_resource, make_term
from shelf.catalogue.models import Term
from shelf.test import BaseTestCase

LOCALE = Path(settings.BASE_DIR) / "shelf" / "locale"
START = [
    "/",
    "/resources/",
    "/resources/?audience=parents&q=safe",
    "/resources/?q=qqqzzzxx",
    "/resources/?page=abc",
    "/resources/safer-virtual-school/",
    "/resources/no-such-thing/",
    "/accounts/login/",
]
MAX_PAGES = 40
LABEL_ATTRIBUTES = ("aria-label", "alt", "title", "placeholder")
ADDRESS = re.compile(r"^(https?://|/)\S*$")
URL = re.compile(r"https?://\S+")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}|<[^>]*>")


def catalogue_dir(language: str) -> str:
    """zh-hans -> zh_Hans, as Django names locale folders."""
    from django.utils.translation import to_locale

    return to_locale(language)


def read_po(path: Path) -> dict[str, bool]:
    """{msgid: translated?} for every entry of a .po file, fuzzy entries
    counting as untranslated (Django does not use them)."""
    entries: dict[str, bool] = {}
    text = path.read_text(encoding="utf-8")
    for block in re.split(r"\n\s*\n", text):
        if re.search(r"^#~", block, re.M):
            continue  # obsolete
        fuzzy = bool(re.search(r"^#,.*\bfuzzy\b", block, re.M))
        fields: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            if m := re.match(r"^(msgid|msgid_plural|msgstr(?:\[\d+\])?|msgctxt)\s+\"(.*)\"$", line):
                key = m.group(1)
                fields[key] = _unquote(m.group(2))
            elif key and (m := re.match(r'^"(.*)"$', line)):
                fields[key] += _unquote(m.group(1))
        msgid = fields.get("msgid")
        if not msgid:
            continue  # the header
        translated = not fuzzy and any(v for k, v in fields.items() if k.startswith("msgstr"))
        for english in (msgid, fields.get("msgid_plural")):
            if english:
                entries[english] = entries.get(english, False) or translated
    return entries


def read_mo_translations(language: str) -> dict[str, str]:
    """What the compiled catalogue really gives, {msgid: translation}."""
    import gettext

    try:
        found = gettext.translation(
            "django", localedir=str(LOCALE), languages=[catalogue_dir(language)]
        )
    except OSError:
        return {}
    out = {}
    for key, value in found._catalog.items():
        msgid = key[0] if isinstance(key, tuple) else key
        if "\x04" in msgid:
            msgid = msgid.split("\x04", 1)[1]  # msgctxt
        if msgid and value:
            out.setdefault(msgid, value)
    return out


def _unquote(s: str) -> str:
    return s.encode("latin-1", "backslashreplace").decode("unicode_escape")


def pattern(msgid: str) -> re.Pattern | None:
    """The English text as it shows on a page, placeholders filled by
    anything; None for strings with no words to look for."""
    parts = [" ".join(p.split()) for p in PLACEHOLDER.split(msgid)]
    parts = [p for p in parts if p]
    if not any(len(re.findall(r"[A-Za-z]", p)) >= 2 for p in parts):
        return None
    body = r"[^\n]{0,80}?".join(re.escape(p) for p in parts)
    return re.compile(rf"(?<![\w]){body}(?![\w])")


class InterfaceText(HTMLParser):
    """Text nodes and labels whose language is the page's, one per line."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page_language = ""
        self.stack: list[tuple[str, str]] = []  # (tag, language)
        self.lines: list[str] = []
        self.links: list[str] = []

    @property
    def language(self) -> str:
        return self.stack[-1][1] if self.stack else self.page_language

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.page_language = (attrs.get("lang") or "").lower()
        language = (attrs.get("lang") or "").lower() if "lang" in attrs else self.language
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if language == self.page_language:
            for name in LABEL_ATTRIBUTES:
                if attrs.get(name):
                    self.lines.append(" ".join(attrs[name].split()))
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.lines.append(attrs["value"])
        if tag not in self.VOID:
            self.stack.append((tag, language))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if any(tag in ("script", "style") for tag, _ in self.stack):
            return  # data for machines (JSON-LD), not words for readers
        # Addresses inside text (a citation's URL) are words of no language.
        text = " ".join(URL.sub(" ", data).split())
        if ADDRESS.match(text):
            return  # the page's address, printed: words of no language
        if text and self.language == self.page_language:
            self.lines.append(text)


def read_page(html: str) -> InterfaceText:
    parser = InterfaceText()
    parser.feed(html)
    return parser


def english_on_page(text: str, msgids) -> list[str]:
    """The msgids whose English words appear in ``text``."""
    found = []
    for msgid in msgids:
        if (p := pattern(msgid)) and p.search(text):
            found.append(msgid)
    return found


def make_library_of_bundled_terms(n: int) -> None:
    """Enough items for two pages, filed under the terms Shelf ships (whose
    labels are translated), so every English word left is the interface's."""
    terms = list(Term.objects.filter(vocabulary__in=["topic", "audience", "setting", "type"]))
    publishers = [make_term("publisher", name) for name in ("ICMEC", "UNICEF")]
    for i in range(n):
        make_resource(
            f"Guide {i}",
            summary="A guide for staff.",
            date=f"20{10 + i % 14}-01-01",
            terms=[publishers[i % 2], *terms[i % len(terms) :: 9]] if terms else publishers,
        )


class MatcherTests(SimpleTestCase):
    """The crawler's reading of a page, on pages written here."""

    HTML = (
        '<html lang="fr"><body><h2>Filter by</h2><p>4 resources</p>'
        '<p class="count">Filtrer par</p><p>/fr/x/</p><h3 lang="en">Filter by the publisher</h3>'
        '<a href="/fr/x/" aria-label="Main">x</a><img alt="First page of guide.pdf">'
        "</body></html>"
    )

    def test_it_reads_interface_text_and_labels_but_not_content_in_another_language(self):
        page = read_page(self.HTML)
        self.assertIn("Filter by", page.lines)
        self.assertIn("Main", page.lines)
        self.assertNotIn("/fr/x/", page.lines)
        self.assertNotIn("Filter by the publisher", page.lines)
        self.assertEqual(page.links, ["/fr/x/"])

    def test_it_finds_english_with_placeholders_filled_in(self):
        text = "\n".join(read_page(self.HTML).lines)
        msgids = [
            "Filter by",
            "%(n)s resources",
            "First page of %(name)s",
            "Sort by",
            "%(n)s",
            "Main",
        ]
        self.assertEqual(
            english_on_page(text, msgids),
            ["Filter by", "%(n)s resources", "First page of %(name)s", "Main"],
        )

    def test_it_matches_whole_words_only(self):
        self.assertEqual(english_on_page("Searching\nResearch", ["Search"]), [])
        self.assertEqual(english_on_page("Search:", ["Search"]), ["Search"])

    def test_it_reads_a_po_file(self):
        import tempfile

        po = (
            'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=2;\\n"\n\n'
            '#: a.html\nmsgid "Filter by"\nmsgstr "Filtrer par"\n\n'
            '#, fuzzy\nmsgid "Sort by"\nmsgstr "Trier"\n\n'
            'msgid "Read More"\nmsgstr ""\n\n'
            'msgid "%(n)s resource"\nmsgid_plural "%(n)s resources"\n'
            'msgstr[0] "%(n)s ressource"\nmsgstr[1] "%(n)s ressources"\n\n'
            'msgid ""\n"Long "\n"one"\nmsgstr ""\n"Longue"\n\n'
            '#~ msgid "Gone"\n#~ msgstr "Parti"\n'
        )
        with tempfile.NamedTemporaryFile("w", suffix=".po", delete=False) as f:
            f.write(po)
        self.addCleanup(Path(f.name).unlink)
        self.assertEqual(
            read_po(Path(f.name)),
            {
                "Filter by": True,
                "Sort by": False,
                "Read More": False,
                "%(n)s resource": True,
                "%(n)s resources": True,
                "Long one": True,
            },
        )


class UntranslatedTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_catalogue()
        make_library_of_bundled_terms(25)

    def crawl(self, language: str) -> dict[str, InterfaceText]:
        """Up to MAX_PAGES of the language's own pages, from START."""
        prefix = f"/{language}"
        queue = deque(prefix + path for path in START)
        seen: set[str] = set(queue)
        pages = {}
        while queue and len(pages) < MAX_PAGES:
            url = queue.popleft()
            r = self.client.get(url)
            if r.status_code in (301, 302) or not r["Content-Type"].startswith("text/html"):
                continue
            page = read_page(r.content.decode())
            self.assertEqual(page.page_language, language, url)
            pages[url] = page
            for href in page.links:
                href = href.split("#")[0]
                if href.startswith(prefix + "/") and href not in seen:
                    seen.add(href)
                    queue.append(href)
        return pages

    def english_page(self, url: str, language: str) -> InterfaceText:
        r = self.client.get(url.removeprefix(f"/{language}") or "/")
        return read_page(r.content.decode())

    def test_no_page_shows_english_for_a_string_the_catalogue_translates(self):
        for language, _name in settings.LANGUAGES:
            if language == "en":
                continue
            with self.subTest(language=language):
                translations = read_mo_translations(language)
                if not translations:
                    self.skipTest(f"no compiled catalogue for {language} yet")
                # A translation that keeps the English word ("واجهة API") cannot be told apart.
                translated = [m for m, t in translations.items() if t != m and m not in t]
                found = {}
                for url, page in self.crawl(language).items():
                    if english := english_on_page("\n".join(page.lines), translated):
                        found[url] = english
                self.assertEqual(found, {}, found)

    def test_every_marked_string_a_page_shows_is_translated(self):
        for language, _name in settings.LANGUAGES:
            if language == "en":
                continue
            with self.subTest(language=language):
                po = LOCALE / catalogue_dir(language) / "LC_MESSAGES" / "django.po"
                if not po.exists():
                    self.skipTest(f"no catalogue for {language} yet")
                entries = read_po(po)
                found = {}
                for url in self.crawl(language):
                    english = self.english_page(url, language)
                    shown = english_on_page("\n".join(english.lines), entries)
                    missing = [m for m in shown if not entries[m]]
                    if missing:
                        found[url] = missing
                self.assertEqual(found, {}, found)
