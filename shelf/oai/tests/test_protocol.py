import datetime

import time_machine
from django.test import override_settings
from lxml import etree

from shelf.catalogue.models import Status, Visibility
from shelf.curation import workflow
from shelf.curation.tests.base import CurationTestCase, make_resource, term
from shelf.oai.models import OaiRecord
from shelf.oai.tests.support import OAI, validate

START = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)


def identifier(resource) -> str:
    return f"oai:127.0.0.1:{resource.pk}"


@override_settings(SITE_ROOT="http://127.0.0.1:8000", SHELF_OAI_PAGE_SIZE=2)
class OaiTestCase(CurationTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.parents = term("audience", "parents", "Parents")
        cls.grooming = term("topic", "grooming", "Grooming")
        cls.schools = term("collection", "schools", "Schools")
        cls.french = term("language", "fr", "Français")
        cls.publisher = term("publisher", "icmec", "ICMEC")
        with time_machine.travel(START, tick=False):
            cls.guide = make_resource(
                "Grooming: a guide for parents",
                summary="Signs & what to do <now>.",
                terms=[cls.parents, cls.grooming, cls.publisher],
                language="en",
                date=datetime.date(2021, 5, 1),
                date_precision="month",
                source_url="https://example.org/guide",
            )
        with time_machine.travel(START + datetime.timedelta(hours=1), tick=False):
            cls.fiche = make_resource(
                "Fiche pour les écoles",
                terms=[cls.schools, cls.french, cls.grooming],
                language="fr",
                date=datetime.date(2020, 1, 1),
                date_precision="year",
            )
            # A link changes both records: the guide's datestamp is now too.
            cls.fiche.translations.add(cls.guide)
        with time_machine.travel(START + datetime.timedelta(hours=2), tick=False):
            cls.report = make_resource("Annual report", terms=[cls.schools], language="en")
            cls.draft = make_resource("Draft never shown", status=Status.DRAFT)
            cls.members = make_resource(
                "Members briefing", visibility=Visibility.MEMBERS, terms=[cls.grooming]
            )

    def oai(self, **params) -> etree._Element:
        response = self.client.get("/oai", params)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/xml; charset=utf-8")
        return validate(response.content)

    def error(self, **params) -> str:
        document = self.oai(**params)
        (error,) = document.iter(f"{OAI}error")
        return error.get("code")

    def harvest(self, verb="ListIdentifiers", **params) -> list[etree._Element]:
        """Every header of a list, following resumption tokens."""
        headers = []
        document = self.oai(verb=verb, **params)
        while True:
            headers += list(document.iter(f"{OAI}header"))
            token = document.find(f".//{OAI}resumptionToken")
            if token is None or not token.text:
                return headers
            document = self.oai(verb=verb, resumptionToken=token.text)

    @staticmethod
    def ids(headers) -> list[str]:
        return [h.findtext(f"{OAI}identifier") for h in headers]

    @staticmethod
    def deleted(headers) -> set[str]:
        return {h.findtext(f"{OAI}identifier") for h in headers if h.get("status") == "deleted"}


class VerbsTestCase(OaiTestCase):
    def test_it_identifies_itself(self):
        identify = self.oai(verb="Identify").find(f"{OAI}Identify")
        self.assertEqual(identify.findtext(f"{OAI}baseURL"), "http://127.0.0.1:8000/oai")
        self.assertEqual(identify.findtext(f"{OAI}deletedRecord"), "persistent")
        self.assertEqual(identify.findtext(f"{OAI}granularity"), "YYYY-MM-DDThh:mm:ssZ")
        self.assertEqual(identify.findtext(f"{OAI}earliestDatestamp"), "2026-03-01T10:00:00Z")

    @override_settings(SITE_ROOT="https://shelf.example.org")
    def test_it_describes_its_identifiers_on_a_domain(self):
        identify = self.oai(verb="Identify").find(f"{OAI}Identify")
        ns = "{http://www.openarchives.org/OAI/2.0/oai-identifier}"
        self.assertEqual(identify.findtext(f".//{ns}repositoryIdentifier"), "shelf.example.org")
        self.assertEqual(identify.findtext(f".//{ns}sampleIdentifier"), "oai:shelf.example.org:1")

    def test_it_lists_both_formats(self):
        document = self.oai(verb="ListMetadataFormats")
        prefixes = [e.text for e in document.iter(f"{OAI}metadataPrefix")]
        self.assertEqual(prefixes, ["oai_dc", "qdc"])
        document = self.oai(verb="ListMetadataFormats", identifier=identifier(self.guide))
        self.assertEqual(len(list(document.iter(f"{OAI}metadataFormat"))), 2)

    def test_it_lists_sets_of_public_terms_only(self):
        document = self.oai(verb="ListSets")
        specs = [e.text for e in document.iter(f"{OAI}setSpec")]
        self.assertEqual(
            specs,
            [
                "collection",
                "topic",
                "language",
                "collection:schools",
                "language:fr",
                "topic:grooming",
            ],
        )
        self.assertNotIn("audience:parents", specs)  # audiences are not sets

    def test_it_gives_a_record_in_each_format(self):
        document = self.oai(
            verb="GetRecord", identifier=identifier(self.guide), metadataPrefix="oai_dc"
        )
        dc = "{http://purl.org/dc/elements/1.1/}"
        record = document.find(f".//{OAI}record")
        self.assertEqual(record.findtext(f".//{dc}title"), "Grooming: a guide for parents")
        self.assertEqual(record.findtext(f".//{dc}description"), "Signs & what to do <now>.")
        self.assertEqual(record.findtext(f".//{dc}date"), "2021-05")
        self.assertEqual(record.findtext(f".//{dc}publisher"), "ICMEC")
        self.assertIn("http://127.0.0.1:8000/resources/", record.findtext(f".//{dc}identifier"))
        self.assertEqual(
            [e.text for e in record.iter(f"{dc}relation")],
            ["http://127.0.0.1:8000" + self.fiche.get_absolute_url()],
        )
        self.assertEqual(
            [e.text for e in record.iter(f"{OAI}setSpec")], ["topic", "topic:grooming"]
        )

        document = self.oai(
            verb="GetRecord", identifier=identifier(self.guide), metadataPrefix="qdc"
        )
        terms = "{http://purl.org/dc/terms/}"
        self.assertEqual(document.findtext(f".//{terms}audience"), "Parents")
        self.assertEqual(document.findtext(f".//{terms}subject"), "Grooming")
        self.assertEqual(document.findtext(f".//{terms}issued"), "2021-05")
        self.assertEqual(
            document.find(f".//{terms}title").get("{http://www.w3.org/XML/1998/namespace}lang"),
            "en",
        )

    def test_it_lists_records_in_pages_by_datestamp(self):
        headers = self.harvest("ListRecords", metadataPrefix="oai_dc")
        self.assertEqual(
            self.ids(headers), [identifier(r) for r in (self.guide, self.fiche, self.report)]
        )
        self.assertEqual(self.deleted(headers), set())

    def test_the_token_states_expiry_size_and_cursor(self):
        document = self.oai(verb="ListIdentifiers", metadataPrefix="oai_dc")
        token = document.find(f".//{OAI}resumptionToken")
        self.assertEqual(token.get("completeListSize"), "3")
        self.assertEqual(token.get("cursor"), "0")
        expires = datetime.datetime.fromisoformat(token.get("expirationDate"))
        self.assertGreater(
            expires, datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=23)
        )
        document = self.oai(verb="ListIdentifiers", resumptionToken=token.text)
        last = document.find(f".//{OAI}resumptionToken")
        self.assertEqual((last.text, last.get("cursor")), (None, "2"))

    def test_it_selects_by_set(self):
        self.assertEqual(
            self.ids(self.harvest(metadataPrefix="oai_dc", set="topic")),
            [identifier(self.guide), identifier(self.fiche)],
        )
        self.assertEqual(
            self.ids(self.harvest(metadataPrefix="oai_dc", set="collection:schools")),
            [identifier(self.fiche), identifier(self.report)],
        )
        self.assertEqual(
            self.error(verb="ListRecords", metadataPrefix="oai_dc", set="topic:none"),
            "noRecordsMatch",
        )

    def test_it_selects_by_from_and_until_at_either_granularity(self):
        cases = {
            ("2026-03-01T10:00:01Z", ""): [self.report],
            ("", "2026-03-01T10:00:00Z"): [self.guide, self.fiche],
            ("", "2026-03-01T09:59:59Z"): None,
            ("2026-03-01T09:30:00Z", "2026-03-01T10:30:00Z"): [self.guide, self.fiche],
            ("2026-03-01", "2026-03-01"): [self.guide, self.fiche, self.report],
            ("2026-03-02", ""): None,
        }
        for (start, until), expected in cases.items():
            params = {"metadataPrefix": "oai_dc"}
            params.update({"from": start} if start else {})
            params.update({"until": until} if until else {})
            with self.subTest(start=start, until=until):
                if expected is None:
                    self.assertEqual(self.error(verb="ListIdentifiers", **params), "noRecordsMatch")
                else:
                    self.assertEqual(
                        self.ids(self.harvest(**params)), [identifier(r) for r in expected]
                    )

    def test_it_accepts_post(self):
        response = self.client.post("/oai", {"verb": "Identify"})
        self.assertEqual(response.status_code, 200)
        validate(response.content)

    def test_it_serves_the_schemas_it_names(self):
        response = self.client.get("/oai/schemas/qdc.xsd")
        self.assertEqual(response.status_code, 200)
        etree.fromstring(b"".join(response.streaming_content))
        self.assertEqual(self.client.get("/oai/schemas/nothing.xsd").status_code, 404)


class ErrorsTestCase(OaiTestCase):
    def test_it_answers_every_error_for_its_inputs(self):
        guide = identifier(self.guide)
        cases = [
            ({}, "badVerb"),
            ({"verb": "Harvest"}, "badVerb"),
            ({"verb": ["Identify", "Identify"]}, "badVerb"),
            ({"verb": "Identify", "set": "topic"}, "badArgument"),
            ({"verb": "ListRecords"}, "badArgument"),
            ({"verb": "GetRecord", "identifier": guide}, "badArgument"),
            ({"verb": "ListRecords", "metadataPrefix": ["oai_dc", "qdc"]}, "badArgument"),
            (
                {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"},
                "badArgument",
            ),
            (
                {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-13-01"},
                "badArgument",
            ),
            (
                {
                    "verb": "ListRecords",
                    "metadataPrefix": "oai_dc",
                    "from": "2026-03-01",
                    "until": "2026-03-02T00:00:00Z",
                },
                "badArgument",
            ),
            (
                {
                    "verb": "ListRecords",
                    "metadataPrefix": "oai_dc",
                    "from": "2026-03-02",
                    "until": "2026-03-01",
                },
                "badArgument",
            ),
            ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "a b"}, "badArgument"),
            ({"verb": "ListRecords", "metadataPrefix": ""}, "badArgument"),
            (
                {"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "x"},
                "badArgument",
            ),
            ({"verb": "ListRecords", "resumptionToken": "made-up"}, "badResumptionToken"),
            ({"verb": "ListSets", "resumptionToken": "made-up"}, "badResumptionToken"),
            ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
            (
                {"verb": "GetRecord", "identifier": guide, "metadataPrefix": "mods"},
                "cannotDisseminateFormat",
            ),
            (
                {"verb": "GetRecord", "identifier": "oai:elsewhere:1", "metadataPrefix": "oai_dc"},
                "idDoesNotExist",
            ),
            (
                {
                    "verb": "GetRecord",
                    "identifier": identifier(self.draft),
                    "metadataPrefix": "oai_dc",
                },
                "idDoesNotExist",
            ),
            (
                {"verb": "ListMetadataFormats", "identifier": identifier(self.members)},
                "idDoesNotExist",
            ),
            (
                {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2030-01-01"},
                "noRecordsMatch",
            ),
        ]
        for params, code in cases:
            with self.subTest(params=params):
                self.assertEqual(self.error(**params), code)

    def test_it_echoes_no_arguments_with_bad_ones(self):
        document = self.oai(verb="Identify", junk="1")
        self.assertEqual(document.find(f"{OAI}request").attrib, {})
        document = self.oai(verb="ListRecords", metadataPrefix="marc21")
        self.assertEqual(document.find(f"{OAI}request").get("metadataPrefix"), "marc21")

    def test_a_token_for_one_verb_is_refused_by_another(self):
        token = self.oai(verb="ListIdentifiers", metadataPrefix="oai_dc").findtext(
            f".//{OAI}resumptionToken"
        )
        self.assertEqual(
            self.error(verb="ListRecords", resumptionToken=token), "badResumptionToken"
        )
        self.assertEqual(
            self.error(verb="ListIdentifiers", resumptionToken=token[:-3] + "abc"),
            "badResumptionToken",
        )

    def test_a_token_expires(self):
        token = self.oai(verb="ListIdentifiers", metadataPrefix="oai_dc").findtext(
            f".//{OAI}resumptionToken"
        )
        with time_machine.travel(
            datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=25)
        ):
            self.assertEqual(
                self.error(verb="ListIdentifiers", resumptionToken=token), "badResumptionToken"
            )


class DeletionsTestCase(OaiTestCase):
    def later(self, hours: int):
        return time_machine.travel(START + datetime.timedelta(days=1, hours=hours), tick=False)

    def test_every_way_out_of_public_view_is_a_persistent_deletion(self):
        with self.later(1):
            workflow.apply(self.guide, "unpublish", self.reviewer)
        with self.later(2):
            workflow.apply(self.fiche, "archive", self.reviewer)
        with self.later(3):
            self.report.visibility = Visibility.MEMBERS
            self.report.save()
        everyone = {identifier(r) for r in (self.guide, self.fiche, self.report)}
        headers = self.harvest(metadataPrefix="oai_dc")
        self.assertEqual(self.deleted(headers), everyone)
        # The deletion stays in the sets the record was in.
        self.assertEqual(
            self.deleted(self.harvest(metadataPrefix="oai_dc", set="collection:schools")),
            {identifier(self.fiche), identifier(self.report)},
        )
        # Still deleted after more edits that keep it out of view.
        with self.later(4):
            self.guide.title = "Grooming: a guide for parents (draft)"
            self.guide.save()
        document = self.oai(
            verb="GetRecord", identifier=identifier(self.guide), metadataPrefix="qdc"
        )
        header = document.find(f".//{OAI}header")
        self.assertEqual(header.get("status"), "deleted")
        self.assertEqual(header.findtext(f"{OAI}datestamp"), "2026-03-02T10:00:00Z")
        self.assertIsNone(document.find(f".//{OAI}metadata"))
        # Published again: live again, with a new datestamp.
        with self.later(5):
            workflow.apply(self.guide, "publish", self.reviewer)
        headers = self.harvest(metadataPrefix="oai_dc", **{"from": "2026-03-02T13:00:00Z"})
        self.assertEqual(self.ids(headers), [identifier(self.guide)])
        self.assertEqual(self.deleted(headers), set())

    def test_a_deleted_item_is_reported_deleted(self):
        pk = self.report.pk
        with self.later(1):
            self.report.delete()
        document = self.oai(
            verb="GetRecord", identifier=f"oai:127.0.0.1:{pk}", metadataPrefix="oai_dc"
        )
        self.assertEqual(document.find(f".//{OAI}header").get("status"), "deleted")

    def test_an_item_never_public_leaves_no_record(self):
        with self.later(1):
            workflow.apply(self.draft, "archive", self.reviewer)
            self.members.delete()
        self.assertEqual(OaiRecord.objects.filter(deleted=True).count(), 0)
        self.assertEqual(len(self.harvest(metadataPrefix="oai_dc")), 3)

    def test_a_row_the_catalogue_disagrees_with_is_reported_deleted(self):
        # A write that bypassed the model (raw SQL, QuerySet.update) must not leak.
        type(self.report).objects.filter(pk=self.report.pk).update(status=Status.DRAFT)
        headers = self.harvest("ListRecords", metadataPrefix="oai_dc")
        self.assertEqual(self.deleted(headers), {identifier(self.report)})

    def test_a_harvest_survives_changes_between_pages(self):
        document = self.oai(verb="ListIdentifiers", metadataPrefix="oai_dc")
        first = self.ids(document.iter(f"{OAI}header"))
        self.assertEqual(first, [identifier(self.guide), identifier(self.fiche)])
        token = document.findtext(f".//{OAI}resumptionToken")
        with self.later(1):
            # One delivered record and one not yet delivered change.
            self.guide.title = "Grooming guide, revised"
            self.guide.save()
            self.report.summary = "Now with a summary."
            self.report.save()
        rest = []
        while token:
            document = self.oai(verb="ListIdentifiers", resumptionToken=token)
            rest += self.ids(document.iter(f"{OAI}header"))
            token = document.findtext(f".//{OAI}resumptionToken")
        # Nothing skipped; the changed record delivered again at the end.
        self.assertEqual(rest, [identifier(self.guide), identifier(self.report)])


class SyncCommandTestCase(OaiTestCase):
    def test_it_catches_up_with_writes_that_bypassed_the_model(self):
        from django.core.management import call_command

        Resource = type(self.draft)
        Resource.objects.filter(pk=self.draft.pk).update(status=Status.PUBLISHED)
        Resource.objects.filter(pk=self.report.pk).update(visibility=Visibility.MEMBERS)
        call_command("oai_sync", verbosity=0)
        headers = self.harvest(metadataPrefix="oai_dc")
        self.assertIn(identifier(self.draft), self.ids(headers))
        self.assertEqual(self.deleted(headers), {identifier(self.report)})


class ImportTestCase(OaiTestCase):
    def test_an_import_that_withdraws_or_publishes_items_is_harvested_so(self):
        from shelf.ingest.services import import_records
        from shelf.ingest.tests.factories import record

        import_records(
            records=[
                record("test:new", "Imported public"),
                record("test:hidden", "Imported members-only", visibility="members"),
            ],
            source="first.json",
        )
        new = type(self.guide).objects.get(key="test:new")
        self.assertIn(identifier(new), self.ids(self.harvest(metadataPrefix="oai_dc")))
        with self.later(1):
            import_records(
                records=[record("test:new", "Imported public", visibility="members")],
                source="second.json",
            )
        headers = self.harvest(metadataPrefix="oai_dc")
        self.assertEqual(self.deleted(headers), {identifier(new)})
        hidden = type(self.guide).objects.get(key="test:hidden")
        self.assertNotIn(identifier(hidden), self.ids(headers))

    def later(self, hours: int):
        return time_machine.travel(START + datetime.timedelta(days=1, hours=hours), tick=False)


class DemoReplaceTestCase(OaiTestCase):
    def test_demo_items_deleted_in_bulk_are_reported_deleted(self):
        from shelf.ingest import demo

        demo.generate(20, seed=3)
        ids = {
            identifier(r)
            for r in type(self.guide)
            .objects.visible_to(None)
            .filter(key__startswith=demo.KEY_PREFIX)
        }
        self.assertTrue(ids)
        demo.delete_existing()
        self.assertEqual(self.deleted(self.harvest(metadataPrefix="oai_dc")), ids)


class TermChangeTestCase(OaiTestCase):
    def test_a_renamed_term_is_a_change_of_its_records(self):
        with time_machine.travel(START + datetime.timedelta(days=2), tick=False):
            self.schools.label = "Schools and colleges"
            self.schools.save()
        headers = self.harvest(metadataPrefix="oai_dc", **{"from": "2026-03-03"})
        self.assertEqual(self.ids(headers), [identifier(self.fiche), identifier(self.report)])


class TextTestCase(OaiTestCase):
    def test_characters_xml_forbids_are_dropped(self):
        self.guide.summary = "Line one\nline\x0b two\x1f \ufffe\ttabbed"
        self.guide.save()
        document = self.oai(
            verb="GetRecord", identifier=identifier(self.guide), metadataPrefix="oai_dc"
        )
        description = document.findtext(".//{http://purl.org/dc/elements/1.1/}description")
        self.assertEqual(description, "Line one\nline two \ttabbed")

    def test_a_deleted_term_leaves_its_records_and_their_sets(self):
        with time_machine.travel(START + datetime.timedelta(days=2), tick=False):
            self.schools.delete()
        headers = self.harvest(metadataPrefix="oai_dc", **{"from": "2026-03-03"})
        self.assertEqual(self.ids(headers), [identifier(self.fiche), identifier(self.report)])
        self.assertEqual(
            self.error(verb="ListIdentifiers", metadataPrefix="oai_dc", set="collection:schools"),
            "noRecordsMatch",
        )
