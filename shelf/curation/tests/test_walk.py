"""The walk from the curation issue's "Done when", with the test client:
an editor drafts with a PDF and submits, cannot publish; a reviewer
publishes; a reader finds it by a word that occurs only inside the PDF; the
editor edits; the diff shows it; the reviewer restores."""

from django.test import Client

from shelf.catalogue.models import Resource, Status
from shelf.curation.models import AuditEvent
from shelf.curation.tests.base import CurationTestCase, term
from shelf.curation.tests.test_admin import CHANGELIST, form_data
from shelf.files.models import FileStatus
from shelf.files.tests import samples
from shelf.files.tests.base import TemporaryFileStorage

# Only inside the PDF: not in the title, summary or body.
PDF_WORD = "Wombatlock"


def with_files(data: dict, new=None, attached=(), resource=None) -> dict:
    """The files inline as the browser posts it: a row per attached file
    (its id, the upload column left empty), then the empty row for a new
    file, with ``new`` chosen in it."""
    rows = list(attached)
    data = {
        **data,
        "files-TOTAL_FORMS": str(len(rows) + 1),
        "files-INITIAL_FORMS": str(len(rows)),
    }
    for n, item in enumerate(rows):
        data[f"files-{n}-id"] = str(item.pk)
        data[f"files-{n}-resource"] = str(resource.pk)
    extra = len(rows)
    data[f"files-{extra}-id"] = ""
    data[f"files-{extra}-resource"] = str(resource.pk) if resource else ""
    if new is not None:
        data[f"files-{extra}-upload"] = new
    return data


class BrowserSessionWalkTestCase(TemporaryFileStorage, CurationTestCase):
    def sign_in(self, username: str) -> Client:
        client = Client()
        r = client.post(
            "/accounts/login/", {"username": username, "password": "correct horse battery"}
        )
        self.assertEqual(r.status_code, 302, f"{username} could not sign in")
        return client

    def find(self, client: Client, q: str) -> list[tuple[str, str]]:
        """(slug, snippet) of each result, from the listing page and the API,
        which must agree."""
        page = client.get("/resources/", {"q": q}).context["results"]
        found = [(r.slug, str(r.snippet)) for r in page.resources]
        api = client.get("/api/v1/resources", {"q": q}).json()
        self.assertEqual([(r["slug"], r["snippet"]) for r in api["results"]], found)
        return found

    def test_the_editorial_walk(self):
        parents = term("audience", "parents", "Parents")
        teachers = term("audience", "teachers", "Teachers")
        editor, reviewer, reader = self.sign_in("ed"), self.sign_in("rita"), Client()
        pdf = samples.pdf(
            [
                "Quokkaphone handbook",
                f"Turn on {PDF_WORD} so that only approved contacts can call.",
            ]
        )

        # The editor creates a draft with a PDF in the admin (the upload is
        # read after the commit) and sends it to review.
        with self.captureOnCommitCallbacks(execute=True):
            r = editor.post(
                f"{CHANGELIST}add/",
                with_files(
                    form_data(
                        title="Quokkaphone safety for parents",
                        slug="quokkaphone-safety",
                        summary="How parents set up a first phone.",
                        terms=[parents],
                    ),
                    new=samples.upload("quokkaphone.pdf", pdf),
                ),
            )
        self.assertEqual(r.status_code, 302)
        item = Resource.objects.get(slug="quokkaphone-safety")
        self.assertEqual(item.status, Status.DRAFT)
        pdf_file = item.files.get()
        self.assertEqual(
            (pdf_file.filename, pdf_file.status, pdf_file.page_count, pdf_file.uploaded_by),
            ("quokkaphone.pdf", FileStatus.READY, 2, self.editor),
        )
        self.assertIn(PDF_WORD, pdf_file.pages.get(number=2).text)
        self.assertTrue(
            AuditEvent.objects.filter(action="upload", actor=self.editor).exists(),
            "the upload is in the audit log",
        )
        self.assertEqual(reader.get("/resources/quokkaphone-safety/").status_code, 404)
        self.assertEqual(reader.get(pdf_file.get_absolute_url()).status_code, 404)
        self.assertEqual(self.find(reader, PDF_WORD), [])
        editor.post(f"{CHANGELIST}{item.pk}/workflow/submit/")
        item.refresh_from_db()
        self.assertEqual(item.status, Status.REVIEW)

        # The editor cannot publish it, not even their own.
        r = editor.post(f"{CHANGELIST}{item.pk}/workflow/publish/")
        self.assertEqual(r.status_code, 403)
        r = editor.post(CHANGELIST, {"action": "publish", "_selected_action": [str(item.pk)]})
        item.refresh_from_db()
        self.assertEqual(item.status, Status.REVIEW)

        # The reviewer publishes; an anonymous reader finds it by a word that
        # is only inside the PDF, with an excerpt of the file's text.
        r = reviewer.post(f"{CHANGELIST}{item.pk}/workflow/publish/", {"publish_at": ""})
        self.assertEqual(r.status_code, 302)
        item.refresh_from_db()
        self.assertEqual(item.status, Status.PUBLISHED)
        for field in ("title", "summary", "body"):
            self.assertNotIn(PDF_WORD.casefold(), getattr(item, field).casefold())
        [(slug, snippet)] = self.find(reader, PDF_WORD)
        self.assertEqual(slug, "quokkaphone-safety")
        self.assertIn(f"Turn on <mark>{PDF_WORD}</mark> so that only approved contacts", snippet)
        self.assertEqual(
            [slug for slug, _snippet in self.find(reader, "quokkaphone")], ["quokkaphone-safety"]
        )
        page = reader.get("/resources/quokkaphone-safety/")
        self.assertContains(page, "Quokkaphone safety")
        self.assertContains(page, pdf_file.get_absolute_url())
        download = reader.get(pdf_file.get_absolute_url())
        self.assertEqual(download.status_code, 200)
        self.assertEqual(b"".join(download.streaming_content), pdf)

        # The editor edits it (the form posts the attached file's row back);
        # the live item changes and the history shows the diff.
        r = editor.post(
            f"{CHANGELIST}{item.pk}/change/",
            with_files(
                form_data(item, title="Quokkaphone safety at home", terms=[parents, teachers]),
                attached=[pdf_file],
                resource=item,
            ),
        )
        self.assertEqual(r.status_code, 302)
        self.assertContains(
            reader.get("/resources/quokkaphone-safety/"), "Quokkaphone safety at home"
        )
        self.assertEqual(list(item.files.all()), [pdf_file])
        self.assertEqual([slug for slug, _s in self.find(reader, PDF_WORD)], [item.slug])
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
        # The file is not part of a revision: restoring keeps it, still found.
        self.assertEqual(list(item.files.all()), [pdf_file])
        self.assertEqual([slug for slug, _s in self.find(reader, PDF_WORD)], [item.slug])
