import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command

from shelf.packs.tests.base import PackTestCase, open_zip, page


class PackCommandTestCase(PackTestCase):
    def pack(self, *args) -> tuple:
        out = Path(tempfile.mkdtemp()) / "pack.zip"
        stdout = StringIO()
        call_command("pack", *args, "-o", str(out), stdout=stdout)
        return open_zip(out.read_bytes()), stdout.getvalue()

    def test_it_writes_the_pack_of_the_facets_and_words_given(self):
        zf, said = self.pack("--audience", "teachers", "--q", "classroom")
        index = page(zf, "assets/search-index.js")
        self.assertIn(self.guide.title, index)
        self.assertNotIn(self.leaflet.title, index)
        self.assertIn("1 items, 1 files", said)

    def test_it_holds_public_items_only_unless_told_otherwise(self):
        zf, _said = self.pack("--audience", "teachers")
        self.assertNotIn("Quorvex", page(zf, "assets/search-index.js"))
        zf, _said = self.pack("--audience", "teachers", "--include-members-only")
        self.assertIn("Quorvex", page(zf, "assets/search-index.js"))
        self.assertNotIn("Unfinished draft", page(zf, "assets/search-index.js"))

    def test_its_interface_follows_the_language_chosen(self):
        from shelf.curation.tests.base import term

        french = term("language", "fr", "Français")
        self.leaflet.terms.add(french)
        zf, _said = self.pack("--language", "fr")
        self.assertIn('<html lang="fr"', page(zf, "index.html"))
        zf, _said = self.pack("--language", "fr", "--interface", "es")
        self.assertIn('<html lang="es"', page(zf, "index.html"))

    def test_it_refuses_an_unknown_value_and_writes_nothing(self):
        out = Path(tempfile.mkdtemp()) / "pack.zip"
        with self.assertRaisesMessage(CommandError, "Unknown audience: nobody"):
            call_command("pack", "--audience", "nobody", "-o", str(out))
        self.assertEqual(list(out.parent.iterdir()), [])
