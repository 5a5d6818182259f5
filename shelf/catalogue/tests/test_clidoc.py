from django.core.management import call_command
from django.test import SimpleTestCase

from shelf.catalogue.management.commands import clidoc


class CliDocTestCase(SimpleTestCase):
    def test_it_keeps_the_command_reference_current(self):
        # Fails when a command's options change and docs/cli.md was not regenerated.
        self.assertEqual(clidoc.DOC.read_text(encoding="utf-8"), clidoc.render())

    def test_it_documents_every_shelf_command(self):
        text = clidoc.render()
        for name in ("import", "export", "demo", "loadsample", "createuser"):
            with self.subTest(name):
                self.assertIn(f"## `shelf {name}`", text)

    def test_check_fails_when_the_reference_is_stale(self):
        original = clidoc.DOC.read_text(encoding="utf-8")
        try:
            clidoc.DOC.write_text(original + "\nstale\n", encoding="utf-8")
            with self.assertRaises(SystemExit):
                call_command("clidoc", "--check")
        finally:
            clidoc.DOC.write_text(original, encoding="utf-8")
