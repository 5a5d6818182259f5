from collections import Counter
from io import StringIO

from django.core.management import CommandError, call_command

from shelf.catalogue.models import Resource
from shelf.curation.models import AuditEvent
from shelf.ingest import demo
from shelf.ingest.signals import bulk_imported
from shelf.test import BaseTestCase


def export() -> str:
    out = StringIO()
    call_command("export", "--format", "json", stdout=out)
    return out.getvalue()


class DemoTestCase(BaseTestCase):
    def test_it_makes_the_same_corpus_from_the_same_seed(self):
        demo.generate(30, seed=5)
        first = export()
        call_command("demo", "--items", "30", "--seed", "5", "--replace", stdout=StringIO())
        self.assertEqual(export(), first)
        call_command("demo", "--items", "30", "--seed", "6", "--replace", stdout=StringIO())
        self.assertNotEqual(export(), first)

    def test_it_replaces_demo_items_in_bulk_with_one_audit_event(self):
        demo.generate(5, seed=1)
        first = Resource.objects.get(key="demo:1")
        first.translations.add(Resource.objects.get(key="demo:2"))
        other = Resource.objects.create(key="x:1", slug="x", title="X", supersedes=first)
        call_command("demo", "--items", "3", "--replace", stdout=StringIO())
        self.assertEqual(Resource.objects.filter(key__startswith="demo:").count(), 3)
        other.refresh_from_db()
        self.assertIsNone(other.supersedes)
        self.assertEqual(
            list(AuditEvent.objects.filter(action="delete").values_list("action", "details")),
            [("delete", {"demo_items": 5})],
        )
        self.assertFalse(Resource.history.filter(key__startswith="demo:").exists())

    def test_it_refuses_to_add_to_existing_demo_items(self):
        demo.generate(3, seed=1)
        with self.assertRaisesMessage(CommandError, "already 3 demo items; use --replace"):
            call_command("demo", "--items", "3", stdout=StringIO())

    def test_it_draws_on_a_realistic_vocabulary(self):
        sizes = {v: len(ts) for v, ts in demo.vocabulary().items()}
        self.assertTrue(35 <= sizes["topic"] <= 45, sizes)
        self.assertEqual(sizes["audience"], 12)
        self.assertEqual(sizes["publisher"], 200)
        self.assertEqual(sizes["type"], 12)
        self.assertEqual(sizes["country"], 30)

    def test_it_gives_each_item_one_to_six_terms_per_vocabulary(self):
        demo.generate(200, seed=2)
        through = Resource.terms.through.objects
        counts = Counter(through.values_list("resource_id", "term__vocabulary"))
        for vocabulary in [
            "topic",
            "audience",
            "setting",
            "type",
            "publisher",
            "collection",
            "country",
        ]:
            with self.subTest(vocabulary):
                per_item = [
                    counts[(r, vocabulary)] for r in Resource.objects.values_list("id", flat=True)
                ]
                self.assertEqual(min(per_item), 1)
                self.assertLessEqual(max(per_item), 6)
        topics_used = through.filter(term__vocabulary="topic").values("term").distinct().count()
        self.assertGreater(topics_used, 25)

    def test_it_writes_items_in_their_own_language(self):
        demo.generate(300, seed=3)
        languages = Counter(Resource.objects.values_list("language", flat=True))
        self.assertEqual(set(languages), {"en", "fr", "es", "ar", "zh-Hans"})
        self.assertGreater(languages["en"], 150)
        chinese = Resource.objects.filter(language="zh-Hans").first()
        self.assertNotIn(" ", chinese.title)
        self.assertIn("。", chinese.summary)
        for r in Resource.objects.all()[:50]:
            self.assertTrue(5 <= len(r.title.split()) <= 11 or r.language == "zh-Hans", r.title)
            if r.language != "zh-Hans":
                self.assertTrue(600 <= len(r.body.split()) <= 1000, len(r.body.split()))
                self.assertTrue(40 <= len(r.summary.split()) <= 90, len(r.summary.split()))
        members = Resource.objects.filter(visibility="members").count()
        self.assertTrue(3 <= members <= 30, members)
        self.assertTrue(Resource.objects.filter(key="demo:300").exists())

    def test_it_announces_each_batch(self):
        received = []

        def receiver(sender, resource_ids, **kwargs):
            received.extend(resource_ids)

        bulk_imported.connect(receiver)
        self.addCleanup(bulk_imported.disconnect, receiver)
        demo.generate(5, seed=1)
        self.assertEqual(sorted(received), sorted(Resource.objects.values_list("id", flat=True)))


class LoadSampleTestCase(BaseTestCase):
    def test_it_loads_the_sample_into_an_empty_catalogue_once(self):
        out = StringIO()
        call_command("loadsample", stdout=out)
        call_command("loadsample", stdout=out)
        self.assertEqual(Resource.objects.count(), 7)
        self.assertEqual(out.getvalue(), "")

    def test_it_leaves_a_catalogue_that_has_resources(self):
        Resource.objects.create(key="x:1", slug="x", title="X")
        call_command("loadsample", stdout=StringIO())
        self.assertEqual(Resource.objects.count(), 1)
