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


class DecodeError(ValueError):
    """Bytes that are not text; ``line`` is where, when known."""

    def __init__(self, reason: str, line: int | None = None):
        super().__init__(f"line {line}: {reason}" if line else reason)
        self.reason = reason
        self.line = line


def looks_binary(data: bytes) -> bool:
    """NUL bytes never occur in the text files Shelf reads (UTF-16 aside)."""
    return b"\x00" in data[:65536]


def utf16_encoding(data: bytes) -> str | None:
    """``utf-16`` for UTF-16 text with a byte order mark (what spreadsheet
    programs write as "Unicode text"), ``utf-16-le``/``-be`` for UTF-16 that
    lacks one but has a NUL in every other byte of its ASCII, else None."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") and data[:4] != b"\xff\xfe\x00\x00":
        return "utf-16"
    head = data[:4096]
    if len(head) < 4 or len(head) % 2:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def decode(data: bytes, *, newlines: bool = True) -> str:
    """UTF-8 (optional byte order mark) or UTF-16 text as a string, with
    ``\n`` line endings unless ``newlines`` is false (CSV keeps its own, so
    a carriage return inside a quoted cell survives). Raises ValueError,
    with the line, for anything else and for text holding a NUL."""
    encoding = utf16_encoding(data)
    if encoding:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as e:
            line = data[: e.start].decode(encoding, "replace").count("\n") + 1
            raise DecodeError(f"not UTF-16 text ({e.reason})", line) from None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            if looks_binary(data):
                raise DecodeError("this is a binary file, not text") from None
            line = data[: e.start].count(b"\n") + 1
            raise DecodeError(f"not UTF-8 text ({e.reason})", line) from None
    text = text.removeprefix("\ufeff")
    if (nul := text.find("\x00")) >= 0:
        line = text.count("\n", 0, nul) + 1
        raise DecodeError("a NUL character, which text never holds (is this a binary file?)", line)
    if not newlines:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")
