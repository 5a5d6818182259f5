"""Cleaning text that arrives from outside: web listings, spreadsheets."""

from __future__ import annotations

import html
import unicodedata

# Characters that take space or none at all but that ``str.split`` keeps:
# zero-width spaces and joiners, stray byte order marks, soft hyphens.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def clean(text: str) -> str:
    """One line of text as Shelf stores it: HTML entities decoded, Unicode
    in NFC, every run of whitespace (non-breaking spaces included) one space."""
    text = html.unescape(text)
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    return " ".join(text.split())


def looks_binary(data: bytes) -> bool:
    """NUL bytes never occur in the text files Shelf reads."""
    return b"\x00" in data[:65536]


def decode(data: bytes) -> str:
    """UTF-8 text with an optional byte order mark and any line endings,
    as a string with ``\\n`` line endings. Raises ValueError otherwise."""
    if looks_binary(data):
        raise ValueError("this is a binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise ValueError(f"line {line}: not UTF-8 text ({e.reason})") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")
