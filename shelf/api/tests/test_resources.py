import datetime as dt

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from shelf.catalogue.factories import make_catalogue, make_resource
from shelf.catalogue.models import VOCABULARY_NAMES, Status, Visibility
from shelf.curation.tests.base import CurationTestCase
from shelf.curation.tests.base import make_resource as curation_resource
from shelf.test import BaseTestCase


def facet(data, name: str) -> dict[str, dict]:
    return {v["value"]: v for v in data["facets"][name]}


class ApiTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.r = make_catalogue()

    def get(self, url: str, status: int = 200) -> dict:
        r = self.client.get(url)
        self.assertEqual(r.status_code, status, r.content[:200])
        self.assertEqual(r["Content-Type"], "application/json")
        return r.json()


class ListTests(ApiTestCase):
    def test_it_returns_the_documented_shape(self):
        data = self.get("/api/v1/resources")
        self.assertEqual(
            list(data), ["count", "page", "pages", "suggestion", "notice", "results", "facets"]
        )
        self.assertEqual((data["suggestion"], data["notice"]), (None, None))
        self.assertEqual((data["count"], data["page"], data["pages"]), (4, 1, 1))
        self.assertEqual(list(data["facets"]), [*VOCABULARY_NAMES, "year"])
        first = data["results"][0]
        self.assertEqual(
            list(first),
            [
                "slug",
                "title",
                "summary",
                "publishers",
                "date",
                "language",
                "url",
                "terms",
                "snippet",
                "superseded",
            ],
        )
        self.assertEqual(first["slug"], "safer-virtual-school")
        self.assertEqual(first["snippet"], "")
        self.assertEqual(list(first["terms"]), VOCABULARY_NAMES)
        self.assertEqual(
            first["terms"]["audience"],
            [{"slug": "parents", "label": "Parents"}, {"slug": "teachers", "label": "Teachers"}],
        )
        self.assertEqual(first["terms"]["country"], [])
        self.assertEqual(
            facet(data, "audience")["parents"],
            {"value": "parents", "label": "Parents", "count": 2, "selected": False},
        )

    def test_it_marks_the_matched_words_in_an_escaped_snippet(self):
        data = self.get("/api/v1/resources?q=overcome")
        self.assertEqual(data["count"], 1)
        self.assertIn("<mark>overcome</mark>", data["results"][0]["snippet"])

    def test_it_suggests_a_query_that_finds_something(self):
        # Two edits from "overcome": too many for a 7-letter word to match.
        data = self.get("/api/v1/resources?q=ovrcomm")
        self.assertEqual(data["count"], 0)
        self.assertEqual(data["suggestion"], "overcome")

    def test_it_gives_publishers_as_labels_and_dates_as_precise_as_known(self):
        data = self.get("/api/v1/resources?sort=oldest")
        by_slug = {r["slug"]: r for r in data["results"]}
        # In the order they were given, the lead publisher first.
        self.assertEqual(by_slug["child-trafficking-guide"]["publishers"], ["ICMEC", "HCCH"])
        self.assertEqual(by_slug["child-trafficking-guide"]["date"], "2018-06")
        self.assertEqual(by_slug["student-safety-survey-samples"]["date"], "2019")
        self.assertEqual(by_slug["safer-virtual-school"]["date"], "2021-03-04")
        self.assertEqual(by_slug["student-safety-survey-samples"]["publishers"], [])

    @override_settings(SITE_ROOT="https://shelf.example.org")
    def test_it_gives_absolute_urls(self):
        data = self.get("/api/v1/resources?topic=child-trafficking")
        self.assertEqual(
            data["results"][0]["url"],
            "https://shelf.example.org/resources/child-trafficking-guide/",
        )

    def test_it_combines_one_facet_with_or_and_facets_with_and(self):
        data = self.get("/api/v1/resources?audience=parents&audience=teachers")
        self.assertEqual(data["count"], 3)
        data = self.get("/api/v1/resources?audience=parents&setting=schools")
        self.assertEqual([r["slug"] for r in data["results"]], ["safer-virtual-school"])

    def test_it_counts_each_facet_with_the_other_facets_selections(self):
        data = self.get("/api/v1/resources?audience=parents")
        audience = facet(data, "audience")
        self.assertEqual(audience["teachers"]["count"], 3)
        self.assertTrue(audience["parents"]["selected"])
        self.assertFalse(audience["teachers"]["selected"])
        self.assertEqual(facet(data, "setting")["schools"]["count"], 1)
        self.assertEqual(
            facet(data, "year"),
            {
                "2021": {"value": "2021", "label": "2021", "count": 1, "selected": False},
                "2020": {"value": "2020", "label": "2020", "count": 1, "selected": False},
            },
        )

    def test_it_filters_by_year_and_searches(self):
        data = self.get("/api/v1/resources?year=2019&year=2021&q=safe")
        self.assertEqual(data["count"], 2)
        self.assertTrue(facet(data, "year")["2019"]["selected"])

    def test_it_agrees_with_the_page(self):
        url = "audience=parents&audience=teachers&setting=schools&sort=title"
        data = self.get(f"/api/v1/resources?{url}")
        page = self.client.get(f"/resources/?{url}").content.decode()
        self.assertIn(f">{data['count']} resource", page)
        for result in data["results"]:
            self.assertIn(f'href="/resources/{result["slug"]}/"', page)

    @override_settings(SHELF_PAGE_SIZE=3)
    def test_it_pages(self):
        data = self.get("/api/v1/resources?page=2")
        self.assertEqual((data["count"], data["page"], data["pages"]), (4, 2, 2))
        self.assertEqual([r["slug"] for r in data["results"]], ["child-trafficking-guide"])

    def test_it_ignores_unknown_parameters(self):
        data = self.get("/api/v1/resources?format=xml&callback=x&utm_source=y")
        self.assertEqual(data["count"], 4)

    def test_it_shows_members_only_items_only_to_members(self):
        self.assertEqual(self.get("/api/v1/resources")["count"], 4)
        self.client.force_login(self.alice)
        data = self.get("/api/v1/resources?audience=parents")
        self.assertIn("members-briefing", [r["slug"] for r in data["results"]])
        self.assertNotIn("unfinished-draft", [r["slug"] for r in data["results"]])


class ErrorTests(ApiTestCase):
    def test_it_refuses_invalid_values_with_a_json_400(self):
        cases = {
            "page=abc": "Page must be a whole number from 1, not abc",
            "page=0": "Page must be a whole number from 1, not 0",
            "page=-1": "Page must be a whole number from 1, not -1",
            "page=1.5": "Page must be a whole number from 1, not 1.5",
            "page=" + "9" * 5000: "Page must be a whole number from 1",
            "page=2": "There is no page 2; the last page is 1",
            "audience=nobody": "Unknown audience: nobody",
            "audience=parents&topic=%00": "The request contains a NUL character.",
            "sort=random": "Unknown sort random; use one of: relevance, newest, oldest, title",
            "year=twenty": "Year must be four digits, not twenty",
            "year=%D9%A2%D9%A0%D9%A2%D9%A0": "Year must be four digits",
        }
        for params, message in cases.items():
            with self.subTest(params=params[:30]):
                r = self.client.get(f"/api/v1/resources?{params}")
                self.assertEqual(r.status_code, 400)
                self.assertEqual(r["Content-Type"], "application/json")
                self.assertEqual(list(r.json()), ["error"])
                self.assertTrue(r.json()["error"].startswith(message), r.json())

    def test_it_cuts_long_values_short_in_messages(self):
        r = self.client.get("/api/v1/resources?audience=" + "x" * 10_000)
        self.assertEqual(r.status_code, 400)
        self.assertLess(len(r.content), 200)

    def test_it_answers_404_json_for_unknown_hidden_and_draft_slugs(self):
        for slug in ["no-such-thing", "unfinished-draft", "members-briefing"]:
            with self.subTest(slug=slug):
                data = self.get(f"/api/v1/resources/{slug}", status=404)
                self.assertEqual(data, {"error": "No resource with this slug."})

    def test_it_answers_json_for_unknown_api_addresses(self):
        for url in ["/api/v1/resources/", "/api/v1/nothing", "/api/v2/resources"]:
            with self.subTest(url=url):
                self.assertEqual(self.get(url, status=404), {"error": "Not found."})
        r = self.client.get("/nothing/")
        self.assertContains(r, "There is nothing at this address", status_code=404)

    def test_it_allows_only_the_documented_methods(self):
        r = self.client.put("/api/v1/resources")
        self.assertEqual(r.status_code, 405)
        self.assertEqual(r["Allow"], "GET, HEAD, POST")
        self.assertIn("error", r.json())
        r = self.client.delete("/api/v1/resources/safer-virtual-school")
        self.assertEqual(r.status_code, 405)
        self.assertEqual(r["Allow"], "GET, HEAD, PATCH")
        # Writing without a token or a session is refused before anything else.
        self.assertEqual(self.client.post("/api/v1/resources").status_code, 401)
        self.assertEqual(self.client.head("/api/v1/resources").status_code, 200)


class HeaderTests(ApiTestCase):
    def test_it_is_open_to_other_sites(self):
        for url in ["/api/v1/resources", "/api/v1/resources/safer-virtual-school"]:
            with self.subTest(url=url):
                r = self.client.get(url)
                self.assertEqual(r["Access-Control-Allow-Origin"], "*")
                self.assertEqual(r["Cache-Control"], "public, max-age=60")
        r = self.client.get("/api/v1/resources?page=abc")
        self.assertEqual(r["Access-Control-Allow-Origin"], "*")
        self.assertEqual(r["Cache-Control"], "no-cache")

    def test_it_keeps_a_members_answer_out_of_shared_caches(self):
        self.client.force_login(self.alice)
        r = self.client.get("/api/v1/resources")
        self.assertEqual(r["Cache-Control"], "private, no-cache")
        self.assertIn("Cookie", r["Vary"])


class DetailTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        guide = cls.r["guide"]
        guide.body = "The full text."
        guide.source_url = "https://icmec.example/x.pdf"
        guide.last_reviewed = dt.date(2024, 2, 3)
        guide.save()
        cls.zh = make_resource("强制报告者", slug="zh-guide", language="zh-Hans")
        cls.fr = make_resource(
            "Guide", slug="fr-guide", language="fr", visibility=Visibility.MEMBERS
        )
        guide.translations.add(cls.zh, cls.fr)
        cls.newer = make_resource("Newer", slug="newer", date="2024-01-01", supersedes=guide)
        make_resource("Draft edition", slug="draft-edition", status=Status.DRAFT, supersedes=guide)

    def test_it_returns_every_field(self):
        data = self.get("/api/v1/resources/mandatory-reporter-infographic")
        self.assertEqual(data["slug"], "mandatory-reporter-infographic")
        self.assertEqual(data["title"], "Mandatory Reporter Infographic")
        self.assertEqual(data["body"], "The full text.")
        self.assertEqual(data["date"], "2020-05")
        self.assertEqual(data["date_precision"], "month")
        self.assertEqual(data["language"], "en")
        self.assertEqual(data["language_label"], "English")
        self.assertEqual(data["source_url"], "https://icmec.example/x.pdf")
        self.assertEqual(data["last_reviewed"], "2024-02-03")
        self.assertEqual(data["visibility"], "public")
        self.assertEqual(data["publishers"], ["ICMEC"])
        self.assertEqual(data["terms"]["type"], [{"slug": "infographic", "label": "Infographic"}])
        self.assertEqual(data["supersedes"], None)
        self.assertIn("updated", data)

    def test_it_links_only_what_the_reader_may_see(self):
        data = self.get("/api/v1/resources/mandatory-reporter-infographic")
        self.assertEqual([t["slug"] for t in data["translations"]], ["zh-guide"])
        self.assertEqual(
            data["translations"][0],
            {
                "slug": "zh-guide",
                "title": "强制报告者",
                "language": "zh-Hans",
                "date": None,
                "url": "http://127.0.0.1:8000/resources/zh-guide/",
            },
        )
        self.assertEqual([r["slug"] for r in data["superseded_by"]], ["newer"])
        related = [r["slug"] for r in data["related"]]
        self.assertEqual(related[0], "safer-virtual-school")
        self.assertNotIn("members-briefing", related)

        self.client.force_login(self.alice)
        data = self.get("/api/v1/resources/mandatory-reporter-infographic")
        self.assertEqual([t["slug"] for t in data["translations"]], ["fr-guide", "zh-guide"])
        self.assertIn("members-briefing", [r["slug"] for r in data["related"]])

    def test_it_links_the_older_edition(self):
        data = self.get("/api/v1/resources/newer")
        self.assertEqual(data["supersedes"]["slug"], "mandatory-reporter-infographic")

    def test_it_shows_members_only_items_to_members(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.get("/api/v1/resources/members-briefing")["visibility"], "members")

    def test_it_keeps_unicode_readable(self):
        r = self.client.get("/api/v1/resources/zh-guide")
        self.assertIn("强制报告者".encode(), r.content)


@override_settings(SHELF_PAGE_SIZE=50)
class QueryCountTests(BaseTestCase):
    def queries_for(self, url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            r = self.client.get(url)
        self.assertEqual(r.status_code, 200)
        return len(ctx.captured_queries)

    def make_items(self, n: int, start: int = 0) -> None:
        for i in range(start, start + n):
            make_resource(
                f"Item {i}",
                terms={"audience": ["Teachers"], "topic": [f"Topic {i}"], "publisher": ["ICMEC"]},
                date=f"20{10 + i % 10}-01-01",
            )

    def test_it_does_not_grow_with_the_number_of_results(self):
        url = "/api/v1/resources?audience=teachers&publisher=icmec&q=item"
        self.make_items(3)
        # The first search after writes reads the change feed: a fixed
        # number of queries, whatever the number of results.
        self.client.get(url)
        few = self.queries_for(url)
        self.make_items(27, start=3)
        self.assertEqual(self.client.get(url).json()["count"], 30)
        self.assertEqual(self.queries_for(url), few)


class SupersededTests(CurationTestCase):
    """An item replaced by a newer edition says so, in the list and the
    item, as far as the caller may see that edition."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.old = curation_resource("Vetting staff 2019", slug="vetting-2019")
        cls.public_new = curation_resource("Vetting staff 2024", supersedes=cls.old)
        cls.older = curation_resource("Safe recruitment 2015", slug="recruitment-2015")
        curation_resource(
            "Safe recruitment 2023", supersedes=cls.older, visibility=Visibility.MEMBERS
        )

    def listed(self) -> dict[str, bool]:
        data = self.client.get("/api/v1/resources?sort=title").json()
        return {r["slug"]: r["superseded"] for r in data["results"]}

    def test_it_flags_superseded_items_in_the_list(self):
        listed = self.listed()
        self.assertIs(listed["vetting-2019"], True)
        self.assertIs(listed[self.public_new.slug], False)
        # Its newer edition is members-only: a reader is not told of it.
        self.assertIs(listed["recruitment-2015"], False)
        self.client.force_login(self.member)
        self.assertIs(self.listed()["recruitment-2015"], True)

    def test_it_flags_a_superseded_item(self):
        def superseded(slug: str) -> bool:
            return self.client.get(f"/api/v1/resources/{slug}").json()["superseded"]

        self.assertIs(superseded("vetting-2019"), True)
        self.assertIs(superseded("recruitment-2015"), False)
        self.client.force_login(self.member)
        self.assertIs(superseded("recruitment-2015"), True)
        self.assertIs(superseded(self.public_new.slug), False)
