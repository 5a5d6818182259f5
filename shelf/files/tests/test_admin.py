"""Uploading through the admin goes through the same checks."""

from django.contrib import admin
from django.contrib.auth.models import User
from django.test import RequestFactory, override_settings

from shelf.catalogue.models import Resource
from shelf.files.admin import ResourceFileInline
from shelf.files.models import FileStatus, ResourceFile
from shelf.files.tests import samples
from shelf.files.tests.base import FilesTestCase


class ResourceFileAdminTestCase(FilesTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.admin = User.objects.create_superuser("ada", "ada@example.org", "password")

    def setUp(self):
        self.client.force_login(self.admin)

    def add(self, data: bytes, name: str):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(
                "/admin/files/resourcefile/add/",
                {"resource": self.guide.pk, "upload": samples.upload(name, data)},
            )

    def test_it_uploads_and_reads_a_file(self):
        r = self.add(samples.pdf(["Admin upload"]), "admin.pdf")
        self.assertEqual(r.status_code, 302)
        item = ResourceFile.objects.get()
        self.assertEqual((item.status, item.uploaded_by), (FileStatus.READY, self.admin))
        self.assertEqual(item.pages.get().text, "Admin upload")

    def test_it_shows_why_a_file_was_refused(self):
        js = b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"
        table = [
            ("poster.pdf", samples.image("PNG"), "but its content is a PNG image"),
            ("report.docx", samples.zip_bomb_docx(), "zip bomb"),
            ("report.pdf", samples.pdf(["x"], catalog=js), "contains JavaScript"),
            ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "SVG"),
            ("big.png", samples.png_header(20000, 20000), "too large"),
        ]
        for name, data, words in table:
            with self.subTest(name):
                r = self.add(data, name)
                self.assertEqual(r.status_code, 200)
                self.assertContains(r, words)
                self.assertFalse(ResourceFile.objects.exists())

    @override_settings(SHELF_MAX_UPLOAD_MB=1)
    def test_it_shows_the_size_limit(self):
        r = self.add(samples.pdf(["x"]) + b"%" * (1024 * 1024), "big.pdf")
        self.assertContains(r, "larger than 1.0\xa0MB")

    def test_it_lists_failed_files_with_the_reason(self):
        item = self.attach(samples.pdf(["x"]))
        ResourceFile.objects.filter(pk=item.pk).update(
            status="failed", error="Damaged beyond repair"
        )
        r = self.client.get("/admin/files/resourcefile/?status=failed")
        self.assertContains(r, "Damaged beyond repair")

    def test_it_reads_a_file_again_on_request(self):
        item = self.attach(samples.pdf(["x"]))
        ResourceFile.objects.filter(pk=item.pk).update(status="failed", error="old")
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                "/admin/files/resourcefile/",
                {"action": "extract_again", "_selected_action": [item.pk]},
            )
        item.refresh_from_db()
        self.assertEqual((item.status, item.error), (FileStatus.READY, ""))


class ResourceFileInlineTestCase(FilesTestCase):
    def formset(self, files: dict, resource: Resource):
        request = RequestFactory().post("/")
        request.user = self.editor
        inline = ResourceFileInline(Resource, admin.site)
        FormSet = inline.get_formset(request, resource)
        prefix = FormSet.get_default_prefix()
        data = {
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
        files = {f"{prefix}-0-upload": f for f in files.values()}
        return FormSet(data, files, instance=resource, prefix=prefix)

    def test_it_attaches_a_file_to_the_resource(self):
        formset = self.formset(
            {"x": samples.upload("deck.pptx", samples.pptx([["Hi"]]))}, self.guide
        )
        self.assertTrue(formset.is_valid(), formset.errors)
        with self.captureOnCommitCallbacks(execute=True):
            formset.save()
        item = self.guide.files.get()
        self.assertEqual((item.filename, item.uploaded_by), ("deck.pptx", self.editor))
        self.assertEqual(item.pages.get().text, "Hi")

    def test_it_refuses_a_hostile_file_next_to_the_field(self):
        bomb = samples.upload("report.docx", samples.zip_bomb_docx())
        formset = self.formset({"x": bomb}, self.guide)
        self.assertFalse(formset.is_valid())
        self.assertIn("zip bomb", str(formset.errors))

    def test_it_refuses_a_duplicate_next_to_the_field(self):
        data = samples.pdf(["x"])
        self.attach(data)
        formset = self.formset({"x": samples.upload("again.pdf", data)}, self.guide)
        self.assertFalse(formset.is_valid())
        self.assertIn("already attached", str(formset.errors))

    def test_it_shows_attached_files_without_an_upload_input(self):
        self.attach(samples.pdf(["x"]))
        request = RequestFactory().get("/")
        request.user = self.editor
        FormSet = ResourceFileInline(Resource, admin.site).get_formset(request, self.guide)
        attached, extra = FormSet(instance=self.guide).forms
        # The column stays (the admin renders the same fields on every row), empty.
        self.assertTrue(attached.fields["upload"].disabled)
        self.assertEqual(str(attached["upload"]), "")
        self.assertIn('type="file"', str(extra["upload"]))


class ResourceChangePageUploadTestCase(FilesTestCase):
    """The resource's change page, as a browser sends it."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.admin = User.objects.create_superuser("ada", "ada@example.org", "password")

    def setUp(self):
        self.client.force_login(self.admin)
        self.url = f"/admin/catalogue/resource/{self.guide.pk}/change/"

    def post(self, upload=None):
        from shelf.curation.tests.test_admin import form_data

        existing = list(self.guide.files.order_by("pk"))
        data = form_data(self.guide)
        data.update(
            {
                "files-TOTAL_FORMS": str(len(existing) + 1),
                "files-INITIAL_FORMS": str(len(existing)),
            }
        )
        for i, item in enumerate(existing):
            data[f"files-{i}-id"] = str(item.pk)
            data[f"files-{i}-resource"] = str(self.guide.pk)
        if upload is not None:
            data[f"files-{len(existing)}-upload"] = upload
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(self.url, data)

    def test_the_form_sends_files_when_the_resource_has_one_already(self):
        # Without multipart, the browser sends the file's name only and
        # the new file is dropped without a word.
        for attached in (0, 1):
            with self.subTest(attached=attached):
                if attached:
                    self.attach(samples.pdf(["First"]))
                r = self.client.get(self.url)
                self.assertContains(r, 'enctype="multipart/form-data"')

    def test_it_stores_a_second_file(self):
        self.attach(samples.pdf(["First"]), "first.pdf")
        r = self.post(samples.upload("second.pdf", samples.pdf(["Second"])))
        self.assertEqual(r.status_code, 302)
        names = list(self.guide.files.order_by("pk").values_list("filename", flat=True))
        self.assertEqual(names, ["first.pdf", "second.pdf"])

    def test_it_refuses_a_wrong_type_or_duplicate_second_file_and_says_why(self):
        first = samples.pdf(["First"])
        self.attach(first, "first.pdf")
        table = [
            (samples.upload("poster.pdf", samples.image("PNG")), "but its content is a PNG image"),
            (samples.upload("again.pdf", first), "already attached"),
        ]
        for upload, words in table:
            with self.subTest(words):
                r = self.post(upload)
                self.assertEqual(r.status_code, 200)
                self.assertContains(r, words)
                self.assertNotContains(r, "changed successfully")
                self.assertEqual(self.guide.files.count(), 1)
