from django.test import Client

from shelf.curation.tests.base import CurationTestCase, make_resource
from shelf.files.models import ResourceFile


class TranslatedPagesTestCase(CurationTestCase):
    """Pages outside the public listing speak the reader's language too:
    sign-in, the dashboard, the admin's own models, errors, the API."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.item = make_resource("Keeping children safe online")

    def get(self, url, language, user=None, **kwargs):
        if user:
            self.client.force_login(user)
        # follow: a page may redirect to its address in the reader's language.
        return self.client.get(url, HTTP_ACCEPT_LANGUAGE=language, follow=True, **kwargs)

    def test_sign_in_page(self):
        r = self.get("/accounts/login/", "es")
        self.assertContains(r, "<h1>Iniciar sesión</h1>", html=True)
        self.assertContains(r, "intentos fallidos")

    def test_curator_dashboard(self):
        ResourceFile.objects.create(
            resource=self.item,
            file="files/broken.pdf",
            filename="broken.pdf",
            content_type="application/pdf",
            sha256="0" * 64,
            size=1,
            status="failed",
            error="This PDF has no pages.",
        )
        r = self.get("/curation/", "ar", user=self.editor)
        self.assertContains(r, "لا توجد مسودات")
        self.assertContains(r, "ملفات تعذّرت قراءتها")
        self.assertContains(r, "broken.pdf: لا يحتوي ملف PDF هذا على أي صفحة.")

    def test_admin_labels_of_shelfs_models_and_fields(self):
        r = self.get(f"/admin/catalogue/resource/{self.item.pk}/change/", "fr", user=self.admin)
        self.assertContains(r, "Type de ressource")
        self.assertContains(r, "Actualité")  # fieldset
        self.assertContains(r, "Dernière relecture")
        term = self.item.terms.model.objects.get(vocabulary="audience", slug="teachers")
        r = self.get(f"/admin/catalogue/term/{term.pk}/change/", "zh-Hans", user=self.admin)
        self.assertContains(
            r, "标签（阿拉伯语）"
        )  # built at import, shown in the reader's language
        r = self.get("/admin/", "es", user=self.admin)
        self.assertContains(r, "Catálogo")
        self.assertContains(r, "registro de auditoría".capitalize())

    def test_error_pages(self):
        r = self.get("/no-such-page/", "zh-Hans")
        self.assertContains(r, "未找到页面", status_code=404)
        r = self.get("/curation/", "fr", user=self.member)
        self.assertContains(r, "Accès refusé", status_code=403)
        csrf = Client(enforce_csrf_checks=True)
        r = csrf.post("/i18n/setlang/", {"language": "fr"}, HTTP_ACCEPT_LANGUAGE="ar")
        self.assertContains(r, "انتهت صلاحية النموذج", status_code=403)

    def test_api_errors(self):
        r = self.get("/api/v1/resources?page=abc", "fr")
        self.assertEqual(r.status_code, 400)
        self.assertIn("nombre entier", r.json()["error"])
        r = self.get("/api/v1/resources/nothing-here", "ar")
        self.assertEqual(r.json()["error"], "لا يوجد مورد بهذا المعرّف.")
