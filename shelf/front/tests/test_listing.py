import re

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from shelf.catalogue.factories import make_catalogue, make_resource
from shelf.test import BaseTestCase


def titles(response) -> list[str]:
    return re.findall(r'class="result-title"><a [^>]*>([^<]*)</a>', response.content.decode())


def facet_link(response, facet: str, value: str) -> str:
    """The <a> of one facet value in the sidebar."""
    html = response.content.decode()
    section = html[html.index(f'id="facet-{facet}"') :]
    section = section[: section.index("</section>")]
    for link in re.findall(r'<a class="facet-value".*?</a>', section):
        if f">{value}<" in link:
            return link
    raise AssertionError(f"no {value} in facet {facet}")


def facet_count(response, facet: str, value: str) -> int:
    link = facet_link(response, facet, value)
    return int(re.search(r'class="facet-count">(\d+)', link).group(1))


class ListingTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.r = make_catalogue()


class ListingTests(ListingTestCase):
    def test_it_lists_published_public_resources_newest_first(self):
        r = self.client.get("/resources/")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(
            titles(r),
            [
                "Safer Virtual School",
                "Mandatory Reporter Infographic",
                "Student Safety Survey Samples",
                "Child Trafficking Guide",
            ],
        )
        self.assertContains(r, '<p class="count" id="count">4 resources</p>', html=False)

    def test_it_says_one_resource_in_the_singular(self):
        r = self.client.get("/resources/?topic=child-trafficking")
        self.assertContains(r, ">1 resource</p>")

    def test_it_has_a_front_page_with_topics_and_the_newest_items(self):
        r = self.client.get("/")
        self.assertContains(
            r, '<form class="search-form" role="search" method="get" action="/resources/">'
        )
        self.assertContains(r, "Search 4 guides, toolkits, infographics and reports")
        self.assertContains(
            r,
            '<a href="/resources/?topic=child-trafficking"><span class="facet-label">'
            'Child trafficking</span> <span class="facet-count">1</span></a>',
        )
        # Newest first, and never what the reader may not see.
        html = r.content.decode()
        newest = html[html.index('id="newest-heading"') :]
        self.assertLess(
            newest.index("Safer Virtual School"), newest.index("Child Trafficking Guide")
        )
        self.assertNotIn("Members Briefing", newest)
        self.assertNotIn("Unfinished Draft", newest)
        self.assertContains(r, '<time datetime="2021-03-04">March 4, 2021</time>')

    def test_it_shows_members_only_items_to_a_signed_in_member(self):
        self.client.force_login(self.alice)
        r = self.client.get("/resources/")
        self.assertIn("Members Briefing", titles(r))
        self.assertNotIn("Unfinished Draft", titles(r))
        self.assertContains(r, ">5 resources</p>")
        self.assertContains(r, '<span class="badge">Members only</span>', count=1)
        self.assertContains(r, "Signed in as alice")

    def test_it_shows_each_result_with_terms_publishers_date_summary_and_read_more(self):
        r = self.client.get("/resources/?topic=child-trafficking")
        # Publishers in the order they were given (ICMEC, then HCCH): the lead first.
        self.assertContains(
            r,
            '<a href="/resources/?publisher=icmec">ICMEC</a>, '
            '<a href="/resources/?publisher=hcch">HCCH</a>',
        )
        self.assertContains(r, '<time datetime="2018-06">June 2018</time>')
        self.assertContains(r, "How to recognise trafficking.")
        self.assertContains(
            r, '<li><a href="/resources/?topic=child-trafficking">Child trafficking'
        )
        self.assertContains(
            r,
            '<a href="/resources/child-trafficking-guide/">Read More'
            '<span class="visually-hidden">: Child Trafficking Guide</span></a>',
        )

    def test_it_truncates_long_summaries(self):
        make_resource("Long", summary="word " * 100, terms={"topic": ["FGM"]})
        r = self.client.get("/resources/?topic=fgm")
        self.assertContains(r, "word " * 40 + "…")
        self.assertNotContains(r, "word " * 41)

    def test_it_escapes_html_in_titles(self):
        make_resource("<script>alert(1)</script>", summary="<b>bold</b>")
        r = self.client.get("/resources/")
        self.assertContains(r, "&lt;script&gt;alert(1)&lt;/script&gt;")
        self.assertContains(r, "&lt;b&gt;bold&lt;/b&gt;")
        self.assertNotContains(r, "<script>alert")


class FacetTests(ListingTestCase):
    def test_it_shows_every_facet_with_values_and_counts(self):
        r = self.client.get("/resources/")
        self.assertEqual(facet_count(r, "audience", "Parents"), 2)
        self.assertEqual(facet_count(r, "audience", "Teachers"), 3)
        self.assertEqual(facet_count(r, "setting", "Schools"), 2)
        self.assertEqual(facet_count(r, "publisher", "ICMEC"), 3)
        self.assertEqual(facet_count(r, "year", "2020"), 1)
        self.assertEqual(facet_count(r, "topic", "COVID-19"), 1)

    def test_it_combines_values_of_one_facet_with_or(self):
        r = self.client.get("/resources/?audience=parents&audience=teachers")
        self.assertEqual(len(titles(r)), 3)
        self.assertNotIn("Child Trafficking Guide", titles(r))

    def test_it_combines_different_facets_with_and(self):
        r = self.client.get("/resources/?audience=parents&setting=schools")
        self.assertEqual(titles(r), ["Safer Virtual School"])

    def test_it_counts_a_facet_without_its_own_selection(self):
        r = self.client.get("/resources/?audience=parents")
        # Choosing Parents does not zero Teachers: it still counts all 3.
        self.assertEqual(facet_count(r, "audience", "Teachers"), 3)
        self.assertEqual(facet_count(r, "audience", "Parents"), 2)
        # Other facets count within the Parents selection.
        self.assertEqual(facet_count(r, "setting", "Schools"), 1)
        self.assertEqual(facet_count(r, "publisher", "ICMEC"), 2)

    def test_it_marks_selected_values_and_links_them_to_their_removal(self):
        r = self.client.get("/resources/?audience=parents&setting=schools")
        parents = facet_link(r, "audience", "Parents")
        self.assertIn('aria-current="true"', parents)
        self.assertIn('<span class="visually-hidden"> (selected)</span>', parents)
        self.assertIn('href="/resources/?setting=schools"', parents)
        teachers = facet_link(r, "audience", "Teachers")
        self.assertNotIn("aria-current", teachers)
        self.assertIn(
            'href="/resources/?audience=parents&amp;audience=teachers&amp;setting=schools"',
            teachers,
        )

    def test_it_filters_by_year(self):
        r = self.client.get("/resources/?year=2020&year=2019")
        self.assertEqual(
            titles(r), ["Mandatory Reporter Infographic", "Student Safety Survey Samples"]
        )
        self.assertIn('aria-current="true"', facet_link(r, "year", "2020"))
        self.assertEqual(facet_count(r, "year", "2021"), 1)

    def test_it_keeps_a_selected_value_that_matches_nothing(self):
        r = self.client.get("/resources/?audience=parents&topic=child-trafficking")
        self.assertContains(r, "No resources match")
        parents = facet_link(r, "audience", "Parents")
        self.assertIn('aria-current="true"', parents)
        self.assertIn('class="facet-count">0', parents)

    def test_it_shows_the_top_values_and_links_to_the_rest(self):
        for n in range(12):
            for _copy in range(12 - n):
                make_resource(f"Item {n}", terms={"country": [f"Country {n:02}"]})
        r = self.client.get("/resources/?q=item")
        html = r.content.decode()
        section = html[html.index('id="facet-country"') :]
        section = section[: section.index("</section>")]
        self.assertEqual(section.count('class="facet-value"'), 10)
        self.assertIn(">Country 09<", section)
        self.assertNotIn(">Country 10<", section)
        self.assertNotIn("<details", section)
        self.assertIn(
            '<p class="facet-more"><a href="/resources/facets/country/?q=item" rel="nofollow">'
            '2 more<span class="visually-hidden"> (Country)</span></a></p>',
            section,
        )

    def test_it_always_shows_a_chosen_value_beyond_the_top(self):
        for n in range(12):
            for _copy in range(12 - n):
                make_resource(f"Item {n}", terms={"country": [f"Country {n:02}"]})
        r = self.client.get("/resources/?country=country-11&sort=title&page=1")
        self.assertIn('aria-current="true"', facet_link(r, "country", "Country 11"))
        self.assertContains(
            r, '<a href="/resources/facets/country/?country=country-11&amp;sort=title"'
        )
        self.assertContains(r, "1 more<")

    def test_it_hides_facets_with_no_values(self):
        r = self.client.get("/resources/")
        self.assertNotContains(r, 'id="facet-country"')
        self.assertContains(r, 'id="facet-audience"')


class ChoiceTests(ListingTestCase):
    def test_it_shows_chosen_values_as_chips_that_remove_themselves(self):
        r = self.client.get("/resources/?audience=parents&audience=teachers&setting=schools")
        chips = re.findall(r'<a class="chip" href="([^"]*)">(.*?)</a>', r.content.decode())
        self.assertEqual(len(chips), 3)
        hrefs = {re.sub(r"<[^>]+>", "", label).split("×")[0].strip(): href for href, label in chips}
        self.assertEqual(
            hrefs["Audience: Parents"], "/resources/?audience=teachers&amp;setting=schools"
        )
        self.assertEqual(
            hrefs["Setting: Schools"], "/resources/?audience=parents&amp;audience=teachers"
        )
        self.assertContains(r, '<p class="clear-all"><a href="/resources/">Clear all</a></p>')

    def test_it_shows_the_search_as_a_chip(self):
        r = self.client.get("/resources/?q=school&setting=schools")
        self.assertContains(r, '<a class="chip" href="/resources/?setting=schools">')

    def test_it_shows_no_chips_without_choices(self):
        r = self.client.get("/resources/")
        self.assertNotContains(r, 'class="chip"')
        self.assertNotContains(r, "Clear all")

    def test_it_keeps_the_filters_in_the_search_form(self):
        r = self.client.get("/resources/?audience=parents&year=2021&sort=title&page=1")
        html = r.content.decode()
        form = html[
            html.index('class="search-form"') : html.index(
                "</form>", html.index('class="search-form"')
            )
        ]
        self.assertIn('<input type="hidden" name="audience" value="parents">', form)
        self.assertIn('<input type="hidden" name="year" value="2021">', form)
        self.assertIn('<input type="hidden" name="sort" value="title">', form)
        self.assertNotIn('name="page"', form)

    def test_it_searches_within_the_filters(self):
        r = self.client.get("/resources/?q=safe&audience=teachers")
        # The infographic matches through its topic's alias "Safeguarding", ranked last.
        self.assertEqual(
            titles(r),
            [
                "Safer Virtual School",
                "Student Safety Survey Samples",
                "Mandatory Reporter Infographic",
            ],
        )
        self.assertContains(r, 'value="safe"')
        r = self.client.get("/resources/?q=safe&audience=parents")
        self.assertEqual(titles(r), ["Safer Virtual School", "Mandatory Reporter Infographic"])

    def test_it_shows_an_empty_state_with_a_way_out(self):
        r = self.client.get("/resources/?q=zzzzqqq")
        self.assertContains(r, "No resources match")
        self.assertContains(r, '<a href="/resources/">Clear all filters and the search</a>')


class SortTests(ListingTestCase):
    def test_it_sorts(self):
        cases = {
            "newest": ["Safer Virtual School", "Mandatory Reporter Infographic"],
            "oldest": ["Child Trafficking Guide", "Student Safety Survey Samples"],
            "title": ["Child Trafficking Guide", "Mandatory Reporter Infographic"],
        }
        for sort, first_two in cases.items():
            with self.subTest(sort=sort):
                r = self.client.get(f"/resources/?sort={sort}")
                self.assertEqual(titles(r)[:2], first_two)
                self.assertContains(r, f'<option value="{sort}" selected>')

    def test_it_ranks_title_matches_first_by_relevance(self):
        r = self.client.get("/resources/?q=child")
        self.assertEqual(titles(r)[0], "Child Trafficking Guide")

    def test_its_sort_form_keeps_the_search_and_filters(self):
        r = self.client.get("/resources/?q=school&audience=teachers&page=1")
        html = r.content.decode()
        start = html.index('class="sort-form"')
        form = html[start : html.index("</form>", start)]
        self.assertIn('<input type="hidden" name="q" value="school">', form)
        self.assertIn('<input type="hidden" name="audience" value="teachers">', form)
        self.assertIn('<button type="submit">Sort</button>', form)


@override_settings(SHELF_PAGE_SIZE=2)
class PaginationTests(ListingTestCase):
    def test_it_links_to_the_next_page(self):
        r = self.client.get("/resources/?audience=teachers")
        self.assertEqual(len(titles(r)), 2)
        self.assertContains(r, "3 resources<span")
        self.assertContains(r, "page 1 of 2")
        self.assertContains(
            r, '<a rel="next" href="/resources/?audience=teachers&amp;page=2">Next</a>'
        )
        self.assertContains(r, '<link rel="next" href="/resources/?audience=teachers&amp;page=2">')
        self.assertNotContains(r, 'rel="prev"')

    def test_it_links_back_from_the_last_page(self):
        r = self.client.get("/resources/?page=2&audience=teachers")
        self.assertEqual(titles(r), ["Student Safety Survey Samples"])
        self.assertContains(r, '<a rel="prev" href="/resources/?audience=teachers">Previous</a>')
        self.assertContains(
            r, '<a href="/resources/?audience=teachers&amp;page=2" aria-current="page">'
        )
        self.assertNotContains(r, 'rel="next"')

    def test_it_shows_a_window_of_page_numbers(self):
        for n in range(20):
            make_resource(f"Extra {n}", terms={"topic": ["Grooming"]})
        r = self.client.get("/resources/?topic=grooming&page=5")
        numbers = re.findall(
            r'<span class="visually-hidden">Page </span>(\d+)</a>', r.content.decode()
        )
        self.assertEqual(numbers, ["1", "3", "4", "5", "6", "7", "10"])
        self.assertEqual(r.content.decode().count('class="gap"'), 2)

    def test_it_refuses_a_page_past_the_end_with_400(self):
        r = self.client.get("/resources/?page=3")
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "There is no page 3; the last page is 2", status_code=400)


class UrlTests(ListingTestCase):
    def test_it_gives_every_view_one_canonical_url(self):
        r = self.client.get("/resources/?setting=schools&audience=teachers&audience=parents&utm=x")
        self.assertContains(
            r,
            '<link rel="canonical" href="http://127.0.0.1:8000/resources/'
            '?audience=parents&amp;audience=teachers&amp;setting=schools">',
        )

    def test_it_links_the_json_twin(self):
        r = self.client.get("/resources/?audience=parents&sort=title")
        self.assertContains(
            r,
            '<link rel="alternate" type="application/json" '
            'href="/api/v1/resources?audience=parents&amp;sort=title">',
        )

    def test_it_ignores_unknown_parameters(self):
        r = self.client.get("/resources/?utm_source=x&foo=bar")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(len(titles(r)), 4)

    def test_it_explains_bad_parameters_with_400(self):
        cases = {
            "page=abc": "Page must be a whole number",
            "page=0": "Page must be a whole number",
            "page=" + "9" * 5000: "Page must be a whole number",
            "audience=nobody": "Unknown audience: nobody",
            "sort=random": "Unknown sort random",
            "year=20x0": "Year must be four digits",
        }
        for params, message in cases.items():
            with self.subTest(params=params[:20]):
                r = self.client.get(f"/resources/?{params}")
                self.assertContains(r, message, status_code=400)
                self.assertContains(r, 'role="alert"', status_code=400)
                self.assertContains(r, "Start again with every resource", status_code=400)


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
                terms={"audience": ["Parents"], "topic": [f"Topic {i}"], "publisher": ["ICMEC"]},
                date="2020-01-01",
            )

    def test_it_does_not_grow_with_the_number_of_results(self):
        url = "/resources/?audience=parents&audience=teachers&year=2020&q=item"
        self.make_items(3)
        # The first search after writes reads the change feed: a fixed
        # number of queries, whatever the number of results.
        self.client.get(url)
        few = self.queries_for(url)
        self.make_items(27, start=3)
        r = self.client.get(url)
        self.assertContains(r, "30 resources")
        self.assertEqual(self.queries_for(url), few)


class SearchDisplayTests(ListingTestCase):
    def test_it_shows_the_matched_words_in_the_excerpt(self):
        r = self.client.get("/resources/?q=overcome")
        self.assertEqual(titles(r), ["Safer Virtual School"])
        self.assertContains(r, "<mark>overcome</mark>", html=False)

    def test_it_offers_a_spelling_that_finds_something(self):
        r = self.client.get("/resources/?q=ovrcomm")
        self.assertContains(r, "No resources match")
        self.assertContains(r, 'Did you mean <a href="?q=overcome">overcome</a>?', html=False)

    def test_it_says_when_only_some_words_were_used(self):
        words = " ".join(f"word{i}" for i in range(12))
        r = self.client.get("/resources/", {"q": words})
        self.assertContains(r, "Only the first 8 words of your search were used.")

    def test_it_says_when_nothing_searchable_was_left(self):
        r = self.client.get("/resources/", {"q": '"" * AND :'})
        self.assertContains(r, "Your search had no words to look for")


# The result row as the listing template wrote it before rows were built in
# Python: the reference the built rows must match byte for byte.
ROW_TEMPLATE = """{% load i18n listing %}{% for row in rows %}{% with resource=row.resource %}<li>
<article class="result">
<h2 class="result-title"><a href="{{ row.url }}" lang="{{ resource.language }}" dir="{{ resource.language|text_dir }}">{{ resource.title }}</a></h2>
<p class="meta">{% if row.publishers %}<span class="publishers"><span class="visually-hidden">{% translate "Publishers:" %} </span>{% for p in row.publishers %}<a href="{{ p.url }}">{{ p.label }}</a>{% if not forloop.last %}, {% endif %}{% endfor %}</span>
{% endif %}{% if resource.date %}<time datetime="{{ resource.date_display }}">{{ resource|published }}</time>
{% endif %}{% if resource.language %}<span class="language" lang="{{ resource.language }}">{{ resource.language_label }}</span>{% endif %}{% if resource.visibility == "members" %}
<span class="badge">{% translate "Members only" %}</span>{% endif %}{% if resource.superseded %}
<span class="badge badge-superseded">{% translate "Superseded" %}</span>{% endif %}</p>
{% if resource.snippet %}<p class="summary snippet" lang="{{ resource.language }}" dir="{{ resource.language|text_dir }}">{{ resource.snippet }}</p>
{% elif resource.summary %}<p class="summary" lang="{{ resource.language }}" dir="{{ resource.language|text_dir }}">{{ resource.summary|truncatewords:40 }}</p>
{% endif %}<p class="read-more"><a href="{{ row.url }}">{% translate "Read More" %}<span class="visually-hidden">: {{ resource.title }}</span></a></p>
{% if row.tags %}<ul class="terms" aria-label="{% translate 'Terms' %}">
{% for tag in row.tags %}<li><a href="{{ tag.url }}">{{ tag.label }}</a></li>
{% endfor %}</ul>
{% endif %}</article>
</li>
{% endwith %}{% endfor %}"""  # noqa: E501


class RowTests(ListingTestCase):
    def test_it_builds_the_rows_byte_for_byte_as_the_template_did(self):
        from django.template import engines
        from django.utils import translation

        from shelf.front import listing
        from shelf.search import browse

        make_resource(
            '<Tom & Jerry\'s "guide">',
            summary=" ".join(["word"] * 60) + " <b>&</b>",
            language="ar",
            terms={"publisher": ["A & B", "C <d>"], "country": ["Côte d’Ivoire"]},
        )
        template = engines["django"].from_string(ROW_TEMPLATE)
        self.client.force_login(self.alice)
        for language in ("en", "fr", "ar"):
            for q in ("", "guide", "tom"):
                with self.subTest(language=language, q=q), translation.override(language):
                    query = browse.Query(q=q)
                    results = browse.browse(query, self.alice)
                    results.resources[-1].superseded = True
                    rows = listing.rows(results, "/resources/")
                    expected = template.render({"rows": rows})
                    self.assertEqual("".join(row.html for row in rows), expected)
                    self.assertGreater(len(rows), 0)
