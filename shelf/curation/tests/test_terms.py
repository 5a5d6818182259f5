"""Merging and renaming terms."""

from urllib.parse import quote

from django.http import QueryDict

from shelf.catalogue.models import Resource, Term
from shelf.curation import terms
from shelf.curation.models import AuditEvent, TermRedirect
from shelf.curation.tests.base import CurationTestCase, make_resource, term

TERMS = "/admin/catalogue/term/"


class MergeTestCase(CurationTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.covid = term("topic", "flu-old", "Flu")
        cls.covid.aliases = ["grippe"]
        cls.covid.save()
        cls.covid19 = term("topic", "influenza", "Influenza")
        cls.parents = term("audience", "parents", "Parents")
        cls.only_old = make_resource("Old tag only", terms=[cls.covid, cls.parents])
        cls.both = make_resource("Both tags", terms=[cls.covid, cls.covid19])
        cls.new_only = make_resource("New tag only", terms=[cls.covid19])

    def merge(self, confirm=True, sources=None):
        data = {
            "action": "merge_into",
            "index": "0",
            "into": str(self.covid19.pk),
            "_selected_action": [str(t.pk) for t in (sources or [self.covid])],
        }
        if confirm:
            data["confirm"] = "yes"
        return self.client.post(TERMS, data)

    def test_it_asks_first_then_re_tags_every_item(self):
        self.client.force_login(self.admin)
        r = self.merge(confirm=False)
        self.assertContains(r, "2 resources re-tagged")
        self.assertTrue(Term.objects.filter(pk=self.covid.pk).exists())
        before = Resource.history.filter(id=self.only_old.pk).count()
        untouched = Resource.history.filter(id=self.new_only.pk).count()
        r = self.merge()
        self.assertEqual(r.status_code, 302)
        self.assertFalse(Term.objects.filter(pk=self.covid.pk).exists())
        for item in (self.only_old, self.both, self.new_only):
            self.assertEqual([t.slug for t in item.terms.filter(vocabulary="topic")], ["influenza"])
        self.assertIn(self.parents, self.only_old.terms.all())
        # One revision per re-tagged item, with its terms.
        self.assertEqual(Resource.history.filter(id=self.only_old.pk).count(), before + 1)
        latest = Resource.history.filter(id=self.only_old.pk).latest()
        self.assertEqual({r.term.slug for r in latest.terms.all()}, {"influenza", "parents"})
        self.assertEqual(Resource.history.filter(id=self.new_only.pk).count(), untouched)
        event = AuditEvent.objects.get(action=terms.MERGE)
        self.assertEqual((event.actor, event.details["count"]), (self.admin, 2))

    def test_the_merged_terms_names_become_aliases(self):
        terms.merge(self.covid, self.covid19, self.admin)
        self.covid19.refresh_from_db()
        self.assertEqual(self.covid19.aliases, ["Flu", "flu-old", "grippe"])

    def test_old_slugs_redirect_on_pages_and_api(self):
        terms.merge(self.covid, self.covid19, self.admin)
        r = self.client.get("/resources/?topic=flu-old&audience=parents&q=guide")
        self.assertRedirects(
            r,
            "/resources/?topic=influenza&audience=parents&q=guide",
            status_code=301,
            fetch_redirect_response=False,
        )
        r = self.client.get("/api/v1/resources?topic=flu-old")
        self.assertRedirects(
            r, "/api/v1/resources?topic=influenza", status_code=301, fetch_redirect_response=False
        )
        # A slug that never existed is still an error.
        self.assertEqual(self.client.get("/resources/?topic=nonsense").status_code, 400)
        self.assertEqual(self.client.get("/api/v1/resources?topic=nonsense").status_code, 400)

    def test_a_chain_of_merges_leads_to_the_last_term(self):
        terms.merge(self.covid, self.covid19, self.admin)
        pandemic = term("topic", "pandemic", "Pandemic")
        terms.merge(Term.objects.get(pk=self.covid19.pk), pandemic, self.admin)
        found = dict(TermRedirect.objects.values_list("slug", "term__slug"))
        self.assertEqual(found, {"flu-old": "pandemic", "influenza": "pandemic"})

    def test_it_refuses_another_vocabulary_and_editors(self):
        self.client.force_login(self.admin)
        self.merge(sources=[self.parents])
        self.assertTrue(Term.objects.filter(pk=self.parents.pk).exists())
        self.client.force_login(self.editor)
        self.merge()
        self.assertTrue(Term.objects.filter(pk=self.covid.pk).exists())


class RenameTestCase(CurationTestCase):
    def test_a_renamed_term_keeps_its_old_slug_and_label_as_aliases(self):
        t = term("topic", "net-safety", "Net safety")
        item = make_resource("Guide", terms=[t])
        self.client.force_login(self.admin)
        r = self.client.post(
            f"{TERMS}{t.pk}/change/",
            {"vocabulary": "topic", "label": "Web safety", "slug": "web-safety"},
        )
        self.assertEqual(r.status_code, 302, r.context and r.context["adminform"].form.errors)
        t.refresh_from_db()
        self.assertEqual(t.aliases, ["Net safety", "net-safety"])
        self.assertEqual(list(item.terms.all()), [t])
        r = self.client.get("/resources/?topic=net-safety")
        self.assertRedirects(
            r, "/resources/?topic=web-safety", status_code=301, fetch_redirect_response=False
        )
        self.assertTrue(AuditEvent.objects.filter(action=terms.RENAME).exists())

    def test_a_slug_given_back_to_a_term_is_not_redirected_away(self):
        t = term("topic", "a", "A")
        terms.renamed(t, "a", "A", self.admin)
        t.slug = "b"
        terms.renamed(t, "a", "A", self.admin)
        t.save()
        t.slug = "a"
        terms.renamed(t, "b", "A", self.admin)
        t.save()
        self.assertEqual(self.client.get("/resources/?topic=a").status_code, 200)
        self.assertEqual(list(TermRedirect.objects.values_list("slug", flat=True)), ["b"])


class HostileFilterTestCase(CurationTestCase):
    def test_a_filter_no_slug_could_be_is_a_400_not_a_lookup(self):
        for value in ("\x00", "a\x00b", "x" * 500):
            with self.subTest(value=value[:10]):
                self.assertIsNone(terms.moved(QueryDict(f"topic={quote(value)}")))
                r = self.client.get("/resources/", {"topic": value})
                self.assertEqual(r.status_code, 400)
