"""A small catalogue to pack: public items for teachers and parents (one
with a PDF, one in Arabic), a members-only item and a draft."""

import io
import re
import zipfile

from shelf.catalogue.models import Status, Visibility
from shelf.curation.tests.base import CurationTestCase, make_resource, term
from shelf.files import services, tasks
from shelf.files.tests import samples
from shelf.files.tests.base import TemporaryFileStorage
from shelf.packs.builder import FOLDER


class PackTestCase(TemporaryFileStorage, CurationTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.teachers = term("audience", "teachers", "Teachers")
        cls.parents = term("audience", "parents", "Parents")
        cls.teachers.labels = {"fr": "Enseignants"}
        cls.teachers.save()
        cls.bullying = term("topic", "bullying", "Bullying")
        cls.guide = make_resource(
            "Classroom guide to online safety",
            summary="What teachers can do about grooming.",
            body="Full text of the classroom guide.",
            terms=[cls.teachers, cls.bullying],
            language="en",
            source_url="https://publisher.example.org/guide",
        )
        cls.arabic = make_resource(
            "دليل المعلمين لحماية الطفل",
            summary="ملخص الدليل",
            terms=[cls.teachers],
            language="ar",
        )
        cls.leaflet = make_resource("Leaflet for parents", terms=[cls.parents], language="en")
        cls.secret = make_resource(
            "Quorvex members briefing",
            summary="Members-only Quorvex summary.",
            terms=[cls.teachers],
            visibility=Visibility.MEMBERS,
        )
        cls.draft = make_resource("Unfinished draft", terms=[cls.teachers], status=Status.DRAFT)
        cls.pdf = services.attach_file(
            resource=cls.guide, upload=samples.upload("guide.pdf", samples.pdf(["Guide page"]))
        )
        tasks.read_file(cls.pdf.pk)


def open_zip(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def page(zf: zipfile.ZipFile, name: str) -> str:
    return zf.read(f"{FOLDER}/{name}").decode()


def links(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="([^"]*)"', html)
