"""The base test case: named personas, created once per class."""

from django.contrib.auth.models import User
from django.test import TestCase


class BaseTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        # Anonymous readers need no account; members sign in.
        cls.alice = User.objects.create_user("alice", "alice@example.org", "password")
