import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from shelf.catalogue.factories import make_catalogue, make_resource
from shelf.catalogue.models import Status, Visibility
from shelf.test import BaseTestCase


class DetailTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.r = make_catalogue()
        cls.guide = cls.r["guide"]
        cls.guide.body = "First paragraph.\n\nSecond <paragraph>."
        cls.guide.source_url = "https://icmec.example/infographic.pdf"
        cls.guide.last_reviewed = dt.date(2024, 2, 3)
        cls.guide.save()


class DetailPageTests(DetailTestCase):
    def test_it_shows_the_resource(self):
        r = self.client.get("/resources/mandatory-reporter-infographic/")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, '<h1 lang="en" dir="ltr">Mandatory Reporter Infographic</h1>')
        self.assertContains(r, "<title>Mandatory Reporter Infographic · Shelf</title>")
        self.assertContains(r, "(ICMEC) Your role as a mandatory reporter.")
        self.assertContains(r, "<p>First paragraph.</p>")
        self.assertContains(r, "<p>Second &lt;paragraph&gt;.</p>")
        self.assertContains(r, '<dd><time datetime="2020-05">May 2020</time></dd>')
        self.assertContains(r, '<dd lang="en">English</dd>')
        self.assertContains(r, '<dd><a href="/resources/?publisher=icmec">ICMEC</a></dd>')
        self.assertContains(r, "<dt>Last reviewed</dt>")
        self.assertContains(r, '<time datetime="2024-02-03">Feb. 3, 2024</time>')

    def test_it_links_every_term_to_the_filtered_listing_grouped_by_vocabulary(self):
        r = self.client.get("/resources/mandatory-reporter-infographic/")
        self.assertContains(
            r,
            '<dt>Audience</dt>\n<dd><ul class="terms">'
            '<li><a href="/resources/?audience=parents">Parents</a></li>'
            '<li><a href="/resources/?audience=teachers">Teachers</a></li></ul></dd>',
        )
        self.assertContains(r, '<a href="/resources/?type=infographic">Infographic</a>')
        self.assertContains(r, '<a href="/resources/?topic=child-protection">Child protection</a>')
        self.assertNotContains(r, "<dt>Country</dt>")

    def test_it_links_the_source_as_external(self):
        r = self.client.get("/resources/mandatory-reporter-infographic/")
        self.assertContains(
            r,
            '<a href="https://icmec.example/infographic.pdf" rel="noopener noreferrer external">',
        )
        self.assertContains(r, "(external site)")

    def test_it_does_not_link_a_source_that_is_not_a_web_address(self):
        make_resource("Odd", slug="odd", source_url="javascript:alert(1)")
        r = self.client.get("/resources/odd/")
        self.assertNotContains(r, "javascript:")

    def test_it_leaves_out_what_is_not_set(self):
        r = self.client.get("/resources/safer-virtual-school/")
        self.assertNotContains(r, "Last reviewed")
        self.assertNotContains(r, "Full text")
        self.assertNotContains(r, 'class="source"')

    def test_it_links_the_json_twin_and_the_canonical_address(self):
        r = self.client.get("/resources/mandatory-reporter-infographic/")
        self.assertContains(
            r,
            '<link rel="alternate" type="application/json" '
            'href="/api/v1/resources/mandatory-reporter-infographic">',
        )
        self.assertContains(
            r,
            '<a href="/api/v1/resources/mandatory-reporter-infographic">This resource as JSON</a>',
        )
        self.assertContains(
            r,
            '<link rel="canonical" '
            'href="http://127.0.0.1:8000/resources/mandatory-reporter-infographic/">',
        )

    def test_it_lists_related_resources_sharing_the_most_terms(self):
        r = self.client.get("/resources/mandatory-reporter-infographic/")
        html = r.content.decode()
        related = html[html.index('class="related"') :]
        # Safer Virtual School shares Parents and Teachers; the survey only Teachers.
        self.assertLess(related.index("Safer Virtual School"), related.index("Student Safety"))
        self.assertNotIn("Members Briefing", related)
        self.assertNotIn("Unfinished Draft", related)


class VisibilityTests(DetailTestCase):
    def test_it_hides_drafts_from_everyone(self):
        self.assertEqual(self.client.get("/resources/unfinished-draft/").status_code, 404)
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get("/resources/unfinished-draft/").status_code, 404)

    def test_it_hides_members_only_items_from_anonymous_readers(self):
        r = self.client.get("/resources/members-briefing/")
        self.assertEqual(r.status_code, 404)
        self.assertContains(r, "There is nothing at this address", status_code=404)
        self.assertNotContains(r, "Members Briefing", status_code=404)

    def test_it_shows_members_only_items_to_members(self):
        self.client.force_login(self.alice)
        r = self.client.get("/resources/members-briefing/")
        self.assertContains(r, "Members Briefing")
        self.assertContains(r, '<p class="badge">Members only')

    def test_it_answers_404_for_an_unknown_slug(self):
        self.assertEqual(self.client.get("/resources/no-such-thing/").status_code, 404)

    def test_it_hides_archived_items(self):
        make_resource("Old", slug="old", status=Status.ARCHIVED)
        self.assertEqual(self.client.get("/resources/old/").status_code, 404)


class LinkTests(DetailTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.zh = make_resource(
            "强制报告者信息图", slug="zh-infographic", language="zh-Hans", summary="中文"
        )
        cls.ar = make_resource(
            "مخطط المبلغ الإلزامي", slug="ar-infographic", language="ar", summary="عربي"
        )
        cls.fr_members = make_resource(
            "Infographie", slug="fr-infographic", language="fr", visibility=Visibility.MEMBERS
        )
        cls.guide.translations.add(cls.zh, cls.ar, cls.fr_members)

    def test_it_lists_translations_in_their_own_language(self):
        r = self.client.get("/resources/mandatory-reporter-infographic/")
        self.assertContains(
            r,
            '<a href="/resources/zh-infographic/" hreflang="zh-Hans"><span lang="zh-Hans">简体中文'
            '</span>: <span lang="zh-Hans" dir="ltr">强制报告者信息图</span></a>',
        )
        self.assertContains(r, '<span lang="ar" dir="rtl">مخطط المبلغ الإلزامي</span>')
        # hreflang alternates in the head are this page in each interface
        # language; the work's translations are other pages, linked above.
        self.assertNotContains(r, 'hreflang="zh-Hans" href="http://127.0.0.1:8000/')

    def test_it_lists_members_only_translations_only_to_members(self):
        r = self.client.get("/resources/mandatory-reporter-infographic/")
        self.assertNotContains(r, "Infographie")
        self.client.force_login(self.alice)
        r = self.client.get("/resources/mandatory-reporter-infographic/")
        self.assertContains(r, "Infographie")

    def test_it_links_translations_both_ways(self):
        r = self.client.get("/resources/zh-infographic/")
        self.assertContains(r, 'href="/resources/mandatory-reporter-infographic/" hreflang="en"')

    def test_it_says_when_a_newer_edition_exists(self):
        newer = make_resource("Infographic 2024", slug="infographic-2024", date="2024-01-01")
        newer.supersedes = self.guide
        newer.save()
        r = self.client.get("/resources/mandatory-reporter-infographic/")
        self.assertContains(r, "There is a newer edition of this resource:")
        self.assertContains(
            r,
            '<a href="/resources/infographic-2024/" lang="en" dir="ltr">Infographic 2024</a>'
            ' (<time datetime="2024-01-01">Jan. 1, 2024</time>)',
        )
        r = self.client.get("/resources/infographic-2024/")
        self.assertContains(r, "<dt>Replaces</dt>")
        self.assertContains(
            r,
            '<a href="/resources/mandatory-reporter-infographic/" lang="en" dir="ltr">'
            "Mandatory Reporter Infographic</a>",
        )

    def test_it_does_not_point_to_editions_the_reader_cannot_see(self):
        draft = make_resource("Next edition", slug="next", status=Status.DRAFT)
        draft.supersedes = self.guide
        draft.save()
        r = self.client.get("/resources/mandatory-reporter-infographic/")
        self.assertNotContains(r, "newer edition")
        self.assertNotContains(r, "Next edition")

        old = make_resource("Members edition", slug="old-members", visibility=Visibility.MEMBERS)
        current = make_resource("Current", slug="current", supersedes=old)
        r = self.client.get(current.get_absolute_url())
        self.assertNotContains(r, "Replaces")
        self.assertNotContains(r, "Members edition")


class DetailQueryCountTests(BaseTestCase):
    def queries_for(self, url: str) -> int:
        # Once first, so the search index takes in the new items (related
        # items are ranked from it) before the page's own queries are counted.
        self.client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(ctx.captured_queries)

    def test_it_does_not_grow_with_translations_and_related_items(self):
        terms = {"topic": ["Grooming"], "audience": ["Parents"], "publisher": ["ICMEC"]}
        item = make_resource("Item", slug="item", terms=terms)
        for n in range(2):
            item.translations.add(make_resource(f"T{n}", language="fr", terms=terms))
        few = self.queries_for("/resources/item/")
        for n in range(2, 8):
            item.translations.add(make_resource(f"T{n}", language="fr", terms=terms))
        self.assertContains(self.client.get("/resources/item/"), "T7")
        self.assertEqual(self.queries_for("/resources/item/"), few)


class LocalFormatTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.month = make_resource(
            "Guide", slug="guide", date="2021-11-01", date_precision="month", language="en"
        )
        cls.day = make_resource("Day", slug="day", date="2021-03-04", language="ar")

    def test_it_writes_months_in_words_in_the_readers_language(self):
        for prefix, month in [
            ("", "November 2021"),
            ("/fr", "novembre 2021"),
            ("/es", "noviembre de 2021"),
            ("/ar", "نوفمبر 2021"),
            ("/zh-hans", "2021年11月"),
        ]:
            with self.subTest(prefix=prefix):
                r = self.client.get(f"{prefix}/resources/guide/")
                self.assertContains(r, f'<time datetime="2021-11">{month}</time>')

    def test_it_writes_full_dates_in_the_readers_language(self):
        r = self.client.get("/fr/resources/day/")
        self.assertContains(r, '<time datetime="2021-03-04">4 mars 2021</time>')

    def test_english_content_reads_left_to_right_in_an_arabic_page(self):
        r = self.client.get("/ar/resources/guide/")
        self.assertContains(r, '<html lang="ar" dir="rtl">')
        self.assertContains(r, '<h1 lang="en" dir="ltr">Guide</h1>')
        r = self.client.get("/fr/resources/day/")
        self.assertContains(r, '<h1 lang="ar" dir="rtl">Day</h1>')
