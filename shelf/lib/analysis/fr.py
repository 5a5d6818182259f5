"""French: case and accent folding, Snowball french stemming."""

from shelf.lib.analysis._snowball import SnowballAnalyser
from shelf.lib.analysis.base import fold

_analyser = SnowballAnalyser("french")
analyse = _analyser.analyse
stem = _analyser.stem
stem_words = _analyser.stem_words

STOP_WORDS = frozenset(
    [
        "au",
        "aux",
        "avec",
        "ce",
        "ces",
        "chez",
        "dans",
        "de",
        "des",
        "du",
        "elle",
        "en",
        "est",
        "et",
        "il",
        "ils",
        "la",
        "le",
        "les",
        "leur",
        "leurs",
        "ou",
        "par",
        "pour",
        "qui",
        "que",
        "sur",
        "un",
        "une",
    ]
)

# Words of a question that say nothing about what is wanted.
QUESTION_WORDS = frozenset(
    fold(w)
    for w in [
        "comment",
        "que",
        "quoi",
        "qui",
        "quand",
        "où",
        "pourquoi",
        "quel",
        "quelle",
        "quels",
        "quelles",
        "lequel",
        "laquelle",
        "est-ce",
        "faire",
        "fait",
        "fais",
        "je",
        "j",
        "me",
        "m",
        "mon",
        "ma",
        "mes",
        "nous",
        "vous",
        "il",
        "elle",
        "ils",
        "elles",
        "on",
        "si",
        "est",
        "sont",
        "peut",
        "peux",
        "puis",
        "dois",
        "doit",
        "faut",
        "y",
        "a",
        "ce",
        "cet",
        "cette",
        "ces",
        "qu",
        "se",
        "s",
        "ne",
        "pas",
        "plus",
        "très",
        "bien",
        "trouver",
        "savoir",
    ]
)
