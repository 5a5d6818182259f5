"""Imports run one way: catalogue <- search <- front / api."""

import ast
from pathlib import Path
from unittest import TestCase

import shelf

ROOT = Path(shelf.__file__).parent
HIGHER = ("shelf.search", "shelf.front", "shelf.api", "shelf.curation", "shelf.ingest")
# The admin's workflow buttons call curation; the admin belongs with curation
# and moves there with it.
ALLOWED = {("admin.py", "shelf.curation")}


def imported(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
    return out


class ImportGraphTestCase(TestCase):
    def test_it_never_imports_upwards_from_catalogue(self):
        found = []
        for path in sorted((ROOT / "catalogue").rglob("*.py")):
            if "tests" in path.parts:
                continue
            for name in imported(path):
                for higher in HIGHER:
                    upwards = name == higher or name.startswith(higher + ".")
                    if upwards and (path.name, higher) not in ALLOWED:
                        found.append(f"{path.relative_to(ROOT)} imports {name}")
        self.assertEqual(found, [])

    def test_it_never_imports_front_or_api_from_search(self):
        found = [
            f"{path.relative_to(ROOT)} imports {name}"
            for path in sorted((ROOT / "search").rglob("*.py"))
            if "tests" not in path.parts
            for name in imported(path)
            if name.startswith(("shelf.front", "shelf.api", "shelf.curation", "shelf.ingest"))
        ]
        self.assertEqual(found, [])
