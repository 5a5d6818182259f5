from __future__ import annotations

from unittest import mock

from django.test import SimpleTestCase

from shelf.catalogue.models import Status
from shelf.curation.tests.base import CurationTestCase, make_resource
from shelf.lib.weblinks import find_urls
from shelf.links import services
from shelf.links.models import Field, ItemLink, Link


class FindUrlsTests(SimpleTestCase):
    def test_it_finds_web_addresses_in_text_and_trims_punctuation(self):
        text = (
            "See https://example.org/guide. Also (http://example.org/a?b=1&c=2), "
            "https://en.wikipedia.org/wiki/Child_(law); and https://example.org/guide again."
        )
        self.assertEqual(
            find_urls(text),
            [
                "https://example.org/guide",
                "http://example.org/a?b=1&c=2",
                "https://en.wikipedia.org/wiki/Child_(law)",
            ],
        )

    def test_it_ignores_other_schemes_and_hostless_addresses(self):
        text = "mailto:a@example.org ftp://example.org/x javascript:alert(1) http:// https:///x"
        self.assertEqual(find_urls(text), [])

    def test_it_stops_at_markup_and_quotes(self):
        text = '<a href="https://example.org/x">here</a> «https://example.org/y»'
        self.assertEqual(find_urls(text), ["https://example.org/x", "https://example.org/y"])


class CollectTests(CurationTestCase):
    def test_it_collects_the_source_url_and_the_links_in_text_fields(self):
        item = make_resource(
            "Guide",
            source_url="https://publisher.example.org/guide.pdf",
            summary="Summary, see https://other.example.org/page.",
            body="Body with https://publisher.example.org/guide.pdf and mailto:x@example.org",
        )
        report = services.collect()
        self.assertEqual(report.added, 2)
        rows = dict(ItemLink.objects.filter(resource=item).values_list("link__url", "field"))
        self.assertEqual(
            rows,
            {
                "https://publisher.example.org/guide.pdf": Field.SOURCE_URL,
                "https://other.example.org/page": Field.SUMMARY,
            },
        )
        self.assertEqual(Link.objects.get(url__contains="other").host, "other.example.org")

    def test_it_keeps_one_record_per_address_whatever_carries_it(self):
        url = "https://shared.example.org/toolkit"
        first = make_resource("First", source_url=url)
        second = make_resource("Second", body=f"Read {url} first.")
        services.collect()
        self.assertEqual(Link.objects.count(), 1)
        self.assertEqual(set(Link.objects.get().resources.all()), {first, second})

    def test_it_follows_edits_and_forgets_links_nothing_carries(self):
        item = make_resource("Guide", source_url="https://old.example.org/")
        services.collect()
        item.source_url = "https://new.example.org/"
        item.save()
        report = services.collect()
        self.assertEqual((report.added, report.removed), (1, 1))
        self.assertEqual(list(Link.objects.values_list("url", flat=True)), [item.source_url])
        services.collect()  # nothing changed: nothing to do
        self.assertEqual(ItemLink.objects.count(), 1)

    def test_it_leaves_out_archived_items(self):
        item = make_resource("Guide", source_url="https://old.example.org/")
        services.collect()
        item.status = Status.ARCHIVED
        item.save()
        services.collect()
        self.assertFalse(Link.objects.exists())

    @mock.patch.object(services, "BATCH", 2)
    def test_it_reads_every_batch(self):
        for n in range(5):
            make_resource(f"Item {n}", source_url=f"https://example.org/{n}")
        report = services.collect()
        self.assertEqual((report.items, report.added), (5, 5))
