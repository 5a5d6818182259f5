"""Why a file failed, in the reader's language.

The reasons are stored in English (``ResourceFile.error``): the worker that
writes them serves no reader. Each is one of the messages marked with
``gettext_noop`` in the modules below, with its ``%(name)s`` values filled
in, so the message is found again by its shape and shown translated.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

from django.utils.translation import gettext

PACKAGE = Path(__file__).resolve().parent.parent
SOURCES = ["lib/extract.py", "lib/filetypes.py", "files/tasks.py"]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def marked_messages() -> list[str]:
    found = []
    for name in SOURCES:
        for node in ast.walk(ast.parse((PACKAGE / name).read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "gettext_noop"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found.append(node.args[0].value)
    return found


@functools.cache
def _patterns() -> list[tuple[re.Pattern, str]]:
    patterns = []
    for message in dict.fromkeys(marked_messages()):
        parts = PLACEHOLDER.split(message)
        regex = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
        )
        patterns.append((re.compile(regex + r"\Z", re.S), message))
    return patterns


def translate(reason: str) -> str:
    """``reason`` in the active language; unknown text is returned as it is."""
    for pattern, message in _patterns() if reason else ():
        if found := pattern.match(reason):
            translated = gettext(message)
            return translated % found.groupdict() if found.groupdict() else translated
    return reason
