"""Folding and word splitting shared by every analyser.

Folding is casefold + compatibility decomposition + removal of combining
marks, which takes accents off Latin letters ("Enlèvement" -> "enlevement"),
harakat off Arabic and turns the hamza forms of alef into bare alef. Runs of
Han characters have no spaces between words, so they are split into
overlapping bigrams here, whatever the item's language.
"""

from __future__ import annotations

import re
import unicodedata

_MARKS = re.compile(
    r"[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u1ab0-\u1aff\u20d0-\u20ff]"
)
# Tatweel is decoration; ta marbuta and alef maqsura are spelled both ways.
_ARABIC = str.maketrans({"\u0640": None, "\u0629": "\u0647", "\u0649": "\u064a"})
_WORD = re.compile(r"\w+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# For highlighting: words in the original text, combining marks included.
_SPAN = re.compile(r"[\w\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670]+")


# ASCII fast path: letters lower-cased, digits kept, everything else a space.
_ASCII = bytes(
    (c + 32 if 65 <= c <= 90 else c) if (48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122) else 32
    for c in range(256)
)


def fold(text: str) -> str:
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text.casefold())
    return _MARKS.sub("", text).translate(_ARABIC)


def is_han(text: str) -> bool:
    """Whether a word (or character) is written in Han characters (judged
    by its first: bigrams and runs are never mixed)."""
    return bool(text) and "\u3400" <= text[0] <= "\ufaff"


def han_bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def words(text: str) -> list[str]:
    """Folded words in order; Han runs become bigrams."""
    if text.isascii():
        return text.encode("ascii").translate(_ASCII).decode("ascii").split()
    folded = fold(text)
    found = _WORD.findall(folded)
    if folded.isascii() or not _HAN.search(folded):
        return found
    out: list[str] = []
    for word in found:
        if not _HAN.search(word):
            out.append(word)
            continue
        pos = 0
        for match in _HAN.finditer(word):
            if match.start() > pos:
                out.append(word[pos : match.start()])
            out.extend(han_bigrams(match.group()))
            pos = match.end()
        if pos < len(word):
            out.append(word[pos:])
    return out


def spans(text: str) -> list[tuple[int, int, list[str]]]:
    """(start, end, folded words) for each word of the original text, so a
    highlighter can map matched tokens back to characters."""
    out = []
    for match in _SPAN.finditer(text):
        out.append((match.start(), match.end(), words(match.group())))
    return out
