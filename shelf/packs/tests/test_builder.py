import posixpath
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import QueryDict
from django.test import override_settings

from shelf.packs import builder
from shelf.packs.builder import FOLDER
from shelf.packs.tests.base import PackTestCase, links, open_zip, page
from shelf.search import browse


def query(**params) -> browse.Query:
    data = QueryDict(mutable=True)
    for name, value in params.items():
        data.setlist(name, value if isinstance(value, list) else [value])
    return browse.parse(data)


class BuilderTestCase(PackTestCase):
    def build(self, q: browse.Query, user=None, language="en"):
        out = Path(tempfile.mkdtemp()) / "pack.zip"
        steps = []
        built = builder.build(
            q,
            user or AnonymousUser(),
            out,
            language=language,
            progress=lambda done, total: steps.append((done, total)),
        )
        return built, open_zip(out.read_bytes()), steps

    def test_it_writes_an_index_item_pages_facet_pages_files_and_assets(self):
        built, zf, steps = self.build(query(audience="teachers"))
        names = set(zf.namelist())
        self.assertEqual((built.items, built.files), (2, 1))
        self.assertEqual(steps[-1], (2, 2))
        for name in [
            "index.html",
            f"items/{self.guide.pk}.html",
            f"items/{self.arabic.pk}.html",
            "facets/index.html",
            f"facets/audience/{self.teachers.pk}.html",
            f"facets/topic/{self.bullying.pk}.html",
            "assets/shelf.css",
            "assets/pack.css",
            "assets/search.js",
            "assets/search-index.js",
        ]:
            self.assertIn(f"{FOLDER}/{name}", names)
        self.assertNotIn(f"{FOLDER}/items/{self.leaflet.pk}.html", names)
        files = [n for n in names if n.startswith(f"{FOLDER}/files/")]
        self.assertEqual(len(files), 1)
        with self.pdf.file.open("rb") as f:
            self.assertEqual(zf.read(files[0]), f.read())

    def test_every_link_is_relative_and_leads_inside_the_pack(self):
        _built, zf, _steps = self.build(query(audience="teachers"))
        names = set(zf.namelist())
        for name in names:
            if not name.endswith(".html"):
                continue
            html = zf.read(name).decode()
            self.assertNotIn("<script>", html, "no inline script")
            self.assertNotIn("style=", html)
            for link in links(html):
                with self.subTest(page=name, link=link):
                    if link.startswith(("http://", "https://")):
                        # Only the live library and the publisher's copy, both as links.
                        self.assertIn(f'<a href="{link}"', html)
                        self.assertTrue(
                            link.startswith(settings.SITE_ROOT) or link == self.guide.source_url,
                            link,
                        )
                        continue
                    if link.startswith("#"):
                        continue
                    target = posixpath.normpath(posixpath.join(posixpath.dirname(name), link))
                    self.assertIn(target, names)

    def test_each_page_says_when_it_was_made_and_links_to_the_live_item(self):
        _built, zf, _steps = self.build(query(audience="teachers"))
        item = page(zf, f"items/{self.guide.pk}.html")
        self.assertIn("This offline pack of Shelf was made on", item)
        self.assertIn(f'href="{settings.SITE_ROOT}{self.guide.get_absolute_url()}"', item)
        self.assertIn("Full text of the classroom guide.", item)
        self.assertIn(f'href="../facets/audience/{self.teachers.pk}.html"', item)
        facet = page(zf, f"facets/audience/{self.teachers.pk}.html")
        self.assertIn("was made on", facet)
        self.assertIn(f'href="../../items/{self.arabic.pk}.html"', facet)

    def test_it_holds_only_what_the_reader_may_see(self):
        _built, zf, _steps = self.build(query(audience="teachers"))
        everything = b"".join(zf.read(n) for n in zf.namelist())
        self.assertNotIn(b"Quorvex", everything)
        self.assertNotIn(b"Unfinished draft", everything)
        _built, zf, _steps = self.build(query(audience="teachers"), user=self.member)
        self.assertIn("Quorvex", page(zf, "assets/search-index.js"))
        self.assertNotIn("Unfinished draft", page(zf, "assets/search-index.js"))

    def test_the_search_index_is_a_script_defining_a_variable(self):
        _built, zf, _steps = self.build(query(q="grooming"))
        index = page(zf, "assets/search-index.js")
        self.assertTrue(index.startswith("var SHELF_PACK_INDEX = ["))
        self.assertIn("Classroom guide to online safety", index)
        self.assertNotIn("Leaflet", index)

    def test_its_pages_are_in_the_language_asked_for_and_right_to_left_in_arabic(self):
        _built, zf, _steps = self.build(query(audience="teachers"), language="fr")
        index = page(zf, "index.html")
        self.assertIn('<html lang="fr" dir="ltr">', index)
        self.assertIn("Enseignants", page(zf, "facets/index.html"))
        _built, zf, _steps = self.build(query(audience="teachers"), language="ar")
        self.assertIn('<html lang="ar" dir="rtl">', page(zf, "index.html"))

    def test_it_refuses_an_unknown_facet_value(self):
        with self.assertRaisesMessage(browse.QueryError, "Unknown audience: nobody"):
            self.build(query(audience="nobody"))

    @override_settings(SHELF_PACK_MAX_ITEMS=1)
    def test_it_refuses_more_items_than_the_setting_allows(self):
        with self.assertRaisesMessage(builder.PackError, "a pack holds at most 1"):
            self.build(query(audience="teachers"))

    def test_it_refuses_a_list_with_nothing_in_it(self):
        with self.assertRaisesMessage(builder.PackError, "nothing to pack"):
            self.build(query(q="xylophonequartz"))
