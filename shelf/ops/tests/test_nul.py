"""NUL characters anywhere in a request: a 400, never a database error.

PostgreSQL refuses NUL in text, so these were 500s there; SQLite stored them."""

from urllib.parse import urlencode

from django.contrib.auth.models import User
from django.test import override_settings

from shelf.catalogue.factories import make_catalogue
from shelf.test import BaseTestCase

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@override_settings(PASSWORD_HASHERS=FAST_HASHERS)
class NulTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_catalogue()
        cls.admin = User.objects.create_superuser("root", "root@example.org", "password")

    def assertRefused(self, response, *, json: bool):
        self.assertEqual(response.status_code, 400, response.content[:300])
        if json:
            self.assertEqual(response["Content-Type"], "application/json")
            self.assertIn("NUL", response.json()["error"])

    def test_it_refuses_nul_in_addresses(self):
        for url in [
            "/resources/%00/",
            "/resources/a%00b/",
            "/files/1/a%00.pdf",
            "/files/1/%00",
            "/admin/catalogue/resource/%00/change/",
            "/%00",
        ]:
            with self.subTest(url):
                self.assertRefused(self.client.get(url), json=False)

    def test_the_api_refuses_nul_in_json(self):
        for url in [
            "/api/v1/resources/a%00b",
            "/api/v1/resources/%00",
            "/api/v1/resources?q=%00",
            "/api/v1/resources?topic=%00",
            "/api/v1/resources?%00=1",
            "/api/v1/resources?page=1%00",
        ]:
            with self.subTest(url):
                self.assertRefused(self.client.get(url), json=True)

    def test_it_refuses_nul_in_parameters(self):
        for url in [
            "/resources/?q=a%00b",
            "/resources/?audience=par%00ents",
            "/resources/?sort=%00",
            "/resources/?page=%00",
        ]:
            with self.subTest(url):
                self.assertRefused(self.client.get(url), json=False)

    def test_it_refuses_nul_in_the_admin_search(self):
        self.client.force_login(self.admin)
        for url in [
            "/admin/catalogue/resource/?q=%00",
            "/admin/auth/user/?q=a%00",
            "/admin/catalogue/resource/?status__exact=%00",
        ]:
            with self.subTest(url):
                self.assertRefused(self.client.get(url), json=False)

    def test_it_refuses_nul_in_the_sign_in_form(self):
        for data in [
            {"username": "alice\x00", "password": "password"},
            {"username": "alice", "password": "pass\x00word"},
            {"username\x00": "alice", "password": "password"},
        ]:
            with self.subTest(data):
                response = self.client.post("/accounts/login/", data)
                self.assertRefused(response, json=False)
                self.assertNotIn("_auth_user_id", self.client.session)
                body = urlencode(data)
                form = "application/x-www-form-urlencoded"
                response = self.client.post("/accounts/login/", body, content_type=form)
                self.assertRefused(response, json=False)
                self.assertNotIn("_auth_user_id", self.client.session)

    def test_it_refuses_nul_in_cookies_and_headers(self):
        self.client.cookies["sessionid"] = "abc\x00def"
        self.assertRefused(self.client.get("/resources/"), json=False)
        self.client.cookies.clear()
        response = self.client.post(
            "/accounts/login/",
            {"username": "alice", "password": "wrong"},
            HTTP_USER_AGENT="probe\x00",
        )
        self.assertRefused(response, json=False)

    def test_it_still_serves_the_same_addresses_without_nul(self):
        self.assertEqual(self.client.get("/resources/?q=child").status_code, 200)
        self.assertEqual(self.client.get("/api/v1/resources?q=child").status_code, 200)
        response = self.client.post(
            "/accounts/login/", {"username": "alice", "password": "password"}
        )
        self.assertEqual(response.status_code, 302)
