"""Bulk curation in the admin list: plan, confirm, apply."""

import datetime

from shelf.catalogue.models import Resource, Status, Visibility
from shelf.curation import bulk
from shelf.curation.models import AuditEvent
from shelf.curation.tests.base import CurationTestCase, make_resource, term
from shelf.search.models import SearchChange

CHANGELIST = "/admin/catalogue/resource/"


class BulkTestCase(CurationTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.parents = term("audience", "parents", "Parents")
        cls.teachers = term("audience", "teachers", "Teachers")
        cls.items = [
            make_resource(f"Item {i}", status=Status.DRAFT, terms=[cls.parents]) for i in range(3)
        ]
        cls.ids = [str(r.pk) for r in cls.items]

    def post(self, action, ids=None, confirm=True, query="", **fields):
        data = {"action": action, "index": "0", **fields}
        if ids is None:
            data["select_across"] = "1"
            data["_selected_action"] = self.ids[:1]
        else:
            data["_selected_action"] = ids
        if confirm:
            data["confirm"] = "yes"
        return self.client.post(CHANGELIST + query, data)

    def revisions(self) -> int:
        return Resource.history.filter(id__in=self.ids).count()


class ConfirmationTestCase(BulkTestCase):
    def test_it_asks_first_and_says_how_many_items_change(self):
        self.items[0].terms.add(self.teachers)
        self.client.force_login(self.editor)
        r = self.post("add_term", self.ids, confirm=False, term=str(self.teachers.pk))
        self.assertContains(r, "2 resources will change: add the term “Audience: Teachers”.")
        self.assertContains(r, "1 is already so")
        self.assertContains(r, 'name="confirm" value="yes"')
        self.assertEqual(self.teachers.resources.count(), 1)
        self.assertFalse(AuditEvent.objects.filter(action=bulk.BULK).exists())

    def test_the_confirmation_keeps_the_selection_and_the_filter(self):
        make_resource("Published elsewhere")
        self.client.force_login(self.editor)
        r = self.post("add_term", None, confirm=False, query="?status=draft", term=self.teachers.pk)
        self.assertContains(r, "You chose all 3 resources matching the current filter.")
        self.assertContains(r, f'action="{CHANGELIST}?status=draft"')
        self.assertContains(r, 'name="select_across" value="1"')
        r = self.post("add_term", None, query="?status=draft", term=self.teachers.pk)
        self.assertEqual(r.status_code, 302)
        self.assertEqual(
            set(self.teachers.resources.values_list("title", flat=True)),
            {"Item 0", "Item 1", "Item 2"},
        )


class ChangesTestCase(BulkTestCase):
    def test_each_change_is_one_revision_per_item_and_one_audit_event(self):
        self.client.force_login(self.editor)
        review = datetime.date(2030, 1, 31)
        table = [
            ("add_term", {"term": str(self.teachers.pk)}, lambda r: self.teachers in r.terms.all()),
            (
                "remove_term",
                {"term": str(self.parents.pk)},
                lambda r: self.parents not in r.terms.all(),
            ),
            ("set_visibility", {"visibility": "members"}, lambda r: r.visibility == "members"),
            ("set_review_by", {"review_by": "2030-01-31"}, lambda r: r.review_by == review),
            ("set_review_by", {"review_by": ""}, lambda r: r.review_by is None),
            ("send_to_review", {}, lambda r: r.status == Status.REVIEW),
        ]
        for action, fields, check in table:
            with self.subTest(action, **fields):
                before, events = self.revisions(), AuditEvent.objects.filter(action=bulk.BULK)
                count = events.count()
                feed = SearchChange.objects.count()
                r = self.post(action, self.ids, **fields)
                self.assertEqual(r.status_code, 302)
                for item in Resource.objects.filter(pk__in=self.ids):
                    self.assertTrue(check(item), item)
                self.assertEqual(self.revisions(), before + 3)
                latest = Resource.history.filter(id=self.items[0].pk).latest()
                self.assertEqual(latest.history_user, self.editor)
                self.assertEqual(events.count(), count + 1)
                event = events.latest("id")
                self.assertEqual(event.actor, self.editor)
                self.assertEqual(event.details["count"], 3)
                self.assertEqual(sorted(event.details["ids"]), sorted(int(i) for i in self.ids))
                self.assertGreaterEqual(SearchChange.objects.count(), feed + 3)

    def test_a_revision_keeps_the_items_terms(self):
        self.client.force_login(self.editor)
        self.post("add_term", self.ids, term=str(self.teachers.pk))
        latest = Resource.history.filter(id=self.items[0].pk).latest()
        self.assertEqual({row.term for row in latest.terms.all()}, {self.parents, self.teachers})
        self.assertEqual(latest.history_change_reason, "bulk: add term")

    def test_nothing_to_change_writes_nothing(self):
        self.client.force_login(self.editor)
        before = self.revisions()
        self.post("add_term", self.ids, term=str(self.parents.pk))
        self.assertEqual(self.revisions(), before)


class RolesTestCase(BulkTestCase):
    def test_an_editor_cannot_publish_or_archive(self):
        self.client.force_login(self.editor)
        r = self.client.get(CHANGELIST)
        self.assertContains(r, 'value="send_to_review"')
        self.assertNotContains(r, 'value="publish"')
        self.assertNotContains(r, 'value="archive"')
        for action in ("publish", "archive"):
            with self.subTest(action):
                self.post(action, self.ids)
                statuses = set(Resource.objects.filter(pk__in=self.ids).values_list("status"))
                self.assertEqual(statuses, {(Status.DRAFT,)})

    def test_a_reviewer_publishes_and_archives(self):
        self.client.force_login(self.reviewer)
        self.post("publish", self.ids[:2])
        self.post("archive", self.ids[2:])
        statuses = sorted(Resource.objects.filter(pk__in=self.ids).values_list("status", flat=True))
        self.assertEqual(statuses, [Status.ARCHIVED, Status.PUBLISHED, Status.PUBLISHED])
        # Each item's own workflow step, as on its page, and one event for the action.
        self.assertEqual(AuditEvent.objects.filter(action="publish").count(), 2)
        self.assertEqual(AuditEvent.objects.filter(action=bulk.BULK).count(), 2)

    def test_an_editor_cannot_change_who_sees_a_published_item(self):
        live = make_resource("Live item")
        ids = [*self.ids, str(live.pk)]
        self.client.force_login(self.editor)
        r = self.post("set_visibility", ids, confirm=False, visibility="members")
        self.assertContains(r, "3 resources will change")
        self.assertContains(r, "1 cannot be changed this way")
        self.post("set_visibility", ids, visibility="members")
        live.refresh_from_db()
        self.assertEqual(live.visibility, Visibility.PUBLIC)
        self.assertEqual(Resource.objects.filter(pk__in=self.ids, visibility="members").count(), 3)

    def test_a_member_cannot_post_bulk_actions(self):
        self.client.force_login(self.member)
        r = self.post("add_term", self.ids, term=str(self.teachers.pk))
        self.assertEqual(r.status_code, 302)
        self.assertIn("/login/", r["Location"])
        self.assertEqual(self.teachers.resources.count(), 0)


class MalformedTestCase(BulkTestCase):
    def test_a_malformed_term_is_an_error_message_not_a_crash(self):
        self.client.force_login(self.editor)
        for value in ("abc", "99999999", ""):
            with self.subTest(value=value):
                r = self.post("add_term", self.ids, term=value)
                self.assertEqual(r.status_code, 302)
        # A NUL is refused before any view reads the form.
        self.assertEqual(self.post("add_term", self.ids, term="\x00").status_code, 400)
        self.assertEqual(self.teachers.resources.count(), 0)
        self.client.force_login(self.admin)
        r = self.client.post(
            "/admin/catalogue/term/",
            {"action": "merge_into", "index": "0", "into": "x", "_selected_action": ["1"]},
        )
        self.assertEqual(r.status_code, 302)
