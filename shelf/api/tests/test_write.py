import json

from django.core.cache import cache
from django.test import override_settings

from shelf.api.models import ApiToken
from shelf.catalogue.models import Resource, Status, Visibility
from shelf.curation.models import AuditEvent
from shelf.curation.tests.base import CurationTestCase, make_resource, term
from shelf.files.models import ResourceFile
from shelf.files.tests import samples
from shelf.files.tests.base import TemporaryFileStorage


def issue(user, name="script") -> str:
    token = ApiToken(user=user, name=name)
    secret = token.issue()
    token.save()
    return secret


class WriteTestCase(TemporaryFileStorage, CurationTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.parents = term("audience", "parents", "Parents")
        cls.online = term("topic", "online-safety", "Online safety")
        cls.published = make_resource("Published guide", slug="published-guide")
        cls.tokens = {
            who: issue(getattr(cls, who)) for who in ("member", "editor", "reviewer", "admin")
        }

    def setUp(self):
        cache.clear()

    def call(self, method, url, data=None, who="editor", status=None, **extra):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.tokens[who]}"} if who else {}
        body = json.dumps(data) if data is not None else ""
        response = getattr(self.client, method)(
            url, body, content_type="application/json", **headers, **extra
        )
        if status is not None:
            self.assertEqual(response.status_code, status, response.content[:300])
        return response


class TokenTests(WriteTestCase):
    def test_it_stores_only_a_digest(self):
        token = ApiToken.objects.get(user=self.editor)
        secret = self.tokens["editor"]
        self.assertTrue(secret.startswith("shelf_"))
        self.assertNotIn(secret, json.dumps(list(ApiToken.objects.values()), default=str))
        self.assertEqual(ApiToken.objects.for_secret(secret), token)
        self.assertTrue(secret.startswith(token.prefix))

    def test_a_token_reads_as_its_account(self):
        make_resource("Members briefing", visibility=Visibility.MEMBERS)
        anonymous = self.client.get("/api/v1/resources").json()
        member = self.call("get", "/api/v1/resources", who="member", status=200)
        self.assertEqual(member.json()["count"], anonymous["count"] + 1)
        self.assertEqual(member["Cache-Control"], "private, no-cache")

    def test_it_refuses_wrong_and_revoked_tokens(self):
        for header in ("Bearer shelf_wrong", "Bearer nothing", "bearer ", "Bearer"):
            with self.subTest(header=header):
                r = self.client.get("/api/v1/resources", HTTP_AUTHORIZATION=header)
                self.assertEqual(r.status_code, 401)
                self.assertIn("Bearer", r["WWW-Authenticate"])
        # Another scheme (a proxy's Basic authentication) is not Shelf's to judge.
        r = self.client.get("/api/v1/resources", HTTP_AUTHORIZATION="Basic YTpi")
        self.assertEqual(r.status_code, 200)
        ApiToken.objects.filter(user=self.editor).update(revoked="2026-01-01T00:00Z")
        self.call("post", "/api/v1/resources", {"title": "x"}, status=401)
        self.reviewer.is_active = False
        self.reviewer.save()
        self.call("get", "/api/v1/resources", who="reviewer", status=401)

    @override_settings(SHELF_API_RATE_LIMIT=3)
    def test_it_limits_requests_per_token(self):
        for _n in range(3):
            self.call("get", "/api/v1/resources", status=200)
        r = self.call("get", "/api/v1/resources", status=429)
        self.assertGreater(int(r["Retry-After"]), 0)
        # Another token has its own allowance.
        self.call("get", "/api/v1/resources", who="member", status=200)

    def test_administrators_create_tokens_in_the_admin_and_see_them_once(self):
        self.client.force_login(self.admin)
        r = self.client.post(
            "/admin/api/apitoken/add/", {"user": self.member.pk, "name": "partner feed"}
        )
        self.assertEqual(r.status_code, 200)
        token = ApiToken.objects.get(name="partner feed")
        page = r.content.decode()
        secret = page.split('<code class="api-token">')[1].split("</code>")[0]
        self.assertEqual(ApiToken.objects.for_secret(secret), token)
        self.assertIn("no-store", r["Cache-Control"])
        change = self.client.get(f"/admin/api/apitoken/{token.pk}/change/").content.decode()
        self.assertNotIn(secret, change)
        self.assertTrue(AuditEvent.objects.filter(action="token created").exists())

        self.client.post(
            "/admin/api/apitoken/",
            {"action": "revoke", "_selected_action": [token.pk]},
        )
        token.refresh_from_db()
        self.assertIsNotNone(token.revoked)
        self.assertIsNone(ApiToken.objects.for_secret(secret))
        self.assertTrue(AuditEvent.objects.filter(action="token revoked").exists())

    def test_editors_cannot_manage_tokens(self):
        self.client.force_login(self.editor)
        self.assertEqual(self.client.get("/admin/api/apitoken/").status_code, 403)


class CreateTests(WriteTestCase):
    payload = {
        "title": "Keeping children safe online",
        "summary": "For parents.",
        "date": "2021-03",
        "language": "en",
        "source_url": "https://publisher.example/guide",
        "terms": {"audience": ["parents"], "topic": ["online-safety"]},
        "supersedes": "published-guide",
    }

    def test_an_editor_creates_a_draft(self):
        r = self.call("post", "/api/v1/resources", self.payload, status=201)
        data = r.json()
        self.assertEqual(data["status"], "draft")
        self.assertEqual(data["date"], "2021-03")
        self.assertEqual(data["supersedes"], "published-guide")
        self.assertEqual([t["slug"] for t in data["terms"]["audience"]], ["parents"])
        self.assertTrue(r["Location"].endswith(f"/api/v1/resources/{data['slug']}"))
        resource = Resource.objects.get(slug=data["slug"])
        self.assertEqual(resource.status, Status.DRAFT)
        # One revision, with its author and its terms.
        revision = resource.history.get()
        self.assertEqual(revision.history_user, self.editor)
        self.assertEqual(len(revision.terms.all()), 2)
        event = AuditEvent.objects.get(action="create", target_id=str(resource.pk))
        self.assertEqual(event.actor, self.editor)
        # Not public until a reviewer publishes it.
        self.assertEqual(self.client.get(f"/api/v1/resources/{data['slug']}").status_code, 404)

    def test_an_editors_token_never_publishes(self):
        r = self.call("post", "/api/v1/resources", {"title": "X", "action": "publish"}, status=403)
        self.assertIn("may not publish", r.json()["error"])
        self.assertFalse(Resource.objects.filter(title="X").exists())

    def test_a_reviewers_token_publishes(self):
        r = self.call(
            "post", "/api/v1/resources", {"title": "Y", "action": "publish"}, who="reviewer"
        )
        self.assertEqual(r.json()["status"], "published")
        self.assertEqual(self.client.get(f"/api/v1/resources/{r.json()['slug']}").status_code, 200)
        self.assertTrue(AuditEvent.objects.filter(action="publish").exists())

    def test_a_member_token_writes_nothing(self):
        self.call("post", "/api/v1/resources", self.payload, who="member", status=403)
        self.call(
            "patch", "/api/v1/resources/published-guide", {"title": "x"}, who="member", status=403
        )
        self.assertEqual(Resource.objects.count(), 1)

    def test_it_refuses_bad_values_with_the_reason(self):
        cases = [
            ({}, "title"),
            ({"title": ""}, "title"),
            ({"title": "x" * 501}, "the title must be 1 to 500 characters"),
            ({"title": "T", "date": "May 2020"}, "date"),
            ({"title": "T", "language": "english!"}, "BCP 47"),
            ({"title": "T", "source_url": "not a url"}, "is not a URL"),
            ({"title": "T", "visibility": "secret"}, "visibility"),
            ({"title": "T", "terms": {"audience": ["nobody"]}}, "Unknown audience: nobody"),
            ({"title": "T", "terms": {"colour": ["red"]}}, "Unknown vocabulary"),
            ({"title": "T", "translations": ["missing"]}, "missing"),
            ({"title": "T", "slug": "published-guide"}, "slug"),
            ({"title": "T", "slug": "Not A Slug"}, "is not a slug"),
            ({"title": "T", "colour": "red"}, "colour"),
            ({"title": 5}, "title"),
            ([1, 2], "JSON object"),
        ]
        for payload, reason in cases:
            with self.subTest(payload=payload):
                r = self.call("post", "/api/v1/resources", payload, status=400)
                self.assertIn(reason, json.dumps(r.json(), ensure_ascii=False))
        self.assertEqual(Resource.objects.count(), 1)

    def test_it_wants_json(self):
        r = self.client.post(
            "/api/v1/resources",
            "title=x",
            content_type="application/x-www-form-urlencoded",
            HTTP_AUTHORIZATION=f"Bearer {self.tokens['editor']}",
        )
        self.assertEqual(r.status_code, 400)
        r = self.client.post(
            "/api/v1/resources",
            "{not json",
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {self.tokens['editor']}",
        )
        self.assertEqual(r.status_code, 400)

    def test_session_writes_need_the_csrf_token_token_writes_do_not(self):
        from django.test import Client

        browser = Client(enforce_csrf_checks=True)
        browser.force_login(self.editor)
        r = browser.post("/api/v1/resources", json.dumps({"title": "S"}), "application/json")
        self.assertEqual(r.status_code, 403)
        self.assertIn("CSRF", r.json()["error"])
        scripted = Client(enforce_csrf_checks=True)
        r = scripted.post(
            "/api/v1/resources",
            json.dumps({"title": "S"}),
            "application/json",
            HTTP_AUTHORIZATION=f"Bearer {self.tokens['editor']}",
        )
        self.assertEqual(r.status_code, 201)


class UpdateTests(WriteTestCase):
    def test_an_editor_changes_fields_and_sends_to_review(self):
        draft = self.call("post", "/api/v1/resources", {"title": "Draft"}, status=201).json()
        url = f"/api/v1/resources/{draft['slug']}"
        r = self.call("patch", url, {"summary": "Now with a summary", "action": "submit"})
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual(
            (r.json()["summary"], r.json()["status"]), ("Now with a summary", "review")
        )
        self.assertEqual(r.json()["title"], "Draft")
        self.call("patch", url, {"action": "publish"}, status=403)
        r = self.call("patch", url, {"action": "publish"}, who="reviewer", status=200)
        self.assertEqual(r.json()["status"], "published")
        self.call("patch", url, {"action": "publish"}, who="reviewer", status=409)

    def test_terms_given_replace_that_vocabulary_only(self):
        self.published.terms.set([self.parents, self.online])
        r = self.call(
            "patch", "/api/v1/resources/published-guide", {"terms": {"audience": []}}, status=200
        )
        terms = r.json()["terms"]
        self.assertEqual(
            (terms["audience"], [t["slug"] for t in terms["topic"]]), ([], ["online-safety"])
        )

    def test_visibility_of_a_published_item_is_a_reviewers_decision(self):
        url = "/api/v1/resources/published-guide"
        self.call("patch", url, {"visibility": "members"}, status=403)
        self.call("patch", url, {"visibility": "members"}, who="reviewer", status=200)
        self.published.refresh_from_db()
        self.assertEqual(self.published.visibility, Visibility.MEMBERS)

    def test_it_answers_404_only_to_those_who_may_edit(self):
        self.call("patch", "/api/v1/resources/nothing", {"title": "x"}, status=404)
        self.call("patch", "/api/v1/resources/nothing", {"title": "x"}, who="member", status=403)
        self.call(
            "patch", "/api/v1/resources/published-guide", {"title": "x"}, who=None, status=401
        )


class UploadTests(WriteTestCase):
    def upload(self, name, data, who="editor", slug="published-guide"):
        return self.client.post(
            f"/api/v1/resources/{slug}/files",
            {"file": samples.upload(name, data)},
            HTTP_AUTHORIZATION=f"Bearer {self.tokens[who]}",
        )

    def test_an_editor_attaches_a_file(self):
        r = self.upload("guide.pdf", samples.pdf(["Hello"]))
        self.assertEqual(r.status_code, 201, r.content)
        item = ResourceFile.objects.get(pk=r.json()["id"])
        self.assertEqual((item.filename, item.uploaded_by), ("guide.pdf", self.editor))
        self.assertEqual(r.json()["content_type"], "application/pdf")
        self.assertTrue(AuditEvent.objects.filter(action="upload").exists())

    def test_it_refuses_what_the_admin_refuses(self):
        r = self.upload("page.html", b"<html><script>alert(1)</script></html>")
        self.assertEqual(r.status_code, 400)
        self.assertEqual(
            self.upload("guide.pdf", samples.pdf(["A"]), who="member").status_code, 403
        )
        r = self.client.post(
            "/api/v1/resources/published-guide/files",
            {},
            HTTP_AUTHORIZATION=f"Bearer {self.tokens['editor']}",
        )
        self.assertEqual(r.status_code, 400)
        self.assertEqual(ResourceFile.objects.count(), 0)
