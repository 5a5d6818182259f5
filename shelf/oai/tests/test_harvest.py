"""A real harvester (oaipmh-scythe) takes the whole demo catalogue, every
page checked against the protocol's schemas, then comes back for what changed."""

import datetime

import time_machine
from django.test import override_settings

from shelf.catalogue.models import Resource, Status, Visibility
from shelf.curation import workflow
from shelf.curation.tests.base import CurationTestCase
from shelf.ingest import demo
from shelf.oai.tests.support import harvester, validate

ITEMS = 5000
START = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)


@override_settings(SHELF_OAI_PAGE_SIZE=250)
class HarvestTestCase(CurationTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        with time_machine.travel(START, tick=False):
            demo.generate(ITEMS, seed=9)

    def test_it_harvests_everything_once_then_the_deletions(self):
        public = Resource.objects.visible_to(None)
        expected = {f"oai:testserver:{pk}" for pk in public.values_list("pk", flat=True)}
        self.assertGreater(len(expected), ITEMS * 0.9)

        scythe, transport = harvester()
        with override_settings(SITE_ROOT="http://testserver"):
            records = list(scythe.list_records(metadata_prefix="oai_dc"))
            identifiers = [r.header.identifier for r in records]
            self.assertEqual(len(identifiers), len(set(identifiers)), "duplicates")
            self.assertEqual(set(identifiers), expected)
            self.assertFalse(any(r.deleted for r in records))
            self.assertTrue(all(r.metadata["title"] for r in records))
            # ~20 pages of 250, each valid against OAI-PMH.xsd and oai_dc.xsd.
            self.assertEqual(len(transport.bodies), -(-len(expected) // 250))
            for body in transport.bodies:
                validate(body)

            gone = list(public.order_by("?")[:4])
            gone_ids = {f"oai:testserver:{r.pk}" for r in gone}
            with time_machine.travel(START + datetime.timedelta(days=1), tick=False):
                workflow.apply(gone[0], "unpublish", self.reviewer)
                workflow.apply(gone[1], "archive", self.reviewer)
                gone[2].visibility = Visibility.MEMBERS
                gone[2].save()
                gone[3].delete()
                # A draft published: a new record.
                draft = Resource.objects.filter(status=Status.DRAFT).first()
                workflow.apply(draft, "publish", self.reviewer)

            since = list(scythe.list_identifiers(metadata_prefix="qdc", from_="2026-03-02"))
            self.assertEqual(
                {h.identifier for h in since if h.deleted},
                gone_ids,
            )
            self.assertEqual(
                [h.identifier for h in since if not h.deleted], [f"oai:testserver:{draft.pk}"]
            )
            # The full list still carries every deletion, once.
            again = [h.identifier for h in scythe.list_identifiers(metadata_prefix="oai_dc")]
            self.assertEqual(len(again), len(set(again)))
            self.assertEqual(set(again), expected | {f"oai:testserver:{draft.pk}"})
