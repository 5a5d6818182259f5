from django.core.cache import cache
from django.test import RequestFactory, SimpleTestCase

from shelf.ops import throttle


class ThrottleTestCase(SimpleTestCase):
    def setUp(self):
        cache.clear()
        self.factory = RequestFactory()

    def request(self, address="203.0.113.7"):
        return self.factory.post("/", REMOTE_ADDR=address)

    def test_it_allows_up_to_the_limit_then_refuses(self):
        allowed = [throttle.hit(self.request(), "suggest", limit=3) for _ in range(5)]
        self.assertEqual(allowed, [True, True, True, False, False])

    def test_it_counts_each_address_and_scope_apart(self):
        for _ in range(3):
            throttle.hit(self.request(), "suggest", limit=3)
        self.assertFalse(throttle.hit(self.request(), "suggest", limit=3))
        self.assertTrue(throttle.hit(self.request("198.51.100.1"), "suggest", limit=3))
        self.assertTrue(throttle.hit(self.request(), "follow", limit=3))

    def test_it_keeps_no_address_in_the_key(self):
        key = throttle.visitor_key(self.request(), "suggest", 3600)
        self.assertNotIn("203.0.113.7", key)

    def test_it_changes_the_key_with_the_window(self):
        now = 1_000_000.0
        first = throttle.visitor_key(self.request(), "suggest", 3600, now=now)
        same = throttle.visitor_key(self.request(), "suggest", 3600, now=now + 10)
        later = throttle.visitor_key(self.request(), "suggest", 3600, now=now + 3600)
        self.assertEqual(first, same)
        self.assertNotEqual(first, later)
