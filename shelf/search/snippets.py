"""Highlighted excerpts: where the reader's words occur in an item, as safe
HTML. Text is escaped piece by piece and only our own <mark> tags are
added, so nothing from the item can inject markup."""

from __future__ import annotations

import re
import unicodedata

from django.utils.html import escape
from django.utils.safestring import mark_safe

from shelf.lib.analysis import analyser_for, fold, is_han, query_forms

WIDTH = 220
# How far into the body an excerpt is looked for.
BODY_CHARS = 4000
# How many pages of an attached file an excerpt is looked for in.
FILE_PAGES = 20
_WORD = re.compile(r"\w+")


class _FoldTable(dict):
    """Folds one character to one character, so offsets in the folded text
    are offsets in the original."""

    def __missing__(self, char: int):
        folded = fold(chr(char))
        value = (
            folded[0]
            if len(folded) >= 1 and unicodedata.category(chr(char))[0] != "M"
            else chr(char)
        )
        self[char] = value
        return value


_FOLD = _FoldTable()


def _fold_aligned(text: str) -> str:
    return text.lower() if text.isascii() else text.translate(_FOLD)


def _prefixes(tokens: set[str]) -> re.Pattern | None:
    # Stems are (nearly always) prefixes of the words they come from; the
    # stem of each candidate is checked afterwards.
    usable = sorted({t[:4] if len(t) > 4 else t for t in tokens if t}, key=len, reverse=True)
    if not usable:
        return None
    return re.compile("|".join(re.escape(t) for t in usable))


def hits(text: str, language: str, tokens: set[str], pattern, known=None) -> list[tuple[int, int]]:
    """Character ranges of the words of ``text`` whose analysis is one of
    ``tokens``; ``known`` caches the verdict per word across calls."""
    folded = _fold_aligned(text)
    analyser = analyser_for(language)
    known = {} if known is None else known
    out: list[tuple[int, int]] = []
    for match in pattern.finditer(folded):
        start = match.start()
        if is_han(folded[start]):
            end = start + 2
            if folded[start:end] not in tokens:
                continue
        else:
            if start > 0 and folded[start - 1].isalnum():
                if not "\u0600" <= folded[start] <= "\u06ff":
                    continue  # inside a word, not at its start
                # Arabic words carry prefixes such as the article: back to
                # the start of the word, which is what gets checked.
                while start > 0 and folded[start - 1].isalnum():
                    start -= 1
                if out and start < out[-1][1]:
                    continue
            word = _WORD.match(folded, start)
            whole = word.group()
            verdict = known.get(whole)
            if verdict is None:
                verdict = known[whole] = (
                    whole in tokens or analyser.stem(whole) in tokens or _any_stem(whole, tokens)
                )
            if not verdict:
                continue
            end = word.end()
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))  # overlapping bigrams
        else:
            out.append((start, end))
    return out


def _any_stem(word: str, tokens: set[str]) -> bool:
    return bool(query_forms(word) & tokens)


def render(text: str, marks: list[tuple[int, int]], width: int = WIDTH) -> str:
    if not marks:
        cut = text[:width]
        return mark_safe(escape(cut) + ("…" if len(text) > width else ""))  # noqa: S308
    first = marks[0][0]
    start = max(0, first - width // 3)
    if start:
        space = text.rfind(" ", 0, start + 1)
        start = space + 1 if space >= 0 and first - space < width // 2 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > marks[0][1] else end
    out = ["…" if start else ""]
    pos = start
    for a, b in marks:
        if a < start or b > end:
            continue
        out.append(escape(text[pos:a]))
        out.append("<mark>" + escape(text[a:b]) + "</mark>")
        pos = b
    out.append(escape(text[pos:end]))
    if end < len(text):
        out.append("…")
    # Every piece of the item's text went through escape() above.
    return mark_safe("".join(out))  # noqa: S308


class Highlighter:
    """Excerpts for one page of results: the pattern is compiled once and
    each word's verdict is remembered across the page."""

    def __init__(self, tokens: set[str], width: int = WIDTH):
        self.tokens = tokens
        self.width = width
        self.pattern = _prefixes(tokens)
        self.known: dict[str, bool] = {}

    def excerpt(self, text: str, language: str) -> str:
        if self.pattern is None or not text:
            return ""
        marks = hits(text, language, self.tokens, self.pattern, self.known)
        return render(text, marks, self.width) if marks else ""

    def snippet(self, resource, body: str, files=()) -> str:
        """From the summary, else the body, else the attached files' text;
        the summary's beginning when the match was elsewhere (a term)."""
        language = resource.language or ""
        for text in (resource.summary or "", body[:BODY_CHARS], *files):
            found = self.excerpt(text, language)
            if found:
                return found
        return ""

    def fallback(self, resource) -> str:
        return render(resource.summary or "", [], self.width)


def file_texts(resource_ids: list[int]) -> dict[int, list[str]]:
    """The start of each page of the read files of some resources (the first
    pages only: an excerpt needs one match, not the whole book)."""
    from django.apps import apps
    from django.db.models.functions import Substr

    if not resource_ids or not apps.is_installed("shelf.files"):
        return {}
    pages = apps.get_model("files", "FilePage").objects.filter(
        file__resource_id__in=resource_ids, file__status="ready", number__lte=FILE_PAGES
    )
    out: dict[int, list[str]] = {}
    rows = pages.order_by("file_id", "number").values_list(
        "file__resource_id", Substr("text", 1, BODY_CHARS)
    )
    for rid, text in rows:
        out.setdefault(rid, []).append(text or "")
    return out
