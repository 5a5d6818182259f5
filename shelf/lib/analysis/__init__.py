"""Text analysis for search: text in, index tokens out.

An analyser is a module with ``analyse(text) -> list[str]`` (tokens in text
order, so positions are implied by order), ``stem(word) -> str`` for one
folded word, ``stem_words(words) -> list[str]`` for many (the indexer folds
and splits once, then stems), ``STOP_WORDS`` and ``QUESTION_WORDS`` (dropped from queries). Adding a
language is one module registered in
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
# Dropped from queries: stop words and the words of a question, every
# language's (a query's language is not known for sure).
QUERY_STOP_WORDS = STOP_WORDS | frozenset().union(
    *(a.QUESTION_WORDS for a in ANALYSERS.values() if isinstance(a.QUESTION_WORDS, frozenset))
)
HAN_QUESTION_WORDS = zh.QUESTION_WORDS

__all__ = [
    "ANALYSERS",
    "HAN_QUESTION_WORDS",
    "QUERY_STOP_WORDS",
    "STOP_WORDS",
    "analyser_for",
    "fold",
    "guess_language",
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


# Letters that only one of the Latin-script languages uses.
_MARKERS = {"es": set("ñ¿¡"), "fr": set("çèêëàâùûœîï")}


def guess_language(text: str) -> str:
    """The language a short query is written in, or "" when it cannot be
    told: by its script, then by its letters, then by its stop and question
    words ("comment signaler", "¿cómo puedo"). Cheap enough for every query
    (a statistical identifier needs long text and takes seconds to load)."""
    if any("\u0600" <= c <= "\u06ff" for c in text):
        return "ar"
    if any(is_han(c) for c in text):
        return "zh-Hans"
    lowered = text.casefold()
    marked = [tag for tag, letters in _MARKERS.items() if letters & set(lowered)]
    if len(marked) == 1:
        return marked[0]
    folded = words(text)
    scores = {}
    for tag in ("en", "fr", "es"):
        module = ANALYSERS[tag]
        known = module.STOP_WORDS | module.QUESTION_WORDS
        scores[tag] = sum(word in known for word in folded)
    best = max(scores.values())
    winners = [tag for tag, n in scores.items() if n == best]
    return winners[0] if best and len(winners) == 1 else ""
