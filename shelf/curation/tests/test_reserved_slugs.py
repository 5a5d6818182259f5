"""A resource's slug is its address, /resources/<slug>/: a slug whose
address is a fixed page (the Atom feed at /resources/feed/) is refused with a
clear message wherever a slug is set, and never made up from a title."""

import json
import tempfile
from io import StringIO
from pathlib import Path

from django.core.cache import cache
from django.core.management import CommandError, call_command

from shelf.api.tests.test_write import issue
from shelf.catalogue.models import Resource, reserved_slug
from shelf.curation.tests.base import CurationTestCase, make_resource
from shelf.curation.tests.test_admin import CHANGELIST, form_data


class ReservedSlugTests(CurationTestCase):
    def setUp(self):
        cache.clear()

    def test_it_knows_the_fixed_pages_under_resources(self):
        self.assertEqual(reserved_slug("feed"), "/resources/feed/")
        self.assertEqual(reserved_slug("feeds"), "")
        self.assertEqual(reserved_slug("a-guide"), "")

    def test_it_refuses_the_slug_in_the_admin(self):
        self.client.force_login(self.editor)
        data = form_data(title="Feed", slug="feed")
        response = self.client.post(f"{CHANGELIST}add/", data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(
            response, "The slug “feed” is reserved: /resources/feed/ is another page"
        )
        self.assertFalse(Resource.objects.filter(slug="feed").exists())

        guide = make_resource("A guide", slug="a-guide")
        response = self.client.post(
            f"{CHANGELIST}{guide.pk}/change/", form_data(guide, slug="feed")
        )
        self.assertContains(response, "is reserved")
        guide.refresh_from_db()
        self.assertEqual(guide.slug, "a-guide")
        self.assertTrue(
            self.client.get("/resources/feed/")["Content-Type"].startswith("application/atom+xml")
        )

    def test_it_refuses_the_slug_in_an_import(self):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "items.json"
            path.write_text(json.dumps([{"key": "t:feed", "title": "News feed", "slug": "feed"}]))
            with self.assertRaisesMessage(CommandError, "the slug 'feed' is reserved"):
                call_command("import", str(path), stdout=StringIO())
            self.assertFalse(Resource.objects.filter(key="t:feed").exists())
            # A title that slugifies to it gets the next free address.
            path.write_text(json.dumps([{"key": "t:feed", "title": "Feed"}]))
            call_command("import", str(path), stdout=StringIO())
        self.assertEqual(Resource.objects.get(key="t:feed").slug, "feed-2")

    def test_it_refuses_the_slug_in_the_write_api(self):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {issue(self.editor)}"}

        def post(data, method="post", url="/api/v1/resources"):
            return getattr(self.client, method)(
                url, json.dumps(data), content_type="application/json", **headers
            )

        response = post({"title": "News", "slug": "feed"})
        self.assertEqual(response.status_code, 400, response.content)
        self.assertIn("is reserved", json.dumps(response.json(), ensure_ascii=False))
        created = post({"title": "Feed"})
        self.assertEqual(created.status_code, 201, created.content)
        self.assertEqual(created.json()["slug"], "feed-2")
        response = post({"slug": "feed"}, "patch", "/api/v1/resources/feed-2")
        self.assertEqual(response.status_code, 400, response.content)
        self.assertTrue(Resource.objects.filter(slug="feed-2").exists())
