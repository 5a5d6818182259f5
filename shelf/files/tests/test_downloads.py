"""Downloads and thumbnails: only for those allowed, with safe headers."""

from django.contrib.auth.models import User
from django.template import Context, Template
from django.test import RequestFactory

from shelf.catalogue.models import Status, Visibility
from shelf.files.models import ResourceFile
from shelf.files.tests import samples
from shelf.files.tests.base import FilesTestCase, make_resource


class DownloadTestCase(FilesTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.staff_only = User.objects.create_user(
            "sam", "sam@example.org", "password", is_staff=True
        )
        cls.members = make_resource("members", visibility=Visibility.MEMBERS)
        cls.draft = make_resource("draft", status=Status.DRAFT)
        cls.public_pdf = cls.attach_now(samples.pdf(["Public"]), "Guide é.pdf")
        cls.members_pdf = cls.attach_now(samples.pdf(["Members"]), resource=cls.members)
        cls.draft_pdf = cls.attach_now(samples.pdf(["Draft"]), resource=cls.draft)

    def get(self, item: ResourceFile, user=None, thumbnail=False):
        if user:
            self.client.force_login(user)
        url = item.get_thumbnail_url() if thumbnail else item.get_absolute_url()
        return self.client.get(url)

    def test_it_serves_a_public_file_to_anyone_with_safe_headers(self):
        r = self.get(self.public_pdf)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(b"".join(r.streaming_content), self.public_pdf.file.open().read())
        self.assertEqual(r["Content-Type"], "application/pdf")
        self.assertEqual(
            r["Content-Disposition"],
            "attachment; filename*=utf-8''Guide%20%C3%A9.pdf",
        )
        self.assertEqual(r["X-Content-Type-Options"], "nosniff")
        self.assertIn("sandbox", r["Content-Security-Policy"])
        self.assertIn("public", r["Cache-Control"])

    def test_it_hides_members_only_files_from_anonymous_readers(self):
        for thumbnail in (False, True):
            with self.subTest(thumbnail=thumbnail):
                self.assertEqual(self.get(self.members_pdf, thumbnail=thumbnail).status_code, 404)

    def test_it_serves_members_only_files_to_members_privately(self):
        r = self.get(self.members_pdf, self.alice)
        self.assertEqual(r.status_code, 200)
        self.assertIn("private", r["Cache-Control"])
        self.assertNotIn("public", r["Cache-Control"])

    def test_it_hides_files_of_drafts_from_readers_and_members(self):
        for user in (None, self.alice, self.staff_only):
            with self.subTest(user=user):
                self.client.logout()
                self.assertEqual(self.get(self.draft_pdf, user).status_code, 404)

    def test_it_serves_files_of_drafts_to_editors(self):
        r = self.get(self.draft_pdf, self.editor)
        self.assertEqual(r.status_code, 200)
        self.assertIn("private", r["Cache-Control"])

    def test_it_hides_failed_files_from_readers(self):
        ResourceFile.objects.filter(pk=self.public_pdf.pk).update(status="failed")
        self.assertEqual(self.get(self.public_pdf).status_code, 404)
        self.assertEqual(self.get(self.public_pdf, self.editor).status_code, 200)

    def test_it_serves_the_thumbnail_as_an_image(self):
        r = self.get(self.public_pdf, thumbnail=True)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["Content-Type"], "image/webp")
        self.assertEqual(r["X-Content-Type-Options"], "nosniff")
        self.assertTrue(b"".join(r.streaming_content).startswith(b"RIFF"))

    def test_it_redirects_a_wrong_file_name_to_the_right_one(self):
        r = self.client.get(f"/files/{self.public_pdf.pk}/other.pdf")
        self.assertRedirects(r, self.public_pdf.get_absolute_url(), fetch_redirect_response=False)

    def test_it_404s_for_a_file_that_does_not_exist(self):
        self.assertEqual(self.client.get("/files/999999/x.pdf").status_code, 404)

    def test_it_refuses_to_change_anything(self):
        r = self.client.post(self.public_pdf.get_absolute_url())
        self.assertEqual(r.status_code, 405)

    def test_it_serves_no_public_media_url(self):
        self.assertEqual(self.client.get("/media/" + self.public_pdf.file.name).status_code, 404)

    def test_it_adds_the_right_extension_to_a_name_without_one(self):
        item = self.attach(samples.pdf(["x"]), "report", resource=make_resource("other"))
        self.assertEqual(item.download_name, "report.pdf")


class FileListTestCase(FilesTestCase):
    def render(self, resource, user=None):
        request = RequestFactory().get("/")
        request.user = user or self.anonymous()
        template = Template("{% load files %}{% resource_files resource %}")
        return template.render(Context({"resource": resource, "request": request}))

    @staticmethod
    def anonymous():
        from django.contrib.auth.models import AnonymousUser

        return AnonymousUser()

    def test_it_lists_ready_files_with_format_size_pages_and_thumbnail(self):
        item = self.attach(samples.pdf(["One", "Two"]), "Guide.pdf")
        self.attach(samples.image("PNG"), "Poster.png")
        html = self.render(self.guide)
        self.assertIn(f'href="{item.get_absolute_url()}"', html)
        self.assertIn("PDF, ", html)
        self.assertIn("2 pages", html)
        self.assertIn(f'src="{item.get_thumbnail_url()}"', html)
        self.assertIn('alt="First page of Guide.pdf"', html)
        self.assertIn("PNG image", html)
        self.assertNotIn("1 page", html)  # a picture has no pages to count

    def test_it_shows_the_size_in_human_units(self):
        item = self.attach(samples.pdf([samples.words(3000)]), "Guide.pdf")
        self.assertIn(f"PDF, {item.size}\xa0bytes", self.render(self.guide))
        ResourceFile.objects.filter(pk=item.pk).update(size=3 * 1024 * 1024)
        self.assertIn("PDF, 3.0\xa0MB", self.render(self.guide))

    def test_it_leaves_out_files_not_ready(self):
        item = self.attach(samples.pdf(["x"]), "Broken.pdf")
        ResourceFile.objects.filter(pk=item.pk).update(status="failed")
        self.assertNotIn("Broken.pdf", self.render(self.guide))

    def test_it_lists_nothing_of_a_resource_the_reader_may_not_see(self):
        members = make_resource("members", visibility="members")
        self.attach(samples.pdf(["x"]), "Secret.pdf", resource=members)
        self.assertNotIn("Secret.pdf", self.render(members))
        self.assertIn("Secret.pdf", self.render(members, self.alice))

    def test_it_lists_in_one_query(self):
        for n in range(3):
            self.attach(samples.pdf([f"file {n}"]), f"f{n}.pdf")
        with self.assertNumQueries(1):
            self.render(self.guide)
