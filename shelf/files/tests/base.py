import shutil
import tempfile

from django.contrib.auth.models import Permission, User
from django.test import override_settings

from shelf.catalogue.models import Resource, Status, Visibility
from shelf.files import services
from shelf.files.tests import samples
from shelf.test import BaseTestCase


def make_resource(slug: str, **fields) -> Resource:
    fields.setdefault("status", Status.PUBLISHED)
    fields.setdefault("visibility", Visibility.PUBLIC)
    return Resource.objects.create(key=f"test:{slug}", slug=slug, title=slug.title(), **fields)


class TemporaryFileStorage:
    """A mixin for test cases: stored files go to a fresh directory per
    test class, removed afterwards."""

    @classmethod
    def setUpClass(cls):
        cls._media = tempfile.mkdtemp(prefix="shelf-test-media-")
        cls._storage = override_settings(
            STORAGES={
                "default": {
                    "BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": cls._media},
                },
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            }
        )
        cls._storage.enable()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls._storage.disable()
        shutil.rmtree(cls._media, ignore_errors=True)


class FilesTestCase(TemporaryFileStorage, BaseTestCase):
    """An editor and a published guide to attach files to."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.editor = User.objects.create_user("erin", "erin@example.org", "password", is_staff=True)
        cls.editor.user_permissions.add(Permission.objects.get(codename="change_resource"))
        cls.guide = make_resource("guide")

    def stored_files(self) -> list[str]:
        import os

        return [
            os.path.relpath(os.path.join(root, name), self._media)
            for root, _dirs, names in os.walk(self._media)
            for name in names
        ]

    @classmethod
    def attach_now(cls, data: bytes, name: str = "guide.pdf", resource=None):
        """For setUpTestData, where nothing commits: attach and read at once."""
        from shelf.files import tasks

        item = services.attach_file(
            resource=resource or cls.guide, upload=samples.upload(name, data)
        )
        tasks.read_file(item.pk)
        item.refresh_from_db()
        return item

    def attach(self, data: bytes, name: str = "guide.pdf", resource=None, user=None):
        """Attach and run the queued extraction, as after a real commit."""
        with self.captureOnCommitCallbacks(execute=True):
            item = services.attach_file(
                resource=resource or self.guide, upload=samples.upload(name, data), user=user
            )
        item.refresh_from_db()
        return item
