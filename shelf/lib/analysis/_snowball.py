"""Snowball stemming (PyStemmer, C) for languages written in Latin letters."""

from __future__ import annotations

import Stemmer

from shelf.lib.analysis.base import is_han, words


class SnowballAnalyser:
    def __init__(self, algorithm: str):
        self._stemmer = Stemmer.Stemmer(algorithm, 20000)

    def stem(self, word: str) -> str:
        # Han bigrams are whole tokens already.
        return word if is_han(word) else self._stemmer.stemWord(word)

    def stem_words(self, folded: list[str]) -> list[str]:
        # Each distinct word once: bodies repeat their words a lot.
        distinct = list(set(folded))
        stems = dict(zip(distinct, self._stemmer.stemWords(distinct), strict=True))
        return list(map(stems.__getitem__, folded))

    def analyse(self, text: str) -> list[str]:
        return self._stemmer.stemWords(words(text))
