"""The walk from the curation issue's "Done when", with the test client:
an editor drafts and submits, cannot publish; a reviewer publishes; a reader
finds it; the editor edits; the diff shows it; the reviewer restores.
(The PDF part joins once files and search are merged.)"""

from django.test import Client

from shelf.catalogue.models import Resource, Status
from shelf.curation.tests.base import CurationTestCase, term
from shelf.curation.tests.test_admin import CHANGELIST, form_data


class BrowserSessionWalkTestCase(CurationTestCase):
    def sign_in(self, username: str) -> Client:
        client = Client()
        r = client.post(
            "/accounts/login/", {"username": username, "password": "correct horse battery"}
        )
        self.assertEqual(r.status_code, 302, f"{username} could not sign in")
        return client

    def test_the_editorial_walk(self):
        parents = term("audience", "parents", "Parents")
        teachers = term("audience", "teachers", "Teachers")
        editor, reviewer, reader = self.sign_in("ed"), self.sign_in("rita"), Client()

        # The editor creates a draft in the admin and sends it to review.
        r = editor.post(
            f"{CHANGELIST}add/",
            form_data(
                title="Quokkaphone safety for parents",
                slug="quokkaphone-safety",
                summary="How parents set up a first phone.",
                terms=[parents],
            ),
        )
        self.assertEqual(r.status_code, 302)
        item = Resource.objects.get(slug="quokkaphone-safety")
        self.assertEqual(item.status, Status.DRAFT)
        self.assertEqual(reader.get("/resources/quokkaphone-safety/").status_code, 404)
        editor.post(f"{CHANGELIST}{item.pk}/workflow/submit/")
        item.refresh_from_db()
        self.assertEqual(item.status, Status.REVIEW)

        # The editor cannot publish it, not even their own.
        r = editor.post(f"{CHANGELIST}{item.pk}/workflow/publish/")
        self.assertEqual(r.status_code, 403)
        r = editor.post(CHANGELIST, {"action": "publish", "_selected_action": [str(item.pk)]})
        item.refresh_from_db()
        self.assertEqual(item.status, Status.REVIEW)

        # The reviewer publishes; an anonymous reader finds it.
        r = reviewer.post(f"{CHANGELIST}{item.pk}/workflow/publish/", {"publish_at": ""})
        self.assertEqual(r.status_code, 302)
        item.refresh_from_db()
        self.assertEqual(item.status, Status.PUBLISHED)
        r = reader.get("/resources/?q=quokkaphone")
        self.assertEqual(
            [res.slug for res in r.context["results"].resources], ["quokkaphone-safety"]
        )
        self.assertContains(reader.get("/resources/quokkaphone-safety/"), "Quokkaphone safety")

        # The editor edits it; the live item changes and the history shows the diff.
        editor.post(
            f"{CHANGELIST}{item.pk}/change/",
            form_data(item, title="Quokkaphone safety at home", terms=[parents, teachers]),
        )
        self.assertContains(
            reader.get("/resources/quokkaphone-safety/"), "Quokkaphone safety at home"
        )
        r = reviewer.get(f"{CHANGELIST}{item.pk}/history/")
        self.assertContains(r, "Quokkaphone safety for parents")
        self.assertContains(r, "Quokkaphone safety at home")
        self.assertContains(r, "Audience: Teachers")

        # The reviewer restores the revision as published, before the edit.
        published = item.history.filter(status=Status.PUBLISHED).earliest()
        url = f"{CHANGELIST}{item.pk}/history/{published.history_id}/"
        r = reviewer.get(url)
        self.assertContains(r, 'value="Quokkaphone safety for parents"')
        # What the browser sends back: the old revision's values, as shown.
        r = reviewer.post(url, form_data(published.instance, terms=[parents]))
        self.assertEqual(r.status_code, 302)
        item.refresh_from_db()
        self.assertEqual(item.title, "Quokkaphone safety for parents")
        self.assertEqual(list(item.terms.all()), [parents])
        self.assertEqual(item.status, Status.PUBLISHED)
        self.assertEqual(item.history.latest().history_user, self.reviewer)
        self.assertContains(
            reader.get("/resources/quokkaphone-safety/"), "Quokkaphone safety for parents"
        )
