import io
from unittest import mock

from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from shelf.curation.models import AuditEvent
from shelf.curation.roles import role_of
from shelf.curation.tests.base import CurationTestCase


class CreateUserTestCase(CurationTestCase):
    def run_command(self, *args, stdin=""):
        out = io.StringIO()
        with mock.patch("sys.stdin", io.StringIO(stdin)):
            call_command("createuser", *args, stdout=out)
        return out.getvalue()

    def test_it_creates_an_editor_and_prints_a_generated_password_once(self):
        out = self.run_command("--role", "editor", "--username", "nora", "--email", "n@example.org")
        password = out.split("Password: ")[1].strip()
        user = User.objects.get(username="nora")
        self.assertTrue(user.check_password(password))
        self.assertEqual(role_of(user), "editor")
        self.assertTrue(user.is_staff)
        self.assertEqual(user.email, "n@example.org")
        self.assertTrue(
            AuditEvent.objects.filter(action="user created", target_id=str(user.pk)).exists()
        )

    def test_it_reads_the_password_from_stdin(self):
        out = self.run_command(
            "--role",
            "member",
            "--username",
            "max",
            "--password-from-stdin",
            stdin="tulip-orbit-9\n",
        )
        self.assertNotIn("Password:", out)
        user = User.objects.get(username="max")
        self.assertTrue(user.check_password("tulip-orbit-9"))
        self.assertFalse(user.is_staff)

    def test_it_refuses_weak_passwords_duplicates_and_unknown_roles(self):
        with self.assertRaisesMessage(CommandError, "too common"):
            self.run_command(
                "--role", "member", "--username", "x", "--password-from-stdin", stdin="password\n"
            )
        with self.assertRaisesMessage(CommandError, "already exists"):
            self.run_command("--role", "member", "--username", "ed")
        with self.assertRaises(CommandError):
            self.run_command("--role", "overlord", "--username", "y")
        self.assertFalse(User.objects.filter(username__in=["x", "y"]).exists())
