import io
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import SimpleTestCase, override_settings
from django.utils import translation

from shelf.i18n import catalogues, worklist


class CataloguesTestCase(SimpleTestCase):
    """The shipped catalogues: every marked string translated in fr, es, ar
    and zh-Hans, nothing fuzzy or obsolete, nothing extraction would add."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.template = catalogues.extract_template()

    def test_the_catalogues_are_complete_and_current(self):
        problems = catalogues.check(self.template)
        self.assertEqual(
            [str(p) for p in problems],
            [],
            "Run `make messages`, translate what it reports (README, Translations).",
        )

    def test_it_finds_strings_in_python_templates_and_plurals(self):
        ids = {m.id if isinstance(m.id, str) else m.id[0] for m in self.template if m.id}
        self.assertIn("Filter by", ids)  # template
        self.assertIn("Allowed methods: %(methods)s.", ids)  # Python gettext
        self.assertIn("audit log", ids)  # model verbose name
        self.assertIn("%(n)s resource", ids)  # blocktranslate count
        self.assertIn("Access denied", ids)  # error page

    def test_arabic_has_six_plural_forms_and_chinese_one(self):
        self.assertEqual(catalogues.read("ar").num_plurals, 6)
        self.assertEqual(catalogues.read("zh_Hans").num_plurals, 1)
        with translation.override("ar"):
            forms = [
                translation.ngettext("%(n)s resource", "%(n)s resources", n) % {"n": n}
                for n in (0, 1, 2, 3, 11, 100)
            ]
        self.assertEqual(len(set(forms)), 6, forms)

    def test_django_serves_them(self):
        expected = {
            "fr": "Filtrer par",
            "es": "Filtrar por",
            "ar": "التصفية حسب",
            "zh-hans": "筛选",
        }
        for language, text in expected.items():
            with self.subTest(language=language), translation.override(language):
                self.assertEqual(translation.gettext("Filter by"), text)


class CheckTestCase(SimpleTestCase):
    """The check fails on each kind of fault, in a scratch copy."""

    def setUp(self):
        self.dir = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.dir)
        self.source = self.dir / "src" / "templates"
        self.source.mkdir(parents=True)
        (self.source / "page.html").write_text(
            "{% load i18n %}{% translate 'Hello' %}"
            "{% blocktranslate count n=k %}{{ n }} cat{% plural %}{{ n }} cats"
            "{% endblocktranslate %}"
        )
        locale = self.dir / "locale"
        self.settings = override_settings(
            LOCALE_PATHS=[locale], LANGUAGES=[("en", "English"), ("ar", "Arabic")]
        )
        self.settings.enable()
        self.addCleanup(self.settings.disable)
        self.template = catalogues.extract_template(self.dir / "src")

    def problems(self):
        return [p.message for p in catalogues.check(self.template)]

    def translate(self, hello="مرحبًا"):
        catalogues.update(self.template)
        data = worklist.todo()
        for entry in data["messages"]:
            entry["ar"] = hello if entry["msgid"] == "Hello" else [f"{i} %(n)s" for i in range(6)]
        worklist.apply(data)
        catalogues.compile_all()

    def test_a_complete_catalogue_passes(self):
        self.translate()
        self.assertEqual(self.problems(), [])

    def test_it_reports_untranslated_strings(self):
        catalogues.update(self.template)
        catalogues.compile_all()
        problems = self.problems()
        self.assertTrue(any(p.startswith("untranslated: 'Hello'") for p in problems), problems)
        self.assertTrue(any(p.startswith("untranslated: '%(n)s cat'") for p in problems))

    def test_it_reports_a_string_added_to_the_source(self):
        self.translate()
        (self.source / "new.html").write_text("{% load i18n %}{% translate 'Goodbye' %}")
        problems = [
            p.message for p in catalogues.check(catalogues.extract_template(self.dir / "src"))
        ]
        self.assertTrue(any("not in the catalogue: 'Goodbye'" in p for p in problems), problems)

    def test_it_reports_a_string_gone_from_the_source_and_obsolete_entries(self):
        self.translate()
        po = catalogues.po_path("ar")
        po.write_text(po.read_text() + '\n#~ msgid "Old"\n#~ msgstr "قديم"\n')
        (self.source / "page.html").write_text("{% load i18n %}{% translate 'Hello' %}")
        template = catalogues.extract_template(self.dir / "src")
        problems = [p.message for p in catalogues.check(template)]
        self.assertTrue(any("no longer in the source: '%(n)s cat'" in p for p in problems))
        self.assertTrue(any("obsolete entry: 'Old'" in p for p in problems), problems)
        catalogues.update(template)  # what `make messages` does: both go
        catalogues.compile_all()
        self.assertEqual([p.message for p in catalogues.check(template)], [])

    def test_it_reports_a_changed_string_as_fuzzy(self):
        self.translate()
        (self.source / "page.html").write_text(
            "{% load i18n %}{% translate 'Hello!' %}"
            "{% blocktranslate count n=k %}{{ n }} cat{% plural %}{{ n }} cats"
            "{% endblocktranslate %}"
        )
        template = catalogues.extract_template(self.dir / "src")
        catalogues.update(template)
        catalogues.compile_all()
        problems = [p.message for p in catalogues.check(template)]
        self.assertIn("fuzzy: 'Hello!' (src/templates/page.html:1)", problems[0])

    def test_it_reports_missing_plural_forms_and_bad_placeholders(self):
        self.translate(hello="مرحبًا %(name)s")
        po = catalogues.po_path("ar")
        po.write_text(po.read_text().replace('msgstr[5] "5 %(n)s"', 'msgstr[5] ""'))
        problems = self.problems()
        self.assertTrue(any("different %(name)s placeholders" in p for p in problems), problems)
        self.assertTrue(any(p.startswith("untranslated: '%(n)s cat'") for p in problems))

    def test_it_reports_a_stale_mo_file(self):
        self.translate()
        po = catalogues.po_path("ar")
        po.write_text(po.read_text().replace("مرحبًا", "أهلًا"))
        self.assertIn("django.mo is out of date (run `shelf messages`)", self.problems()[0])

    def test_it_reports_a_string_marked_with_and_without_a_plural(self):
        (self.source / "other.html").write_text("{% load i18n %}{% translate '{{ n }} cat' %}")
        (self.source / "plain.py").write_text(
            'from django.utils.translation import gettext as _\n_("%(n)s cat")\n'
        )
        template = catalogues.extract_template(self.dir / "src")
        self.assertTrue(any("marked without a plural" in p for p in template.clashes))

    def test_the_command_exits_with_an_error_when_incomplete(self):
        catalogues.update(self.template)
        with self.assertRaises(CommandError):
            call_command("messages", "--check", stdout=io.StringIO())

    def test_the_work_list_has_every_language_side_by_side(self):
        catalogues.update(self.template)
        data = json.loads(json.dumps(worklist.todo()))
        self.assertEqual([e["msgid"] for e in data["messages"]], ["Hello", "%(n)s cat"])
        plural = data["messages"][1]
        self.assertEqual(plural["msgid_plural"], "%(n)s cats")
        self.assertEqual(plural["ar"], [""] * 6)
        plural["ar"] = ["x"] * 5
        with self.assertRaisesRegex(ValueError, "6 plural forms"):
            worklist.apply(data)
        data["messages"][0]["ar"] = "مرحبًا"
        data["messages"][1]["ar"] = []
        worklist.apply(data)
        self.assertEqual(len(worklist.todo()["messages"]), 1)


class MatchesMakemessagesTestCase(SimpleTestCase):
    """Shelf's extractor finds exactly what Django's makemessages (GNU
    xgettext) finds, so either may be used."""

    def test_it_finds_the_same_strings_as_makemessages(self):
        if not shutil.which("xgettext"):
            self.skipTest("GNU gettext is not installed (apt-get install gettext)")
        work = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, work)
        shutil.copytree(
            catalogues.PACKAGE_DIR,
            work / "shelf",
            ignore=shutil.ignore_patterns("locale", "__pycache__", "static"),
        )
        (work / "shelf" / "locale").mkdir()
        script = (
            "import django, os\n"
            "os.environ['DJANGO_SETTINGS_MODULE'] = 'shelf.settings'\n"
            "django.setup()\n"
            "from django.core.management import call_command\n"
            "call_command('makemessages', locale=['fr'], ignore_patterns=['*/tests/*',"
            " '*/migrations/*'], verbosity=0)\n"
        )
        subprocess.run(  # noqa: S603
            [sys.executable, "-c", script], cwd=work, check=True, env=_env(work)
        )
        from babel.messages.pofile import read_po

        with (work / "shelf" / "locale" / "fr" / "LC_MESSAGES" / "django.po").open("rb") as f:
            theirs = {_key(m) for m in read_po(f) if m.id}
        ours = {_key(m) for m in catalogues.extract_template() if m.id}
        self.assertEqual(ours, theirs)


def _key(message):
    return (message.id if isinstance(message.id, str) else tuple(message.id), message.context)


def _env(work: Path) -> dict:
    import os

    env = {**os.environ, "PYTHONPATH": str(work), "SHELF_DATA_DIR": str(work / "var")}
    env.pop("DATABASE_URL", None)
    return env
