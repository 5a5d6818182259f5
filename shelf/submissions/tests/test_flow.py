"""A suggestion's whole path: the form, the confirmation link, the queue,
a curator's decision, the e-mails to the sender, a reviewer publishing."""

from __future__ import annotations

from django.core import mail

from shelf.catalogue.models import Status
from shelf.curation.models import AuditEvent
from shelf.curation.roles import PARTNER
from shelf.curation.tests.base import make_resource, person
from shelf.files.models import ResourceFile
from shelf.files.tests import samples
from shelf.submissions import services
from shelf.submissions.models import State, Submission
from shelf.submissions.tests.base import SUGGEST, SuggestionTestCase, confirmation_link


class SuggestionPathTest(SuggestionTestCase):
    def suggest_and_confirm(self, path=SUGGEST, **changes) -> Submission:
        response = self.send(path, **changes)
        self.assertEqual(response.status_code, 302, getattr(response, "context", None))
        submission = Submission.objects.get()
        self.assertEqual(submission.state, State.UNCONFIRMED)
        link = confirmation_link(mail.outbox[-1])
        self.assertEqual(self.client.get(link).status_code, 200)
        self.assertEqual(Submission.objects.queue().count(), 0, "not in the queue before")
        self.assertEqual(self.client.post(link).status_code, 200)
        submission.refresh_from_db()
        self.assertEqual(submission.state, State.PENDING)
        return submission

    def decide(self, who, submission, action, data=None):
        self.client.force_login(who)
        url = f"/admin/submissions/submission/{submission.pk}/decide/{action}/"
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(url, data or {})

    def test_it_takes_a_suggestion_from_the_form_to_a_published_item(self):
        pdf = samples.pdf(["Coaching safely\nA guide for sports clubs."])
        upload = samples.upload("sport-guide.pdf", pdf)
        submission = self.suggest_and_confirm(
            file=upload, terms_setting=[self.schools.pk], terms_audience=[self.coaches.pk]
        )
        self.assertEqual(submission.state, State.PENDING)
        self.assertEqual(submission.filename, "sport-guide.pdf")
        self.assertFalse(self.new_items().exists(), "a suggestion is never a resource")

        self.client.force_login(self.editor)
        self.assertContains(self.client.get("/admin/"), "/admin/submissions/submission/")
        queue = self.client.get("/admin/submissions/submission/")
        self.assertContains(queue, submission.title)
        response = self.decide(self.editor, submission, "accept")
        draft = self.new_items().get()
        self.assertRedirects(response, f"/admin/catalogue/resource/{draft.pk}/change/")
        self.assertEqual(draft.status, Status.DRAFT)
        self.assertEqual(draft.title, "Keeping children safe in sport")
        self.assertEqual(draft.source_url, "https://example.org/sport-guide")
        labels = {(t.vocabulary, t.label) for t in draft.terms.all()}
        self.assertLessEqual(
            {
                ("setting", "Schools"),
                ("audience", "Coaches"),
                ("publisher", "Sport Safe Network"),
                ("language", "English"),
            },
            labels,
        )
        attached = ResourceFile.objects.get(resource=draft)
        with attached.file.open("rb") as handle:
            self.assertEqual(handle.read(), pdf)
        submission.refresh_from_db()
        self.assertEqual((submission.state, submission.resource), (State.ACCEPTED, draft))
        self.assertFalse(submission.file, "the copy went; the file lives with the resource")
        event = AuditEvent.objects.get(action=services.ACCEPTED)
        self.assertEqual((event.actor, event.target_id), (self.editor, str(draft.pk)))
        self.assertEqual(event.details["submission"], submission.pk)
        self.assertEqual(mail.outbox[-1].to, ["sender@example.net"])
        self.assertIn("accepted", mail.outbox[-1].body)

        # Not public yet; a reviewer publishes it as any draft.
        self.client.logout()
        self.assertEqual(self.client.get(draft.get_absolute_url()).status_code, 404)
        self.client.force_login(self.editor)
        publish = f"/admin/catalogue/resource/{draft.pk}/workflow/publish/"
        self.assertEqual(self.client.post(publish).status_code, 403, "editors do not publish")
        self.client.force_login(self.reviewer)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(publish)
        draft.refresh_from_db()
        self.assertEqual(draft.status, Status.PUBLISHED)
        self.client.logout()
        self.assertContains(self.client.get(draft.get_absolute_url()), draft.title)
        listing = self.client.get("/resources/", {"q": "coaching safely"})
        self.assertContains(listing, draft.title)

    def test_it_merges_a_suggestion_into_an_item_the_catalogue_has(self):
        existing = make_resource("Keeping children safe in sport (2019)", source_url="")
        pdf = samples.pdf(["The sport guide"])
        submission = self.suggest_and_confirm(file=samples.upload("guide.pdf", pdf))
        self.client.force_login(self.editor)
        page = self.client.get(f"/admin/submissions/submission/{submission.pk}/decide/merge/")
        self.assertContains(page, existing.title)  # offered as a possible match
        mail.outbox = []
        response = self.decide(self.editor, submission, "merge", {"target": existing.pk})
        self.assertRedirects(response, f"/admin/catalogue/resource/{existing.pk}/change/")
        existing.refresh_from_db()
        self.assertEqual(existing.source_url, "https://example.org/sport-guide")
        self.assertEqual(ResourceFile.objects.get().resource, existing)
        self.assertEqual(self.new_items().count(), 1, "no new item")
        submission.refresh_from_db()
        self.assertEqual((submission.state, submission.resource), (State.MERGED, existing))
        event = AuditEvent.objects.get(action=services.MERGED)
        self.assertEqual(event.target_id, str(existing.pk))
        self.assertIn(existing.get_absolute_url(), mail.outbox[0].body)

    def test_it_merges_by_slug_and_keeps_the_items_own_link(self):
        existing = make_resource("Another title", source_url="https://example.org/own")
        submission = self.suggest_and_confirm()
        response = self.decide(self.editor, submission, "merge", {"slug": existing.slug})
        self.assertEqual(response.status_code, 302)
        existing.refresh_from_db()
        self.assertEqual(existing.source_url, "https://example.org/own")
        messages = [str(m) for m in response.wsgi_request._messages]
        self.assertTrue(any("already links" in m for m in messages), messages)

    def test_it_rejects_with_a_reason_told_in_the_senders_language(self):
        submission = self.suggest_and_confirm(path="/fr/suggest/")
        self.assertEqual(submission.interface_language, "fr")
        self.assertIn("Confirmez", mail.outbox[0].subject)
        self.assertIn("/fr/suggest/confirm/", mail.outbox[0].body)
        mail.outbox = []
        empty = self.decide(self.editor, submission, "reject", {"reason": "  "})
        self.assertEqual(empty.status_code, 200, "a reason is required")
        response = self.decide(self.editor, submission, "reject", {"reason": "Out of scope."})
        self.assertRedirects(response, "/admin/submissions/submission/")
        submission.refresh_from_db()
        self.assertEqual((submission.state, submission.reason), (State.REJECTED, "Out of scope."))
        self.assertFalse(self.new_items().exists())
        [message] = mail.outbox
        self.assertEqual(message.to, ["sender@example.net"])
        self.assertIn("Non ajoutée", message.subject)
        self.assertIn("Out of scope.", message.body)
        self.assertIn("Motif", message.body)
        self.assertTrue(AuditEvent.objects.filter(action=services.REJECTED).exists())

    def test_it_decides_once(self):
        submission = self.suggest_and_confirm()
        self.decide(self.editor, submission, "reject", {"reason": "Spam."})
        response = self.decide(self.editor, submission, "accept")
        self.assertFalse(self.new_items().exists())
        messages = [str(m) for m in response.wsgi_request._messages]
        self.assertTrue(any("no longer waiting" in m for m in messages), messages)

    def test_it_lets_only_curators_decide(self):
        submission = self.suggest_and_confirm()
        response = self.decide(self.member, submission, "accept")
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])
        with self.assertRaises(services.PermissionDenied):
            services.accept(submission, self.member)
        self.assertFalse(self.new_items().exists())

    def test_it_lets_a_partner_skip_the_queue(self):
        partner = person("pat", PARTNER)
        self.assertFalse(partner.is_staff)
        self.client.force_login(partner)
        response = self.send(title="Partner guide")
        self.assertRedirects(response, "/suggest/sent/?draft=1")
        draft = self.new_items().get()
        self.assertEqual((draft.title, draft.status), ("Partner guide", Status.DRAFT))
        submission = Submission.objects.get()
        self.assertEqual((submission.state, submission.resource), (State.ACCEPTED, draft))
        event = AuditEvent.objects.get(action=services.ACCEPTED)
        self.assertEqual((event.actor, event.details["direct"]), (partner, True))
        self.assertEqual(mail.outbox, [], "no confirmation for a known account")

    def test_it_sends_a_members_suggestion_to_the_queue(self):
        self.client.force_login(self.member)
        self.send()
        self.assertEqual(Submission.objects.get().state, State.UNCONFIRMED)
        self.assertFalse(self.new_items().exists())
