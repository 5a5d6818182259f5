import tempfile
from pathlib import Path
from unittest import mock

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
        with tempfile.TemporaryDirectory() as tmp:
            stale = Path(tmp) / "cli.md"
            stale.write_text(clidoc.render() + "\nstale\n", encoding="utf-8")
            with mock.patch.object(clidoc, "DOC", stale), self.assertRaises(SystemExit):
                call_command("clidoc", "--check")
