"""Oversized sign-in fields are a failed sign-in, never a database error
(PostgreSQL refused axes' record of a 5,000-character username)."""

from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import override_settings

from shelf.test import BaseTestCase

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@override_settings(PASSWORD_HASHERS=FAST_HASHERS)
class SignInLimitsTestCase(BaseTestCase):
    def test_it_refuses_a_huge_username_as_a_failed_sign_in(self):
        for path in ("/accounts/login/", "/admin/login/"):
            with self.subTest(path):
                response = self.client.post(path, {"username": "a" * 5000, "password": "x"})
                self.assertEqual(response.status_code, 200)
                self.assertNotIn("_auth_user_id", self.client.session)
        attempt = AccessAttempt.objects.get()
        self.assertEqual(attempt.username, "a" * 150)
        self.assertEqual(attempt.failures_since_start, 2)

    def test_it_still_locks_out_by_the_username_as_typed(self):
        User.objects.create_user("bob", "bob@example.org", "right")
        for _ in range(5):
            self.client.post("/accounts/login/", {"username": "bob", "password": "wrong"})
        response = self.client.post("/accounts/login/", {"username": "bob", "password": "right"})
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertEqual(AccessAttempt.objects.get().username, "bob")
        self.assertNotEqual(response.status_code, 302)
