"""The OpenAPI document describes every answer the API gives: each request
below is made for real and its answer (status, type, body) is checked
against the document with a JSON Schema validator."""

import json
import re

from django.core.cache import cache
from django.test import override_settings
from django.urls import get_resolver
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate as validate_spec
from referencing import Registry
from referencing import Resource as SchemaResource
from referencing.jsonschema import DRAFT202012

from shelf.api.openapi import document
from shelf.api.tests.test_write import WriteTestCase
from shelf.catalogue.models import Visibility
from shelf.curation.tests.base import make_resource
from shelf.files.tests import samples

BASE = "urn:shelf:openapi"


def pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


class Checker:
    def __init__(self, doc: dict):
        self.doc = doc
        resource = SchemaResource.from_contents(doc, default_specification=DRAFT202012)
        self.registry = Registry().with_resource(BASE, resource)
        self.templates = [
            (re.compile("^" + re.sub(r"\\{[a-z]+\\}", r"[^/]+", re.escape(path)) + "$"), path)
            for path in doc["paths"]
        ]

    def operation(self, path: str) -> str:
        matches = [template for regex, template in self.templates if regex.match(path)]
        # "/resources/download.csv" also fits "/resources/{slug}/..."? No: one each.
        assert len(matches) == 1, (path, matches)
        return matches[0]

    def validate(self, schema_pointer: str, data) -> None:
        schema = {"$ref": f"{BASE}#/{schema_pointer}"}
        Draft202012Validator(
            schema, registry=self.registry, format_checker=FormatChecker()
        ).validate(data)

    def check(self, method: str, path: str, response) -> None:
        template = self.operation(path)
        op = self.doc["paths"][template].get(method)
        assert op is not None, f"{method} {template} is not documented"
        status = str(response.status_code)
        assert status in op["responses"], f"{method} {path}: {status} is not documented"
        content = op["responses"][status].get("content")
        if content is None:
            return
        media = response["Content-Type"].split(";")[0]
        assert media in content, f"{method} {path}: {media} is not documented for {status}"
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if media.endswith("json"):
            where = pointer("paths", template, method, "responses", status, "content", media)
            self.validate(where + "/schema", json.loads(body))


@override_settings(SITE_ROOT="https://shelf.example.org")
class OpenApiTests(WriteTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.members = make_resource(
            "Members briefing",
            slug="members-briefing",
            visibility=Visibility.MEMBERS,
            terms=[cls.parents],
            summary="Members only.",
        )
        cls.published.translations.add(cls.members)

    def setUp(self):
        super().setUp()
        self.doc = document()
        self.checker = Checker(self.doc)

    def test_the_document_is_valid_openapi_3_1(self):
        validate_spec(json.loads(json.dumps(self.doc)))
        served = self.client.get("/api/v1/openapi.json")
        self.assertEqual(served.status_code, 200)
        self.assertEqual(served.json()["openapi"], "3.1.0")

    def test_every_api_address_is_documented(self):
        api = get_resolver().resolve("/api/v1/resources").route
        self.assertEqual(api, "api/v1/resources")
        from shelf.api import urls

        for pattern in urls.urlpatterns:
            path = "/api/v1/" + re.sub(r"<str:(\w+)>", r"{\1}", str(pattern.pattern))
            with self.subTest(path=path):
                self.assertIn(path, self.doc["paths"])

    def test_its_examples_fit_its_schemas(self):
        for path, item in self.doc["paths"].items():
            for method, op in item.items():
                if method == "parameters":
                    continue
                parts = [("requestBody", op.get("requestBody", {}))]
                parts += [(f"responses/{s}", r) for s, r in op["responses"].items()]
                for where, part in parts:
                    for media, content in part.get("content", {}).items():
                        if "example" not in content:
                            continue
                        with self.subTest(path=path, method=method, where=where):
                            at = pointer("paths", path, method) + f"/{where}/content/"
                            self.checker.validate(
                                at + pointer(media) + "/schema", content["example"]
                            )

    def test_live_reads_fit_the_document(self):
        reads = [
            "/api/v1/resources",
            "/api/v1/resources?q=guide",
            "/api/v1/resources?q=gide",
            "/api/v1/resources?audience=parents&sort=title",
            "/api/v1/resources?year=2020&year=1999",
            "/api/v1/resources?page=9",
            "/api/v1/resources?audience=nobody",
            "/api/v1/resources?sort=best",
            "/api/v1/resources?year=20",
            "/api/v1/resources/published-guide",
            "/api/v1/resources/members-briefing",
            "/api/v1/resources/nothing-here",
            "/api/v1/openapi.json",
            "/resources/download.json",
            "/resources/download.csl.json?audience=parents",
            "/resources/download.csv",
            "/resources/download.ris",
            "/resources/download.bib",
            "/resources/download.csv?sort=best",
            "/resources/published-guide/download.json",
            "/resources/published-guide/download.ris",
        ]
        for who in (None, "member"):
            for url in reads:
                path = url.split("?")[0]
                with self.subTest(url=url, who=who):
                    headers = {"HTTP_AUTHORIZATION": f"Bearer {self.tokens[who]}"} if who else {}
                    self.checker.check("get", path, self.client.get(url, **headers))
        response = self.client.get("/api/v1/resources", HTTP_AUTHORIZATION="Bearer shelf_x")
        self.checker.check("get", "/api/v1/resources", response)

    @override_settings(SHELF_API_RATE_LIMIT=1)
    def test_a_throttled_answer_fits_the_document(self):
        cache.clear()
        self.call("get", "/api/v1/resources", status=200)
        self.checker.check("get", "/api/v1/resources", self.call("get", "/api/v1/resources"))

    def test_live_writes_fit_the_document(self):
        writes = [
            (
                "post",
                "/api/v1/resources",
                {"title": "New", "terms": {"audience": ["parents"]}},
                "editor",
            ),
            ("post", "/api/v1/resources", {"title": ""}, "editor"),
            ("post", "/api/v1/resources", {"title": "P", "action": "publish"}, "editor"),
            ("post", "/api/v1/resources", {"title": "Q", "action": "reject"}, "reviewer"),
            ("post", "/api/v1/resources", {"title": "M"}, "member"),
            ("post", "/api/v1/resources", {"title": "M"}, None),
            ("patch", "/api/v1/resources/published-guide", {"summary": "S"}, "editor"),
            ("patch", "/api/v1/resources/published-guide", {"visibility": "members"}, "editor"),
            ("patch", "/api/v1/resources/nothing-here", {"summary": "S"}, "editor"),
        ]
        for method, path, data, who in writes:
            with self.subTest(method=method, path=path, data=data, who=who):
                self.checker.check(method, path, self.call(method, path, data, who=who))
        for who, upload in (
            ("editor", samples.upload("guide.pdf", samples.pdf(["Hello"]))),
            ("editor", samples.upload("page.html", b"<html></html>")),
            ("member", samples.upload("guide.pdf", samples.pdf(["Hello"]))),
        ):
            with self.subTest(upload=upload.name, who=who):
                response = self.client.post(
                    "/api/v1/resources/published-guide/files",
                    {"file": upload},
                    HTTP_AUTHORIZATION=f"Bearer {self.tokens[who]}",
                )
                self.checker.check("post", "/api/v1/resources/published-guide/files", response)

    def test_the_api_page_shows_every_operation_and_object(self):
        html = self.client.get("/api/").content.decode()
        for path, item in self.doc["paths"].items():
            for method in item:
                if method != "parameters":
                    self.assertIn(f"<code>{method.upper()} {path}</code>", html)
        for name in self.doc["components"]["schemas"]:
            self.assertIn(f'id="schema-{name}"', html)
        self.assertNotRegex(html, r"(src|href)=\"https?://(?!shelf\.example\.org)")
        footer = self.client.get("/resources/").content.decode()
        self.assertIn('href="/api/"', footer)
