import datetime

from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from shelf.packs.models import Pack, PackStatus
from shelf.packs.tests.base import PackTestCase, open_zip, page


class PackViewsTestCase(PackTestCase):
    def ask(self, data, prefix=""):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(f"{prefix}/packs/", data)

    def download(self, pack):
        response = self.client.get(pack.get_download_url())
        self.assertEqual(response.status_code, 200)
        return open_zip(b"".join(response.streaming_content))

    def test_it_is_offered_on_the_listing_page_without_a_form(self):
        response = self.client.get("/resources/", {"audience": "teachers"})
        self.assertContains(response, 'href="/packs/new/?audience=teachers"')
        # Anonymous pages carry no CSRF token (see SecretFreeGZipMiddleware).
        self.assertNotContains(response, "csrfmiddlewaretoken")

    def test_its_page_says_what_the_pack_holds_and_asks_with_a_form(self):
        response = self.client.get("/fr/packs/new/", {"audience": "teachers", "page": "3"})
        self.assertContains(response, "2 ressources publiques")
        self.assertContains(response, '<input type="hidden" name="audience" value="teachers">')
        self.assertContains(response, 'action="/fr/packs/"')
        self.assertContains(response, "csrfmiddlewaretoken")
        self.assertNotContains(response, "members_only")
        self.assertNotContains(response, 'name="page"')
        response = self.client.get("/packs/new/", {"audience": "nobody"})
        self.assertContains(response, "Unknown audience: nobody", status_code=400)

    def test_a_reader_asks_for_a_pack_follows_it_and_downloads_it(self):
        response = self.ask({"audience": "teachers"})
        pack = Pack.objects.get()
        self.assertRedirects(response, pack.get_absolute_url())
        self.assertEqual((pack.status, pack.item_count, pack.file_count), ("ready", 2, 1))
        self.assertIsNone(pack.owner)
        self.assertEqual(pack.params, [["audience", "teachers"]])
        status = self.client.get(pack.get_absolute_url())
        self.assertContains(status, "The pack holds 2 resources. Files included: 1.")
        self.assertContains(status, pack.get_download_url())
        self.assertNotContains(status, 'http-equiv="refresh"')
        zf = self.download(pack)
        self.assertIn(self.guide.title, page(zf, "index.html"))
        self.assertNotIn("Quorvex", page(zf, "assets/search-index.js"))
        response = self.client.get(pack.get_download_url())
        self.assertIn("attachment", response["Content-Disposition"])

    def test_a_pack_being_built_shows_its_progress_and_refreshes(self):
        pack = Pack.objects.create(
            key="k", params=[], language="en", status=PackStatus.BUILDING, progress=40
        )
        response = self.client.get(pack.get_absolute_url())
        self.assertContains(response, '<meta http-equiv="refresh" content="3">', html=False)
        self.assertContains(response, "Being built: 40% done.")
        self.assertContains(response, '<progress max="100" value="40"')
        self.assertEqual(self.client.get(pack.get_download_url()).status_code, 404)

    def test_an_identical_request_reuses_the_recent_pack(self):
        self.ask({"audience": "teachers"})
        self.ask({"audience": "teachers", "page": "2"})
        self.assertEqual(Pack.objects.count(), 1)
        self.ask({"audience": "teachers"}, prefix="/fr")
        self.assertEqual(Pack.objects.count(), 2, "another language is another pack")

    def test_a_change_to_the_catalogue_makes_a_new_pack(self):
        self.ask({"audience": "teachers"})
        self.leaflet.terms.add(self.teachers)
        self.ask({"audience": "teachers"})
        self.assertEqual(list(Pack.objects.values_list("item_count", flat=True)), [3, 2])

    def test_it_speaks_the_requesters_language(self):
        self.ask({"audience": "teachers"}, prefix="/ar")
        pack = Pack.objects.get()
        self.assertEqual(pack.language, "ar")
        self.assertIn('dir="rtl"', page(self.download(pack), "index.html"))

    def test_it_refuses_an_unknown_facet_value_clearly(self):
        response = self.ask({"audience": "nobody"})
        self.assertContains(response, "Unknown audience: nobody", status_code=400)
        self.assertFalse(Pack.objects.exists())

    @override_settings(SHELF_PACK_MAX_ITEMS=1)
    def test_it_refuses_a_list_too_long_for_a_pack(self):
        response = self.ask({"audience": "teachers"})
        self.assertContains(response, "a pack holds at most 1", status_code=400)
        self.assertFalse(Pack.objects.exists())

    def test_it_refuses_a_get(self):
        self.assertEqual(self.client.get("/packs/").status_code, 405)

    @override_settings(SHELF_PACK_RATE_LIMIT=2)
    def test_it_limits_how_many_packs_one_visitor_asks_for(self):
        from django.core.cache import cache

        cache.clear()
        self.ask({"audience": "teachers"})
        self.ask({"audience": "parents"})
        self.assertEqual(self.ask({"audience": "teachers"}).status_code, 429)

    def test_a_curators_pack_holds_members_only_items_and_is_theirs_only(self):
        self.client.force_login(self.editor)
        asking = self.client.get("/packs/new/", {"audience": "teachers"})
        self.assertContains(asking, 'name="members_only"')
        self.ask({"audience": "teachers", "members_only": "on"})
        pack = Pack.objects.get()
        self.assertEqual((pack.owner, pack.item_count), (self.editor, 3))
        self.assertIn("Quorvex", page(self.download(pack), "assets/search-index.js"))
        for who in (None, self.member, self.admin):
            self.client.logout()
            if who:
                self.client.force_login(who)
            with self.subTest(who=who):
                self.assertEqual(self.client.get(pack.get_absolute_url()).status_code, 404)
                self.assertEqual(self.client.get(pack.get_download_url()).status_code, 404)

    def test_a_members_request_for_members_only_items_gets_public_ones(self):
        self.client.force_login(self.member)
        self.ask({"audience": "teachers", "members_only": "on"})
        pack = Pack.objects.get()
        self.assertEqual((pack.owner, pack.requested_by, pack.item_count), (None, self.member, 2))

    def test_expired_packs_are_gone_and_pruned_with_their_files(self):
        self.ask({"audience": "teachers"})
        pack = Pack.objects.get()
        storage, name = pack.zip_file.storage, pack.zip_file.name
        Pack.objects.update(expires=timezone.now() - datetime.timedelta(seconds=1))
        self.assertEqual(self.client.get(pack.get_download_url()).status_code, 404)
        self.assertContains(self.client.get(pack.get_absolute_url()), "This pack has expired")
        self.ask({"audience": "teachers"})
        self.assertEqual(Pack.objects.count(), 2, "an expired pack is not reused")
        call_command("prune_packs", verbosity=0)
        self.assertEqual(Pack.objects.count(), 1)
        self.assertFalse(storage.exists(name))

    def test_a_pack_that_cannot_be_built_says_why(self):
        self.ask({"audience": "teachers"})
        pack = Pack.objects.get()
        # Everything it held was unpublished before a rebuild.
        Pack.objects.update(status=PackStatus.QUEUED)
        from shelf.catalogue.models import Resource
        from shelf.packs import tasks

        for resource in Resource.objects.filter(terms=self.teachers):
            resource.status = "draft"
            resource.save()
        tasks.run(pack.pk)
        pack.refresh_from_db()
        self.assertEqual(pack.status, PackStatus.FAILED)
        self.assertContains(self.client.get(pack.get_absolute_url()), "nothing to pack")

    def test_a_pack_stuck_waiting_is_not_handed_out_again(self):
        self.ask({"audience": "teachers"})
        hours_ago = timezone.now() - datetime.timedelta(hours=2)
        Pack.objects.update(status=PackStatus.BUILDING, created=hours_ago)
        self.ask({"audience": "teachers"})
        self.assertEqual(Pack.objects.filter(status=PackStatus.READY).count(), 1)
        self.assertEqual(Pack.objects.count(), 2)
