import ast

from django.test import SimpleTestCase
from django.utils import translation

from shelf.files import reasons


class ReasonsTestCase(SimpleTestCase):
    """Failure reasons are stored in English and shown in the reader's
    language, values and all."""

    def test_it_translates_a_stored_reason_with_its_values(self):
        stored = "This PDF has 12000 pages; at most 10000 are read."
        with translation.override("fr"):
            self.assertEqual(
                reasons.translate(stored),
                "Ce PDF compte 12000 pages\u00a0; seules les 10000 premières sont lues.",
            )
        with translation.override("zh-hans"):
            self.assertEqual(reasons.translate(stored), "此 PDF 共 12000 页；最多只读取 10000 页。")

    def test_it_translates_a_reason_without_values(self):
        with translation.override("ar"):
            self.assertEqual(
                reasons.translate("This presentation has no slides."),
                "لا يحتوي هذا العرض التقديمي على أي شريحة.",
            )

    def test_unknown_text_is_shown_as_it_is(self):
        with translation.override("es"):
            self.assertEqual(reasons.translate("Disk on fire"), "Disk on fire")
            self.assertEqual(reasons.translate(""), "")

    def test_every_problem_message_in_the_readers_is_marked(self):
        # An unmarked message would be stored, and shown, in English only.
        unmarked = []
        for name in reasons.SOURCES:
            path = reasons.PACKAGE / name
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "id", None) == "FileProblem"
                    and len(node.args) > 1
                    and isinstance(node.args[1], ast.Constant)
                ):
                    unmarked.append(f"{name}:{node.lineno}")
        self.assertEqual(unmarked, [])
        self.assertGreater(len(reasons.marked_messages()), 25)
