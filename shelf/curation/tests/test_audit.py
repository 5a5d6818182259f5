from django.contrib.auth.models import Group, User
from django.test import override_settings

from shelf.catalogue.models import Resource
from shelf.curation import audit
from shelf.curation.models import AppendOnlyError, AuditEvent
from shelf.curation.tests.base import CurationTestCase, make_resource


class AuditLogTestCase(CurationTestCase):
    def test_it_records_an_event_with_actor_target_and_details(self):
        resource = make_resource("Guide for parents")
        event = audit.record(self.editor, audit.UPLOAD, resource, file="guide.pdf", pages=12)
        event.refresh_from_db()
        self.assertEqual(event.actor, self.editor)
        self.assertEqual(event.actor_name, "ed")
        self.assertEqual(event.target_type, "catalogue.resource")
        self.assertEqual(event.target_id, str(resource.pk))
        self.assertEqual(event.target_repr, "Guide for parents")
        self.assertEqual(event.details, {"file": "guide.pdf", "pages": 12})

    def test_it_records_system_events_without_an_actor(self):
        event = audit.record(None, audit.IMPORT, file="listing.txt", created=7)
        self.assertIsNone(event.actor)
        self.assertEqual(event.actor_name, "")
        self.assertEqual(event.target_type, "")

    def test_it_refuses_to_change_or_delete_events(self):
        event = audit.record(None, audit.IMPORT)
        event.action = "something else"
        attempts = {
            "save": event.save,
            "delete": event.delete,
            "queryset update": lambda: AuditEvent.objects.update(action="x"),
            "queryset delete": lambda: AuditEvent.objects.all().delete(),
        }
        for name, attempt in attempts.items():
            with self.subTest(name), self.assertRaises(AppendOnlyError):
                attempt()
        self.assertEqual(AuditEvent.objects.get(pk=event.pk).action, audit.IMPORT)

    def test_it_keeps_events_of_deleted_accounts(self):
        audit.record(self.editor, audit.UPLOAD)
        User.objects.filter(pk=self.editor.pk).delete()
        event = AuditEvent.objects.get(action=audit.UPLOAD)
        self.assertEqual(event.actor_name, "ed")
        self.assertEqual(event.actor_id, self.editor.pk)

    def test_it_records_deletions(self):
        resource = make_resource("Old checklist")
        resource.delete()
        event = AuditEvent.objects.get(action=audit.DELETE)
        self.assertEqual(event.target_repr, "Old checklist")

    def test_it_records_role_changes(self):
        self.member.groups.add(Group.objects.get(name="editor"))
        event = (
            AuditEvent.objects.filter(action=audit.ROLE_CHANGE, target_id=str(self.member.pk))
            .order_by("id")
            .last()
        )
        self.assertEqual(event.details, {"added": ["editor"]})
        self.member.is_superuser = True
        self.member.save()
        event = AuditEvent.objects.filter(action=audit.ROLE_CHANGE).order_by("id").last()
        self.assertEqual(event.details, {"superuser": True, "active": True})

    def test_it_records_removal_of_every_role_at_once(self):
        self.reviewer.groups.clear()
        event = AuditEvent.objects.filter(action=audit.ROLE_CHANGE).order_by("id").last()
        self.assertEqual(event.details, {"removed": ["reviewer"]})
        self.assertFalse(User.objects.get(pk=self.reviewer.pk).is_staff)

    def test_it_names_who_made_a_change_through_the_admin(self):
        self.client.force_login(self.admin)
        self.client.post(
            f"/admin/catalogue/resource/{make_resource('To remove').pk}/delete/", {"post": "yes"}
        )
        event = AuditEvent.objects.get(action=audit.DELETE)
        self.assertEqual(event.actor, self.admin)
        self.assertFalse(Resource.objects.filter(title="To remove").exists())


class AuditAdminTestCase(CurationTestCase):
    def test_it_shows_the_log_to_admins_read_only_even_to_superusers(self):
        event = audit.record(self.editor, audit.UPLOAD, file="a.pdf")
        root = User.objects.create_superuser("root", "root@example.org", "x")
        for user in (self.admin, root):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                r = self.client.get("/admin/curation/auditevent/")
                self.assertContains(r, "upload")
                r = self.client.post(
                    f"/admin/curation/auditevent/{event.pk}/delete/", {"post": "yes"}
                )
                self.assertEqual(r.status_code, 403)
                r = self.client.get("/admin/curation/auditevent/add/")
                self.assertEqual(r.status_code, 403)
        self.assertTrue(AuditEvent.objects.filter(pk=event.pk).exists())

    def test_it_hides_the_log_from_editors(self):
        self.client.force_login(self.editor)
        r = self.client.get("/admin/curation/auditevent/")
        self.assertEqual(r.status_code, 403)


@override_settings(AXES_FAILURE_LIMIT=3)
class SignInTestCase(CurationTestCase):
    def sign_in(self, password, username="ed"):
        return self.client.post("/accounts/login/", {"username": username, "password": password})

    def test_the_sign_in_page_extends_the_site_and_has_csrf(self):
        r = self.client.get("/accounts/login/")
        self.assertContains(r, "csrfmiddlewaretoken")
        self.assertContains(r, 'id="main"')

    def test_it_signs_in_and_records_it(self):
        r = self.sign_in("correct horse battery")
        self.assertRedirects(r, "/resources/", fetch_redirect_response=False)
        event = AuditEvent.objects.get(action=audit.SIGN_IN)
        self.assertEqual(event.actor, self.editor)

    def test_it_records_failed_sign_ins_without_the_password(self):
        r = self.sign_in("wrong password")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "did not match")
        event = AuditEvent.objects.get(action=audit.SIGN_IN_FAILED)
        self.assertEqual(event.details, {"username": "ed"})
        self.assertNotIn("wrong password", str(event.details))

    def test_it_locks_the_sign_in_after_too_many_failures(self):
        for _ in range(3):
            self.sign_in("wrong password")
        r = self.sign_in("correct horse battery")
        self.assertEqual(r.status_code, 429)
        self.assertContains(r, "Sign-in locked", status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertTrue(AuditEvent.objects.filter(action=audit.SIGN_IN_LOCKED).exists())

    def test_axes_keeps_the_address_of_failures_but_never_the_password(self):
        from axes.models import AccessAttempt

        self.sign_in("hunter2-wrong")
        attempt = AccessAttempt.objects.get()
        self.assertEqual((attempt.username, attempt.ip_address), ("ed", "127.0.0.1"))
        self.assertNotIn("hunter2", attempt.post_data)
        self.sign_in("correct horse battery")
        self.assertEqual(AccessAttempt.objects.count(), 0)

    def test_behind_a_proxy_it_reads_the_address_the_proxy_saw(self):
        from axes.helpers import get_client_ip_address
        from django.test import RequestFactory

        def address(forwarded_for: str) -> str:
            request = RequestFactory().post(
                "/accounts/login/", HTTP_X_FORWARDED_FOR=forwarded_for, REMOTE_ADDR="10.0.0.1"
            )
            return get_client_ip_address(request)

        behind_one_proxy = {
            "AXES_IPWARE_META_PRECEDENCE_ORDER": ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"],
            "AXES_IPWARE_PROXY_COUNT": 0,
        }
        with self.settings(**behind_one_proxy):
            self.assertEqual(address("203.0.113.9"), "203.0.113.9")
            # A client that sends its own header does not get to choose.
            self.assertEqual(address("6.6.6.6, 203.0.113.9"), "10.0.0.1")
        with self.settings(AXES_IPWARE_META_PRECEDENCE_ORDER=["REMOTE_ADDR"]):
            self.assertEqual(address("6.6.6.6"), "10.0.0.1")

    def test_it_locks_the_admin_sign_in_too(self):
        for _ in range(3):
            self.client.post("/admin/login/", {"username": "ed", "password": "nope"})
        r = self.client.post(
            "/admin/login/", {"username": "ed", "password": "correct horse battery"}
        )
        self.assertEqual(r.status_code, 429)

    def test_anonymous_browsing_records_nothing(self):
        from axes.models import AccessAttempt, AccessLog

        self.client.get("/resources/")
        self.client.get("/accounts/login/")
        self.assertEqual(AccessAttempt.objects.count(), 0)
        self.assertEqual(AccessLog.objects.count(), 0)
        self.assertEqual(
            AuditEvent.objects.exclude(action__in=["user created", "role change"]).count(), 0
        )

    def test_it_signs_out_only_by_post_and_records_it(self):
        self.client.force_login(self.editor)
        self.assertEqual(self.client.get("/accounts/logout/").status_code, 405)
        r = self.client.post("/accounts/logout/")
        self.assertRedirects(r, "/resources/", fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertTrue(
            AuditEvent.objects.filter(action=audit.SIGN_OUT, actor=self.editor).exists()
        )

    def test_the_sign_in_form_rejects_posts_without_csrf(self):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        r = client.post("/accounts/login/", {"username": "ed", "password": "correct horse battery"})
        self.assertEqual(r.status_code, 403)


class DatabaseAppendOnlyTestCase(CurationTestCase):
    """Below Django: raw SQL, as another program sharing the database would send."""

    def test_postgresql_refuses_update_and_delete_of_events(self):
        from unittest import SkipTest

        from django.db import DatabaseError, connection, transaction

        if connection.vendor != "postgresql":
            raise SkipTest("the trigger is PostgreSQL's; SQLite relies on the model")
        event = audit.record(None, audit.IMPORT)
        statements = [
            "UPDATE curation_auditevent SET action = 'forged' WHERE id = %s",
            "DELETE FROM curation_auditevent WHERE id = %s",
        ]
        for sql in statements:
            with (
                self.subTest(sql),
                self.assertRaises(DatabaseError) as caught,
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(sql, [event.pk])
            self.assertIn("append-only", str(caught.exception))
        self.assertEqual(AuditEvent.objects.get(pk=event.pk).action, audit.IMPORT)
        # Appending still works.
        audit.record(None, audit.IMPORT)
        self.assertEqual(AuditEvent.objects.filter(action=audit.IMPORT).count(), 2)
