"""The catalogue is the bottom layer: search, the pages, the API, curation
and the importers build on it, never the other way round, so it can be read,
tested and changed without them."""

import ast
from pathlib import Path

from django.test import SimpleTestCase

CATALOGUE = Path(__file__).resolve().parents[1]
ABOVE = ("shelf.search", "shelf.front", "shelf.api", "shelf.curation", "shelf.ingest")


def package_of(path: Path) -> str:
    return ".".join(path.relative_to(CATALOGUE.parent.parent).with_suffix("").parts[:-1])


def imported_modules(source: str, package: str) -> list[tuple[int, str]]:
    """Every module ``source`` imports, at any depth (inside functions too),
    relative imports resolved against ``package``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            # "from shelf import search" imports shelf.search.
            found += [(node.lineno, base)] + [(node.lineno, f"{base}.{a.name}") for a in node.names]
    return found


def upward(module: str) -> bool:
    return any(module == name or module.startswith(name + ".") for name in ABOVE)


class ImportRuleTests(SimpleTestCase):
    def test_it_finds_no_module_of_catalogue_importing_a_layer_above(self):
        offenders = [
            f"{path.relative_to(CATALOGUE.parent.parent)}:{line} imports {module}"
            for path in sorted(CATALOGUE.rglob("*.py"))
            for line, module in imported_modules(path.read_text(), package_of(path))
            if upward(module)
        ]
        self.assertEqual(offenders, [])

    def test_it_sees_imports_of_every_form(self):
        source = (
            "import shelf.search.engine\n"
            "from shelf import curation\n"
            "from ..ingest import services\n"
            "def f():\n"
            "    from shelf.api.views import resource\n"
            "from shelf.catalogue import models\n"
            "from . import signals\n"
        )
        modules = {m for _line, m in imported_modules(source, "shelf.catalogue") if upward(m)}
        self.assertEqual(
            modules,
            {
                "shelf.search.engine",
                "shelf.curation",
                "shelf.ingest",
                "shelf.ingest.services",
                "shelf.api.views",
                "shelf.api.views.resource",
            },
        )
