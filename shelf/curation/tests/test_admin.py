import datetime

from django.contrib.auth.models import Group, User
from django.utils import timezone

from shelf.catalogue.models import VOCABULARIES, Resource, Status, Term
from shelf.curation.models import AuditEvent
from shelf.curation.tests.base import CurationTestCase, make_resource, term

CHANGELIST = "/admin/catalogue/resource/"


def form_data(resource=None, terms=(), **changes):
    """What the resource change form posts."""
    data = {
        "title": resource.title if resource else "",
        "slug": resource.slug if resource else "",
        "summary": resource.summary if resource else "",
        "body": resource.body if resource else "",
        "visibility": resource.visibility if resource else "public",
        "date": "",
        "date_precision": "",
        "language": resource.language if resource else "en",
        "source_url": "",
        "last_reviewed": "",
        "review_by": "",
        "supersedes": "",
        # The files inline's empty formset.
        "files-TOTAL_FORMS": "0",
        "files-INITIAL_FORMS": "0",
        "files-MIN_NUM_FORMS": "0",
        "files-MAX_NUM_FORMS": "1000",
    }
    for name, _label in VOCABULARIES:
        data[f"terms_{name}"] = [str(t.pk) for t in terms if t.vocabulary == name]
    data.update(changes)
    return data


class ResourceAdminTestCase(CurationTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.parents = term("audience", "parents", "Parents")
        cls.teachers = term("audience", "teachers", "Teachers")
        cls.icmec = term("publisher", "icmec", "ICMEC")

    def test_it_creates_a_draft_whatever_status_is_posted(self):
        self.client.force_login(self.editor)
        data = form_data(
            title="Online safety for parents",
            slug="online-safety-for-parents",
            terms=[self.parents, self.icmec],
            status="published",
        )
        r = self.client.post(f"{CHANGELIST}add/", data)
        self.assertEqual(r.status_code, 302, r.content[:3000])
        resource = Resource.objects.get(slug="online-safety-for-parents")
        self.assertEqual(resource.status, Status.DRAFT)
        self.assertTrue(resource.key.startswith("admin:"))
        self.assertEqual(set(resource.terms.all()), {self.parents, self.icmec})
        self.assertEqual(resource.publishers, [self.icmec])

    def test_it_links_translations_both_ways_and_editions(self):
        english = make_resource("Guide for parents", language="en")
        older = make_resource("Guide for parents (2019)", language="en")
        french = make_resource("Guide pour les parents", status=Status.DRAFT, language="fr")
        self.client.force_login(self.editor)
        data = form_data(french, translations=[str(english.pk)], supersedes=str(older.pk))
        r = self.client.post(f"{CHANGELIST}{french.pk}/change/", data)
        self.assertEqual(r.status_code, 302)
        self.assertEqual(list(english.translations.all()), [french])
        self.assertEqual(list(older.superseded_by.all()), [french])

    def test_editors_can_look_up_items_to_link(self):
        make_resource("Guide for parents")
        self.client.force_login(self.editor)
        r = self.client.get(
            "/admin/autocomplete/",
            {
                "term": "parents",
                "app_label": "catalogue",
                "model_name": "resource",
                "field_name": "translations",
            },
        )
        self.assertEqual(r.status_code, 200)
        self.assertEqual([x["text"] for x in r.json()["results"]], ["Guide for parents"])

    def test_one_save_is_one_revision_with_its_terms_and_author(self):
        resource = make_resource("Guide", status=Status.DRAFT, terms=[self.parents])
        before = resource.history.count()
        self.client.force_login(self.editor)
        data = form_data(resource, terms=[self.teachers], title="Guide, revised")
        self.client.post(f"{CHANGELIST}{resource.pk}/change/", data)
        self.assertEqual(resource.history.count(), before + 1)
        latest = resource.history.latest()
        self.assertEqual(latest.history_user, self.editor)
        self.assertEqual(latest.title, "Guide, revised")
        self.assertEqual([row.term for row in latest.terms.all()], [self.teachers])

    def test_an_editor_cannot_change_the_status_or_visibility_of_a_published_item(self):
        resource = make_resource("Published guide")
        self.client.force_login(self.editor)
        data = form_data(resource, status="draft", visibility="members", title="Edited")
        self.client.post(f"{CHANGELIST}{resource.pk}/change/", data)
        resource.refresh_from_db()
        self.assertEqual(resource.title, "Edited")
        self.assertEqual(resource.status, Status.PUBLISHED)
        self.assertEqual(resource.visibility, "public")

    def test_it_offers_each_role_its_workflow_buttons(self):
        resource = make_resource("A draft", status=Status.DRAFT)
        url = f"{CHANGELIST}{resource.pk}/change/"
        self.client.force_login(self.editor)
        r = self.client.get(url)
        self.assertContains(r, f"{CHANGELIST}{resource.pk}/workflow/submit/")
        self.assertNotContains(r, "/workflow/publish/")
        self.client.force_login(self.reviewer)
        r = self.client.get(url)
        self.assertContains(r, f"{CHANGELIST}{resource.pk}/workflow/publish/")

    def test_an_editor_cannot_publish_by_posting_the_workflow_url(self):
        resource = make_resource("A draft", status=Status.REVIEW)
        self.client.force_login(self.editor)
        r = self.client.post(f"{CHANGELIST}{resource.pk}/workflow/publish/")
        self.assertEqual(r.status_code, 403)
        resource.refresh_from_db()
        self.assertEqual(resource.status, Status.REVIEW)

    def test_a_reviewer_rejects_with_a_reason(self):
        resource = make_resource("A draft", status=Status.REVIEW)
        self.client.force_login(self.reviewer)
        url = f"{CHANGELIST}{resource.pk}/workflow/reject/"
        r = self.client.post(url, {"reason": ""})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "This field is required")
        r = self.client.post(url, {"reason": "The date is wrong."})
        self.assertEqual(r.status_code, 302)
        resource.refresh_from_db()
        self.assertEqual(resource.status, Status.DRAFT)
        # The editor sees why on the item's page.
        self.client.force_login(self.editor)
        r = self.client.get(f"{CHANGELIST}{resource.pk}/change/")
        self.assertContains(r, "Last step: reject by rita")
        self.assertContains(r, "The date is wrong.")

    def test_a_reviewer_schedules_a_publish_date(self):
        resource = make_resource("Embargoed", status=Status.REVIEW)
        self.client.force_login(self.reviewer)
        when = (timezone.now() + datetime.timedelta(days=3)).strftime("%Y-%m-%d %H:%M")
        r = self.client.post(
            f"{CHANGELIST}{resource.pk}/workflow/publish/", {"publish_at": when}, follow=True
        )
        self.assertContains(r, "it will be published at")
        resource.refresh_from_db()
        self.assertEqual(resource.status, Status.REVIEW)
        self.assertIsNotNone(resource.publish_at)

    def test_list_filters(self):
        today = timezone.localdate()
        overdue = make_resource("Overdue item", review_by=today - datetime.timedelta(days=1))
        fresh = make_resource("Fresh item", review_by=today + datetime.timedelta(days=90))
        tagged = make_resource("Tagged item", terms=[self.parents])
        members = make_resource("Members item", visibility="members")
        self.client.force_login(self.editor)
        cases = [
            ("review=overdue", overdue, fresh),
            ("term_audience=parents", tagged, fresh),
            ("visibility__exact=members", members, fresh),
            ("status__exact=published", fresh, None),
            ("q=Tagged", tagged, overdue),
        ]
        for query, shown, hidden in cases:
            with self.subTest(query):
                r = self.client.get(f"{CHANGELIST}?{query}")
                self.assertContains(r, shown.title)
                if hidden:
                    self.assertNotContains(r, hidden.title)


class RevisionTestCase(CurationTestCase):
    def test_the_history_page_shows_a_readable_diff_and_restores_a_revision(self):
        parents = term("audience", "parents", "Parents")
        teachers = term("audience", "teachers", "Teachers")
        resource = make_resource("First title", status=Status.DRAFT, terms=[parents])
        first = resource.history.latest()
        self.client.force_login(self.editor)
        self.client.post(
            f"{CHANGELIST}{resource.pk}/change/",
            form_data(resource, terms=[teachers], title="Second title"),
        )
        r = self.client.get(f"{CHANGELIST}{resource.pk}/history/")
        self.assertContains(r, "First title")
        self.assertContains(r, "Second title")
        self.assertContains(r, "Audience: Teachers")

        # Restoring brings back the title and terms, not an old status.
        Resource.objects.filter(pk=resource.pk).update(status=Status.REVIEW)
        url = f"{CHANGELIST}{resource.pk}/history/{first.history_id}/"
        r = self.client.get(url)
        self.assertContains(r, 'value="First title"')
        self.assertContains(r, f'<option value="{parents.pk}" selected>')
        resource.refresh_from_db()
        self.client.post(url, form_data(resource, terms=[parents], title="First title"))
        resource.refresh_from_db()
        self.assertEqual(resource.title, "First title")
        self.assertEqual(list(resource.terms.all()), [parents])
        self.assertEqual(resource.status, Status.REVIEW)


class TermAdminTestCase(CurationTestCase):
    def test_an_admin_edits_aliases_and_translated_labels(self):
        self.client.force_login(self.admin)
        t = term("topic", "covid-19", "COVID-19")
        r = self.client.post(
            f"/admin/catalogue/term/{t.pk}/change/",
            {
                "vocabulary": "topic",
                "slug": "covid-19",
                "label": "COVID-19",
                "aliases_text": "Corona Virus\n  Covid19 \n\nCorona Virus",
                "label_fr": "COVID-19 (fr)",
                "label_zh-hans": "新冠肺炎",
            },
        )
        self.assertEqual(r.status_code, 302, r.content[:2000])
        t.refresh_from_db()
        self.assertEqual(t.aliases, ["Corona Virus", "Covid19"])
        self.assertEqual(t.labels, {"fr": "COVID-19 (fr)", "zh-hans": "新冠肺炎"})
        self.assertEqual(t.label_for("fr"), "COVID-19 (fr)")
        self.assertEqual(t.label_for("zh-Hans"), "新冠肺炎")
        self.assertEqual(t.label_for("es"), "COVID-19")

    def test_editors_may_not_change_vocabularies(self):
        t = term("topic", "bullying")
        self.client.force_login(self.editor)
        r = self.client.post(f"/admin/catalogue/term/{t.pk}/change/", {"label": "x"})
        self.assertEqual(r.status_code, 403)
        self.assertEqual(Term.objects.get(pk=t.pk).label, "Bullying")


class UserAdminTestCase(CurationTestCase):
    def test_an_admin_changes_a_role_and_it_is_audited(self):
        self.client.force_login(self.admin)
        r = self.client.get(f"/admin/auth/user/{self.member.pk}/change/")
        self.assertEqual(r.status_code, 200)
        form = r.context["adminform"].form
        data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
        data.update(
            {
                "username": "mia",
                "groups": [str(Group.objects.get(name="reviewer").pk)],
                "date_joined_0": "2026-01-01",
                "date_joined_1": "00:00:00",
                "is_active": "on",
            }
        )
        data.pop("last_login", None)
        data.pop("user_permissions", None)
        data.pop("date_joined", None)
        r = self.client.post(f"/admin/auth/user/{self.member.pk}/change/", data)
        self.assertEqual(r.status_code, 302, r.content[:3000])
        user = User.objects.get(pk=self.member.pk)
        self.assertEqual(list(user.groups.values_list("name", flat=True)), ["reviewer"])
        self.assertTrue(user.is_staff)
        changes = AuditEvent.objects.filter(
            action="role change", target_id=str(user.pk), actor=self.admin
        )
        details = [e.details for e in changes]
        self.assertIn({"added": ["reviewer"]}, details)
        self.assertIn({"removed": ["member"]}, details)

    def test_an_admin_cannot_make_anyone_superuser_or_touch_a_superuser(self):
        root = User.objects.create_superuser("root", "root@example.org", "x")
        self.client.force_login(self.admin)
        r = self.client.get(f"/admin/auth/user/{self.member.pk}/change/")
        self.assertNotContains(r, 'name="is_superuser"')
        r = self.client.post(f"/admin/auth/user/{root.pk}/change/", {"username": "taken"})
        self.assertEqual(r.status_code, 403)
        r = self.client.post(
            f"/admin/auth/user/{root.pk}/password/", {"password1": "a", "password2": "a"}
        )
        self.assertEqual(r.status_code, 403)

    def test_reviewers_cannot_manage_users(self):
        self.client.force_login(self.reviewer)
        self.assertEqual(self.client.get("/admin/auth/user/").status_code, 403)
