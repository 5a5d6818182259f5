"""A facet's "more" page and its JSON twin: every value with its count for
the listing's query, found by part of its label, a page at a time."""

import json
import re

from django.test import SimpleTestCase

from shelf.catalogue.factories import make_resource
from shelf.front.tests.test_listing import ListingTestCase
from shelf.search.browse import FACET_PAGE_SIZE, Query, Toggles


def values(response) -> list[tuple[str, str, int]]:
    """(label, href, count) of every value listed on a facet page."""
    found = re.findall(
        r'<a class="facet-value" href="([^"]*)"[^>]*><span class="facet-label">([^<]*)</span>'
        r'.*?<span class="facet-count">([\d,]+)</span>',
        response.content.decode(),
    )
    return [
        (label, href.replace("&amp;", "&"), int(n.replace(",", ""))) for href, label, n in found
    ]


class FacetPageTests(ListingTestCase):
    def test_it_lists_every_value_with_its_count_linking_into_the_listing(self):
        r = self.client.get("/resources/facets/audience/?q=safe&setting=schools")
        self.assertEqual(r.status_code, 200)
        found = values(r)
        parents = next(v for v in found if v[0] == "Parents")
        self.assertEqual(parents[1], "/resources/?q=safe&audience=parents&setting=schools")
        # The same counts as the listing's sidebar for the same query.
        listing = self.client.get("/resources/?q=safe&setting=schools").context["results"]
        audience = next(f for f in listing.facets if f.name == "audience")
        self.assertEqual(
            [(v.label, v.count) for v in audience.values], [(lbl, n) for lbl, _h, n in found]
        )
        self.assertContains(
            r, '<a href="/resources/?q=safe&amp;setting=schools">Back to the resources</a>'
        )
        self.assertContains(r, "<h1>Audience</h1>")
        self.assertContains(r, '<meta name="robots" content="noindex">')

    def test_it_marks_chosen_values(self):
        r = self.client.get("/resources/facets/audience/?audience=parents")
        parents = [v for v in values(r) if v[0] == "Parents"][0]
        self.assertEqual(parents[1], "/resources/")
        self.assertContains(
            r, 'aria-current="true" rel="nofollow"><span class="facet-label">Parents'
        )

    def test_it_finds_values_by_part_of_their_label_case_and_accents_aside(self):
        make_resource("Guide ivoirien", terms={"country": ["Côte d’Ivoire"]})
        make_resource("Guide français", terms={"country": ["France"]})
        r = self.client.get("/resources/facets/country/?contains=COTE")
        self.assertEqual([v[0] for v in values(r)], ["Côte d’Ivoire"])
        self.assertContains(r, 'name="contains" value="COTE"')
        r = self.client.get("/resources/facets/country/?contains=zzz")
        self.assertEqual(values(r), [])
        self.assertContains(r, "No value contains “zzz”.")
        self.assertContains(r, '<a href="/resources/facets/country/">Show every value</a>')

    def test_its_find_form_keeps_the_query_without_javascript(self):
        r = self.client.get("/resources/facets/country/?q=guide&audience=parents&page=1")
        html = r.content.decode()
        form = html[html.index('<form class="search-form"') : html.index("</form>")]
        self.assertIn('method="get" action="/resources/facets/country/"', form)
        self.assertIn('<label for="contains">', form)
        self.assertIn('<input type="hidden" name="q" value="guide">', form)
        self.assertIn('<input type="hidden" name="audience" value="parents">', form)
        self.assertNotIn('name="page"', form)

    def test_it_pages_long_lists(self):
        for n in range(FACET_PAGE_SIZE + 5):
            make_resource(f"Item {n}", terms={"country": [f"Land {n:03}"]})
        r = self.client.get("/resources/facets/country/?contains=land")
        self.assertEqual(len(values(r)), FACET_PAGE_SIZE)
        self.assertContains(r, f"{FACET_PAGE_SIZE + 5} values")
        self.assertContains(
            r, '<link rel="next" href="/resources/facets/country/?page=2&amp;contains=land">'
        )
        r = self.client.get("/resources/facets/country/?contains=land&page=2")
        self.assertEqual(len(values(r)), 5)
        self.assertContains(r, "page 2 of 2")
        r = self.client.get("/resources/facets/country/?contains=land&page=3")
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "There is no page 3", status_code=400)

    def test_it_refuses_unknown_facets_and_bad_queries(self):
        self.assertEqual(self.client.get("/resources/facets/colour/").status_code, 404)
        r = self.client.get("/resources/facets/audience/?topic=no-such-topic")
        self.assertContains(r, "Unknown topic", status_code=400)

    def test_it_speaks_the_readers_language(self):
        r = self.client.get("/fr/resources/facets/audience/")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, '<html lang="fr"')
        self.assertTrue(all(href.startswith("/fr/resources/") for _l, href, _n in values(r)))
        self.assertContains(r, 'href="/fr/resources/">')

    def test_the_listing_links_to_it(self):
        for n in range(12):
            make_resource(f"Item {n}", terms={"country": [f"Country {n:02}"]})
        r = self.client.get("/resources/?q=item&sort=title&page=1")
        more = re.search(r'<p class="facet-more"><a href="([^"]*)"', r.content.decode()).group(1)
        self.assertEqual(more, "/resources/facets/country/?q=item&amp;sort=title")


class FacetApiTests(ListingTestCase):
    def test_it_gives_the_values_as_json(self):
        r = self.client.get("/api/v1/resources/facets/audience?setting=schools")
        self.assertEqual(r.status_code, 200)
        data = json.loads(r.content)
        self.assertEqual(data["facet"], "audience")
        self.assertEqual(data["label"], "Audience")
        self.assertEqual((data["page"], data["pages"]), (1, 1))
        self.assertEqual(data["count"], len(data["results"]))
        listing = self.client.get("/api/v1/resources?setting=schools").json()
        self.assertEqual(data["results"], listing["facets"]["audience"])
        self.assertEqual(data["resources"], listing["count"])
        self.assertEqual(r["Access-Control-Allow-Origin"], "*")

    def test_it_finds_and_pages(self):
        for n in range(FACET_PAGE_SIZE + 1):
            make_resource(f"Item {n}", terms={"country": [f"Land {n:03}"]})
        data = self.client.get("/api/v1/resources/facets/country?contains=land&page=2").json()
        self.assertEqual((data["count"], data["page"], data["pages"]), (FACET_PAGE_SIZE + 1, 2, 2))
        self.assertEqual(len(data["results"]), 1)

    def test_it_answers_errors_as_json(self):
        r = self.client.get("/api/v1/resources/facets/colour")
        self.assertEqual(r.status_code, 404)
        self.assertIn("audience", r.json()["error"])
        r = self.client.get("/api/v1/resources/facets/audience?page=9")
        self.assertEqual(r.status_code, 400)
        self.assertIn("There is no page 9", r.json()["error"])


class ToggleTests(SimpleTestCase):
    def test_it_gives_the_address_a_full_urlencode_gives(self):
        queries = [
            Query(),
            Query(q="safe & sound", sort="title"),
            Query(selected={"audience": ["teachers", "parents"], "year": ["2020"]}),
            Query(q="كيف", selected={"country": ["côte-d-ivoire"]}, sort="newest", page=3),
        ]
        for query in queries:
            toggles = Toggles(query)
            for facet, value in [
                ("audience", "parents"),
                ("audience", "a b/c"),
                ("year", "2020"),
                ("country", "côte-d-ivoire"),
                ("topic", "x"),
            ]:
                with self.subTest(query=query, facet=facet, value=value):
                    chosen = list(query.selected.get(facet, []))
                    chosen.remove(value) if value in chosen else chosen.append(value)
                    selected = {k: v for k, v in {**query.selected, facet: chosen}.items() if v}
                    self.assertEqual(toggles.url(facet, value), query.url(selected=selected))
