import datetime

from django.test import SimpleTestCase

from shelf.catalogue.taxonomy import Taxonomy
from shelf.ingest.formats import listing as fmt
from shelf.ingest.records import IngestError
from shelf.ingest.tests.factories import item, listing
from shelf.lib.text import decode

SUMMARY = "Safeguarding in schools needs clear procedures for staff and students.Read More"


def parse(text: str):
    return fmt.parse(text, taxonomy=Taxonomy.load())


def terms(record, vocabulary: str) -> list[str]:
    return [t.slug or t.label for t in record.terms if t.vocabulary == vocabulary]


class ListingTestCase(SimpleTestCase):
    def test_it_reads_tags_title_and_summary(self):
        (r,) = parse(listing(item("Parents, Teachers", "Safer Virtual School", SUMMARY)))
        self.assertEqual(r.title, "Safer Virtual School")
        self.assertEqual(r.summary, SUMMARY.removesuffix("Read More"))
        self.assertEqual(terms(r, "audience"), ["parents", "teachers"])
        self.assertEqual(r.key, "listing:safer-virtual-school")
        self.assertEqual(r.line, 1)

    def test_it_gives_each_item_its_line_number(self):
        records = parse(listing(item(title="One"), item(title="Two"), item(title="Three")))
        self.assertEqual([r.line for r in records], [1, 8, 15])

    def test_it_accepts_a_bom_and_crlf(self):
        text = listing(item(title="One"), item(title="Two")).replace("\n", "\r\n")
        records = parse(decode(b"\xef\xbb\xbf" + text.encode()))
        self.assertEqual([r.title for r in records], ["One", "Two"])
        self.assertEqual(records[0].terms[0].slug, "parents")

    def test_it_decodes_html_entities(self):
        (r,) = parse(
            listing(
                item(
                    "Parents &amp; Carers",
                    "Tom &amp; Jerry&#8217;s Guide",
                    "A &lt;b&gt; &quot;x&quot;.",
                )
            )
        )
        self.assertEqual(r.title, "Tom & Jerry’s Guide")
        self.assertEqual(r.summary, 'A <b> "x".')
        self.assertEqual(r.unknown_tags, ["Parents & Carers"])

    def test_it_normalises_non_breaking_spaces_and_runs_of_whitespace(self):
        (r,) = parse(
            listing(
                item(
                    "Parents,\u00a0 Teachers",
                    "Safer\u00a0\u00a0Virtual   School",
                    "One.\u00a0 Two.\tThree.",
                )
            )
        )
        self.assertEqual(r.title, "Safer Virtual School")
        self.assertEqual(r.summary, "One. Two. Three.")
        self.assertEqual(terms(r, "audience"), ["parents", "teachers"])

    def test_it_ignores_filter_by_and_extra_blank_lines(self):
        text = (
            "\n\n\n"
            + item(title="One")
            + "\n\n\n"
            + item(title="Two")
            + "\n\nFilter by\n\nParents\nTeachers\n"
        )
        self.assertEqual([r.title for r in parse(text)], ["One", "Two"])

    def test_it_keeps_a_summary_without_read_more(self):
        (r,) = parse(listing(item(summary="Please share applicable resources to More")))
        self.assertEqual(r.summary, "Please share applicable resources to More")

    def test_it_reads_an_item_with_an_empty_tags_line(self):
        records = parse(listing(item(title="One"), item(tags="", title="Two"), item(title="Three")))
        self.assertEqual([r.title for r in records], ["One", "Two", "Three"])
        self.assertEqual(terms(records[1], "audience"), [])
        self.assertEqual(terms(records[2], "audience"), ["parents"])

    def test_it_reads_the_first_item_with_an_empty_tags_line(self):
        records = parse(listing(item(tags="", title="One"), item(title="Two")))
        self.assertEqual([r.title for r in records], ["One", "Two"])

    def test_it_turns_leading_organisations_into_publishers(self):
        (r,) = parse(listing(item(summary="(ICMEC, HCCH, Save the Children) This study.Read More")))
        self.assertEqual(
            [(t.slug, t.label) for t in r.terms if t.vocabulary == "publisher"],
            [("icmec", "ICMEC"), ("hcch", "HCCH"), ("", "Save the Children")],
        )
        self.assertEqual(r.summary, "This study.")

    def test_it_maps_publishers_through_taxonomy_aliases(self):
        (r,) = parse(
            listing(item(summary="(International Centre for Missing & Exploited Children) Text."))
        )
        self.assertEqual(terms(r, "publisher"), ["icmec"])

    def test_it_takes_hyphenated_and_lower_case_led_names_for_publishers(self):
        (r,) = parse(listing(item(summary="(e-Enfance, Point de Contact) Guide.Read More")))
        self.assertEqual(terms(r, "publisher"), ["e-Enfance", "Point de Contact"])
        self.assertEqual(r.summary, "Guide.")

    def test_it_keeps_the_publishers_in_the_source_order(self):
        (r,) = parse(listing(item(summary="(ICMEC, HCCH, INTERPOL) Text.Read More")))
        self.assertEqual(terms(r, "publisher"), ["icmec", "hcch", "INTERPOL"])

    def test_it_does_not_take_words_in_brackets_for_a_publisher(self):
        for summary in ("(see below) Text.", "(1) an overview.", "(e.g. schools) Text."):
            with self.subTest(summary=summary):
                (r,) = parse(listing(item(summary=summary + "Read More")))
                self.assertEqual(terms(r, "publisher"), [])

    def test_it_gives_items_of_a_publishers_collection_that_publisher(self):
        (r,) = parse(listing(item("ICMEC Publications, Parents", "One", "No prefix.Read More")))
        self.assertEqual(terms(r, "publisher"), ["icmec"])
        (r,) = parse(listing(item("ICMEC Publications", "One", "(HCCH) Theirs.Read More")))
        self.assertEqual(terms(r, "publisher"), ["hcch"])
        (r,) = parse(listing(item("Education Portal", "One", "No prefix.Read More")))
        self.assertEqual(terms(r, "publisher"), [])

    def test_it_does_not_take_a_numbered_point_for_a_publisher(self):
        (r,) = parse(listing(item(summary="(1) an overview of the law.")))
        self.assertEqual(terms(r, "publisher"), [])
        self.assertEqual(r.summary, "(1) an overview of the law.")

    def test_it_reads_leading_dates(self):
        cases = [
            ("March 2020 Text.", datetime.date(2020, 3, 1), "month"),
            ("5 March 2020: Text.", datetime.date(2020, 3, 5), "day"),
            ("March 5, 2020 – Text.", datetime.date(2020, 3, 5), "day"),
            ("1er février 2019 Text.", datetime.date(2019, 2, 1), "day"),
            ("Août 2018, Text.", datetime.date(2018, 8, 1), "month"),
            ("12 de marzo de 2021 Text.", datetime.date(2021, 3, 12), "day"),
            ("Septiembre 2017 Text.", datetime.date(2017, 9, 1), "month"),
        ]
        for summary, date, precision in cases:
            with self.subTest(summary):
                (r,) = parse(listing(item(summary=summary)))
                self.assertEqual((r.date, r.date_precision, r.summary), (date, precision, "Text."))

    def test_it_reads_a_date_after_the_publishers(self):
        (r,) = parse(listing(item(summary="(ICMEC) June 2021 Text.Read More")))
        self.assertEqual((r.date, r.date_precision), (datetime.date(2021, 6, 1), "month"))
        self.assertEqual(terms(r, "publisher"), ["icmec"])
        self.assertEqual(r.summary, "Text.")

    def test_it_leaves_impossible_dates_in_the_text(self):
        (r,) = parse(listing(item(summary="31 February 2020 was not a day.")))
        self.assertIsNone(r.date)
        self.assertEqual(r.summary, "31 February 2020 was not a day.")

    def test_it_reads_a_title_language_suffix(self):
        (r,) = parse(
            listing(
                item(
                    title="Resources in Simplified Chinese_zh-cn",
                    summary="We are developing resources.",
                )
            )
        )
        self.assertEqual(r.title, "Resources in Simplified Chinese")
        self.assertEqual(r.language, "zh-Hans")
        self.assertEqual(terms(r, "language"), ["zh-hans"])
        self.assertEqual(r.key, "listing:resources-in-simplified-chinese_zh-cn")

    def test_it_leaves_an_underscore_that_is_no_language(self):
        (r,) = parse(listing(item(title="Report_v2")))
        self.assertEqual(r.title, "Report_v2")

    def test_it_detects_the_language_where_the_source_gives_none(self):
        summary = (
            "La protection de l'enfance à l'école exige des procédures claires pour le personnel."
        )
        (r,) = parse(listing(item(title="Protéger les enfants à l'école", summary=summary)))
        self.assertEqual(r.language, "fr")
        self.assertIn("fr", terms(r, "language"))

    def test_it_maps_a_chinese_tag_to_the_language_vocabulary(self):
        (r,) = parse(listing(item(tags="Chinese, Parents", summary=SUMMARY)))
        self.assertEqual(terms(r, "language"), ["zh-hans", "en"])
        self.assertEqual(r.language, "en")

    def test_it_merges_duplicate_tags_into_one_term(self):
        (r,) = parse(listing(item(tags="Corona Virus, Covid19")))
        self.assertEqual(terms(r, "topic"), ["covid-19"])

    def test_it_reports_unknown_tags(self):
        (r,) = parse(listing(item(tags="Parents, Sports Coaching")))
        self.assertEqual(r.unknown_tags, ["Sports Coaching"])
        self.assertEqual(terms(r, "topic"), ["Sports Coaching"])

    def test_it_reads_the_type_from_the_title(self):
        cases = {
            "Your Child Protection Training Plan": ["training-plan"],
            "Student Safety Survey Samples": ["survey"],
            "Improving Healthcare Services for Trafficked Persons: The Complete Toolkit": [
                "toolkit"
            ],
            "Part III – A statistical analysis of applications: National reports": ["report"],
            "Mandatory Reporter Infographic for Youth Serving Professionals": ["infographic"],
            "A Guide and a Checklist": ["guide", "checklist"],
            "Safer Virtual School": [],
        }
        for title, types in cases.items():
            with self.subTest(title):
                (r,) = parse(listing(item(title=title)))
                self.assertEqual(terms(r, "type"), types)


class BadListingTestCase(SimpleTestCase):
    def assertRefused(self, text: str, message: str, line=None):
        with self.assertRaises(IngestError) as cm:
            parse(text)
        self.assertIn(message, cm.exception.message)
        self.assertEqual(cm.exception.line, line)

    def test_it_refuses_an_empty_file(self):
        self.assertRefused("", "the file is empty")
        self.assertRefused("\n \n\u00a0\n", "the file is empty")

    def test_it_refuses_a_file_with_only_the_sidebar(self):
        self.assertRefused("Filter by\nParents\n", "the file is empty")

    def test_it_refuses_csv(self):
        self.assertRefused("key,title,summary\na,One,Text\nb,Two,Text\n", "looks like CSV")

    def test_it_refuses_a_shelf_csv_export(self):
        text = 'key,slug,title,body\nk,s,T,"One.\n\nTwo."\n'
        self.assertRefused(text, "looks like CSV")

    def test_it_refuses_json(self):
        self.assertRefused('{"resources": []}', "looks like JSON")

    def test_it_refuses_text_without_items(self):
        self.assertRefused("Just a paragraph.\nAnother line.\n", "no listing items found")

    def test_it_refuses_an_item_cut_after_its_title(self):
        self.assertRefused(item(title="One") + "Parents\n\nTwo\n\n\n", "no summary", line=10)

    def test_it_refuses_an_item_cut_after_its_tags(self):
        self.assertRefused(item(title="One") + "Parents\n", "no summary", line=8)

    def test_it_refuses_a_title_without_two_blank_lines(self):
        self.assertRefused(
            item(title="One") + "Parents\n\nTwo\n\nText\n\n", "expected a title", line=10
        )


class DecodeTestCase(SimpleTestCase):
    def test_it_refuses_binary_files(self):
        with self.assertRaisesMessage(ValueError, "binary"):
            decode(b"PK\x03\x04\x00\x00")

    def test_it_refuses_text_that_is_not_utf8(self):
        with self.assertRaisesMessage(ValueError, "line 2: not UTF-8"):
            decode("one\ncaf\xe9\n".encode("latin-1"))
