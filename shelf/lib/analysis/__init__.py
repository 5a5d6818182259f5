"""Text analysis for search: text in, index tokens out.

An analyser is a module with ``analyse(text) -> list[str]`` (tokens in text
order, so positions are implied by order), ``stem(word) -> str`` for one
folded word, ``stem_words(words) -> list[str]`` for many (the indexer folds
and splits once, then stems), and ``STOP_WORDS``. Adding a language is one module registered in
:data:`ANALYSERS`. Items are indexed with their own language's analyser;
queries are analysed with every analyser and matched across all of them.
"""

from __future__ import annotations

from types import ModuleType

from shelf.lib.analysis import ar, en, es, fr, zh
from shelf.lib.analysis.base import fold, is_han, spans, words

ANALYSERS: dict[str, ModuleType] = {
    "en": en,
    "fr": fr,
    "es": es,
    "ar": ar,
    "zh-Hans": zh,
}
DEFAULT = "en"
STOP_WORDS = frozenset().union(*(a.STOP_WORDS for a in ANALYSERS.values()))

__all__ = [
    "ANALYSERS",
    "STOP_WORDS",
    "analyser_for",
    "fold",
    "is_han",
    "query_forms",
    "spans",
    "words",
]


def analyser_for(language: str) -> ModuleType:
    """The analyser for a BCP 47 tag: exact, then by primary subtag
    ("fr-CA" -> fr, "zh" -> zh-Hans), else English (no harm on unknown
    Latin text beyond missed stems)."""
    if language in ANALYSERS:
        return ANALYSERS[language]
    primary = language.split("-")[0].lower()
    for tag, module in ANALYSERS.items():
        if tag.split("-")[0] == primary:
            return module
    return ANALYSERS[DEFAULT]


def query_forms(word: str) -> set[str]:
    """Every index token one folded query word may stand for, across all
    languages (a word written in Latin letters is stemmed as English, French
    and Spanish; Arabic letters are normalised and lightly stemmed)."""
    return {a.stem(word) for a in ANALYSERS.values()}
