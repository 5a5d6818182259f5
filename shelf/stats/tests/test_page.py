import datetime
import re
from urllib.parse import unquote

from django.utils import timezone

from shelf.catalogue.models import Status, Visibility
from shelf.curation.tests.base import CurationTestCase, make_resource, term
from shelf.stats.models import DailyCount, Kind

URL = "/curation/stats/"


def count(kind, key, n, days_ago=0):
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    DailyCount.objects.create(day=day, kind=kind, key=key, count=n)


def svg_values(page: str, chart_id: str) -> list[str]:
    """The "label: value" titles of a chart's bars."""
    svg = re.search(rf'<svg[^>]*aria-labelledby="{chart_id}-title.*?</svg>', page, re.S).group(0)
    return re.findall(r"<rect [^>]*><title>(.*?)</title>", svg)


class StatsPageTestCase(CurationTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.guide = make_resource("Online safety guide")
        cls.poster = make_resource("Helpline poster")
        cls.secret = make_resource("Members briefing", visibility=Visibility.MEMBERS)
        cls.gone = make_resource("Withdrawn leaflet", status=Status.DRAFT)
        cls.parents = term("audience", "parents", "Parents")
        cls.parents.labels = {"fr": "Parents (fr)"}
        cls.parents.save()
        count(Kind.VIEW, str(cls.guide.pk), 12)
        count(Kind.VIEW, str(cls.guide.pk), 3, days_ago=1)
        count(Kind.VIEW, str(cls.poster.pk), 4)
        count(Kind.VIEW, str(cls.secret.pk), 2)
        count(Kind.VIEW, str(cls.gone.pk), 1)
        count(Kind.DOWNLOAD, str(cls.poster.pk), 5)
        count(Kind.SEARCH, "page", 30)
        count(Kind.SEARCH, "api", 7)
        count(Kind.ZERO, "sextortion helpline", 6)
        count(Kind.ZERO, "<b>harm</b>", 2)
        count(Kind.FACET, "audience:parents", 9)
        count(Kind.FACET, "year:2020", 2)
        count(Kind.LANGUAGE, "fr", 8)
        count(Kind.LANGUAGE, "ar", 3)
        count(Kind.VIEW, str(cls.poster.pk), 100, days_ago=40)  # outside the last 30 days

    def test_it_sends_anonymous_readers_to_sign_in_and_refuses_members(self):
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])
        self.client.force_login(self.member)
        self.assertEqual(self.client.get(URL).status_code, 403)

    def test_it_is_linked_from_the_curator_dashboard(self):
        self.client.force_login(self.editor)
        self.assertContains(self.client.get("/curation/"), f'href="{URL}"')

    def test_it_charts_views_and_downloads_over_time_with_a_table(self):
        self.client.force_login(self.editor)
        page = self.client.get(URL).content.decode()
        today = timezone.localdate()
        yesterday = today - datetime.timedelta(days=1)
        bars = svg_values(page, "time-chart")
        self.assertEqual(len(bars), 60)  # 30 days, two series
        self.assertIn(f"{today.isoformat()}, Views: 19", bars)
        self.assertIn(f"{today.isoformat()}, Downloads: 5", bars)
        self.assertIn(f"{yesterday.isoformat()}, Views: 3", bars)
        self.assertIn(f'<th scope="row">{today.isoformat()}</th><td>19</td><td>5</td>', page)
        self.assertIn('<title id="time-chart-title">Views and downloads per day</title>', page)

    def test_it_lists_top_items_and_charts_them(self):
        self.client.force_login(self.editor)
        page = self.client.get(URL).content.decode()
        bars = svg_values(page, "items-chart")
        self.assertEqual(
            bars[:3], ["Online safety guide: 15", "Helpline poster: 4", "Members briefing: 2"]
        )
        self.assertIn(f'<a href="/resources/{self.poster.slug}/">Helpline poster</a>', page)
        self.assertRegex(page, r"Members briefing</a> <span class=\"tag\">members only</span>")

    def test_it_does_not_name_an_item_that_is_no_longer_published(self):
        self.client.force_login(self.admin)
        page = self.client.get(URL).content.decode()
        self.assertNotIn("Withdrawn leaflet", page)
        self.assertIn("An item you may not see: 1", svg_values(page, "items-chart"))

    def test_it_lists_zero_result_searches_with_a_link_to_add_a_synonym(self):
        self.client.force_login(self.admin)
        page = self.client.get(URL).content.decode()
        self.assertIn("<bdi>sextortion helpline</bdi></th><td>6</td>", page)
        self.assertIn("&lt;b&gt;harm&lt;/b&gt;", page)
        self.assertNotIn("<b>harm</b>", page)
        links = re.findall(r'href="(/admin/search/synonym/add/\?[^"]*)"', page)
        self.assertEqual(len(links), 2)
        add = self.client.get(unquote(links[0].replace("&amp;", "&")))
        self.assertEqual(add.status_code, 200)
        self.assertContains(add, "sextortion helpline</textarea>")

    def test_it_offers_no_synonym_link_to_those_who_may_not_add_one(self):
        self.client.force_login(self.editor)
        page = self.client.get(URL).content.decode()
        self.assertNotIn("/admin/search/synonym/add/", page)
        self.assertIn("an administrator can add one", page)

    def test_it_charts_interface_languages_and_facet_values(self):
        self.client.force_login(self.editor)
        page = self.client.get(URL).content.decode()
        self.assertEqual(svg_values(page, "languages-chart"), ["French: 8", "Arabic: 3"])
        self.assertEqual(
            svg_values(page, "facets-chart"), ["Audience: Parents: 9", "Year: 2020: 2"]
        )
        french = self.client.get("/fr" + URL).content.decode()
        self.assertIn("Parents (fr)", french)

    def test_it_shows_the_totals_of_the_period(self):
        self.client.force_login(self.editor)
        totals = self.client.get(URL).context["totals"]
        self.assertEqual(
            totals,
            {"view": 22, "download": 5, "search": 37, "zero": 8, "facet": 11, "language": 11},
        )

    def test_the_period_is_chosen_without_javascript(self):
        self.client.force_login(self.editor)
        page = self.client.get(URL, {"days": "90"}).content.decode()
        self.assertIn('<option value="90" selected>', page)
        self.assertIn("Views and downloads per week", page)
        self.assertIn("Helpline poster: 104", svg_values(page, "items-chart"))
        week = self.client.get(URL, {"days": "7"})
        self.assertEqual(len(svg_values(week.content.decode(), "time-chart")), 14)

    def test_it_refuses_an_unknown_period_clearly(self):
        self.client.force_login(self.editor)
        response = self.client.get(URL, {"days": "100000"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Choose one of the periods", status_code=400)

    def test_an_empty_period_says_so(self):
        DailyCount.objects.all().delete()
        self.client.force_login(self.editor)
        response = self.client.get(URL)
        self.assertContains(response, "No views or downloads in this period.")
        self.assertContains(response, "Every search found something in this period.")


class NamingTestCase(CurationTestCase):
    def test_it_names_only_the_items_the_person_looking_may_see(self):
        from shelf.stats import labels

        public = make_resource("Public guide")
        secret = make_resource("Members briefing", visibility=Visibility.MEMBERS)
        keys = [str(public.pk), str(secret.pk), "not-an-id"]
        self.assertEqual(set(labels.items(keys, None)), {str(public.pk)})
        self.assertEqual(set(labels.items(keys, self.editor)), {str(public.pk), str(secret.pk)})
