import feedparser
from django.contrib.auth.models import User

from shelf.catalogue.factories import make_catalogue
from shelf.catalogue.models import Resource
from shelf.files import services, tasks
from shelf.files.tests import samples
from shelf.files.tests.base import TemporaryFileStorage
from shelf.test import BaseTestCase


class FeedTestCase(TemporaryFileStorage, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.r = make_catalogue()
        cls.r["virtual"].summary = "Online school: <b>safe</b> & sound."
        cls.r["virtual"].save()
        cls.pdf = services.attach_file(
            resource=cls.r["virtual"],
            upload=samples.upload("virtual-school.pdf", samples.pdf(["Safer virtual school"])),
        )
        tasks.read_file(cls.pdf.pk)
        cls.member = User.objects.create_user("mia", "mia@example.org", "pw")

    def feed(self, query: str = "", status: int = 200):
        response = self.client.get("/resources/feed/" + query)
        self.assertEqual(response.status_code, status)
        if status == 200:
            self.assertEqual(response["Content-Type"], "application/atom+xml; charset=utf-8")
        return feedparser.parse(response.content)

    def test_it_lists_the_newest_first_with_dates_and_summaries(self):
        feed = self.feed()
        self.assertFalse(feed.bozo, feed.get("bozo_exception"))
        self.assertEqual(feed.version, "atom10")
        self.assertEqual(
            [e.title for e in feed.entries],
            [
                "Safer Virtual School",
                "Mandatory Reporter Infographic",
                "Student Safety Survey Samples",
                "Child Trafficking Guide",
            ],
        )
        entry = feed.entries[0]
        self.assertEqual(entry.link, "http://127.0.0.1:8000/resources/safer-virtual-school/")
        self.assertEqual(
            entry.summary, "<p>Online school: &lt;b&gt;safe&lt;/b&gt; &amp; sound.</p>"
        )
        self.assertEqual(entry.published[:10], "2021-03-04")
        self.assertTrue(entry.updated_parsed)
        self.assertEqual(entry.author, "ICMEC")
        self.assertEqual(feed.feed.updated, max(e.updated for e in feed.entries))

    def test_terms_are_categories_and_files_enclosures(self):
        entry = self.feed().entries[0]
        self.assertEqual(
            sorted(t.term for t in entry.tags),
            ["COVID-19", "Online safety", "Parents", "Schools", "Teachers"],
        )
        (enclosure,) = entry.enclosures
        self.assertEqual(enclosure.type, "application/pdf")
        self.assertEqual(enclosure.href, "http://127.0.0.1:8000" + self.pdf.get_absolute_url())
        self.assertEqual(int(enclosure.length), self.pdf.size)

    def test_it_follows_the_listing_query(self):
        feed = self.feed("?audience=parents&q=school")
        # The listing's own results for the query, newest first.
        listing = self.client.get("/api/v1/resources?audience=parents&q=school&sort=newest")
        expected = [r["title"] for r in listing.json()["results"]]
        self.assertIn("Safer Virtual School", expected)
        self.assertNotIn("Student Safety Survey Samples", expected)  # not for parents
        self.assertEqual([e.title for e in feed.entries], expected)
        self.assertIn("Parents", feed.feed.title)
        self.assertIn("“school”", feed.feed.title)
        self.assertEqual(
            feed.feed.link, "http://127.0.0.1:8000/resources/?q=school&audience=parents"
        )
        # Sort and page belong to the page, not the feed.
        feed = self.feed("?audience=teachers&sort=title&page=1")
        self.assertEqual(feed.entries[0].title, "Safer Virtual School")

    def test_members_only_items_reach_members_only(self):
        self.assertNotIn("Members Briefing", [e.title for e in self.feed().entries])
        self.client.force_login(self.member)
        self.assertIn("Members Briefing", [e.title for e in self.feed().entries])

    def test_a_bad_query_is_a_clear_400(self):
        response = self.client.get("/resources/feed/?audience=nobody")
        self.assertEqual(response.status_code, 400)
        self.assertIn("nobody", response.content.decode())

    def test_the_listing_links_to_its_feed(self):
        response = self.client.get("/resources/?audience=parents&q=school&sort=title&page=1")
        self.assertContains(
            response,
            '<link rel="alternate" type="application/atom+xml" '
            'title="New resources in this list (Atom feed)" '
            'href="/resources/feed/?q=school&amp;audience=parents">',
        )

    def test_no_item_is_given_the_feeds_address(self):
        from shelf.ingest.services import import_records
        from shelf.ingest.tests.factories import record

        import_records(records=[record("test:feed", "Feed")], source="feed.json")
        self.assertEqual(Resource.objects.get(key="test:feed").slug, "feed-2")
