from django.db import connection

from shelf.catalogue.models import Status, Visibility
from shelf.curation.tests.base import CurationTestCase, make_resource, term
from shelf.files import services, tasks
from shelf.files.tests import samples
from shelf.files.tests.base import TemporaryFileStorage
from shelf.stats.counter import COUNTER
from shelf.stats.counting import normalise
from shelf.stats.models import DailyCount, Kind
from shelf.stats.tests.base import BROWSER, GOOGLEBOT, stored

UA = {"HTTP_USER_AGENT": BROWSER}


class CountingTestCase(TemporaryFileStorage, CurationTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.parents = term("audience", "parents", "Parents")
        cls.guide = make_resource("Online safety guide", terms=[cls.parents], language="en")
        cls.pdf = services.attach_file(
            resource=cls.guide, upload=samples.upload("guide.pdf", samples.pdf(["Guide"]))
        )
        tasks.read_file(cls.pdf.pk)
        cls.pdf.refresh_from_db()

    def test_it_counts_a_detail_page_view_and_the_interface_language(self):
        self.client.get(f"/resources/{self.guide.slug}/", **UA)
        self.client.get(f"/fr/resources/{self.guide.slug}/", **UA)
        counts = stored()
        self.assertEqual(counts[(Kind.VIEW, str(self.guide.pk))], 2)
        self.assertEqual(counts[(Kind.LANGUAGE, "en")], 1)
        self.assertEqual(counts[(Kind.LANGUAGE, "fr")], 1)

    def test_it_counts_a_file_download_but_not_its_thumbnail(self):
        response = self.client.get(self.pdf.get_absolute_url(), **UA)
        b"".join(response.streaming_content)
        self.client.get(self.pdf.get_thumbnail_url(), **UA)
        self.assertEqual(stored(), {(Kind.DOWNLOAD, str(self.guide.pk)): 1})

    def test_it_counts_searches_on_pages_and_the_api_on_their_first_page(self):
        self.client.get("/resources/", {"q": "safety"}, **UA)
        self.client.get("/resources/", {"q": "safety", "page": "2"}, **UA)
        self.client.get("/api/v1/resources", {"q": "guide"}, **UA)
        self.client.get("/resources/", **UA)  # browsing is not searching
        counts = stored()
        self.assertEqual(counts[(Kind.SEARCH, "page")], 1)
        self.assertEqual(counts[(Kind.SEARCH, "api")], 1)
        self.assertNotIn(Kind.ZERO, {kind for kind, _key in counts})

    def test_it_keeps_the_text_of_a_search_that_found_nothing_normalised(self):
        self.client.get("/resources/", {"q": "  Sextortion   HELPLINE "}, **UA)
        self.client.get("/api/v1/resources", {"q": "sextortion helpline"}, **UA)
        self.client.get("/resources/", {"q": "SEXTORTION\u3000helpline"}, **UA)
        counts = stored()
        self.assertEqual(counts[(Kind.ZERO, "sextortion helpline")], 3)
        self.assertEqual(counts[(Kind.SEARCH, "page")], 2)

    def test_it_caps_the_length_of_a_stored_search(self):
        self.assertEqual(normalise("Ab " * 200), ("ab " * 34)[:100].strip())
        self.assertEqual(normalise("Straße"), "strasse")

    def test_it_counts_the_facet_values_chosen(self):
        self.client.get("/resources/", {"audience": "parents", "year": "2020"}, **UA)
        self.client.get("/api/v1/resources", {"audience": "parents"}, **UA)
        counts = stored()
        self.assertEqual(counts[(Kind.FACET, "audience:parents")], 2)
        self.assertEqual(counts[(Kind.FACET, "year:2020")], 1)

    def test_it_counts_the_front_page_language(self):
        self.client.get("/ar/", **UA)
        self.assertEqual(stored(), {(Kind.LANGUAGE, "ar"): 1})

    def test_it_does_not_count_bots_scripts_or_empty_user_agents(self):
        for agent in (GOOGLEBOT, "curl/8.5.0", "python-requests/2.32.3", ""):
            with self.subTest(agent=agent):
                self.client.get(f"/resources/{self.guide.slug}/", HTTP_USER_AGENT=agent)
                self.client.get("/resources/", {"q": "nothing-here"}, HTTP_USER_AGENT=agent)
        self.assertEqual(stored(), {})

    def test_it_does_not_count_head_requests(self):
        self.client.head(f"/resources/{self.guide.slug}/", **UA)
        self.client.head(self.pdf.get_absolute_url(), **UA)
        self.client.head("/api/v1/resources", {"q": "nothing-here"}, **UA)
        self.assertEqual(stored(), {})

    def test_it_does_not_count_staff_previews(self):
        self.client.force_login(self.editor)
        self.client.get(f"/resources/{self.guide.slug}/", **UA)
        self.client.get("/resources/", {"q": "nothing-here"}, **UA)
        self.assertEqual(stored(), {})

    def test_it_counts_members_like_anyone_without_naming_them(self):
        self.client.force_login(self.member)
        self.client.get(f"/resources/{self.guide.slug}/", **UA)
        self.assertEqual(stored()[(Kind.VIEW, str(self.guide.pk))], 1)

    def test_it_does_not_count_pages_that_fail(self):
        self.client.get("/resources/no-such-item/", **UA)
        self.client.get("/resources/", {"page": "abc", "q": "x"}, **UA)
        self.client.get("/api/v1/resources", {"audience": "nobody"}, **UA)
        self.assertEqual(stored(), {})

    def test_it_stores_nothing_that_names_a_reader(self):
        self.client.force_login(self.member)
        session = self.client.session.session_key
        self.client.get(
            "/resources/",
            {"q": "nothing-here"},
            REMOTE_ADDR="203.0.113.77",
            HTTP_X_FORWARDED_FOR="198.51.100.23",
            **UA,
        )
        self.client.get(f"/resources/{self.guide.slug}/", REMOTE_ADDR="203.0.113.77", **UA)
        stored()
        fields = {f.name for f in DailyCount._meta.get_fields()}
        self.assertEqual(fields, {"id", "day", "kind", "key", "count"})
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {DailyCount._meta.db_table}")  # noqa: S608
            dump = repr(cursor.fetchall())
        self.assertTrue(session)
        # No column could hold the account (the fields above); nor any text.
        for trace in ("203.0.113.77", "198.51.100.23", session, "mia"):
            self.assertNotIn(trace, dump)
        self.assertIn("nothing-here", dump, "the dump is the table that was written")

    def test_it_sets_no_cookie_on_a_counted_page(self):
        response = self.client.get(f"/resources/{self.guide.slug}/", **UA)
        self.assertEqual(dict(response.cookies), {})
        self.assertEqual(COUNTER.pending() != {}, True)

    def test_it_counts_nothing_when_turned_off(self):
        with self.settings(STATS_ENABLED=False):
            self.client.get(f"/resources/{self.guide.slug}/", **UA)
        self.assertEqual(stored(), {})

    def test_it_counts_a_members_only_item_only_when_it_is_shown(self):
        secret = make_resource(
            "Members briefing", visibility=Visibility.MEMBERS, status=Status.PUBLISHED
        )
        self.assertEqual(self.client.get(f"/resources/{secret.slug}/", **UA).status_code, 404)
        self.assertEqual(stored(), {})
