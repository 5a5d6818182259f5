"""French: case and accent folding, Snowball french stemming."""

from shelf.lib.analysis._snowball import SnowballAnalyser

_analyser = SnowballAnalyser("french")
analyse = _analyser.analyse
stem = _analyser.stem
stem_words = _analyser.stem_words

STOP_WORDS = frozenset(
    [
        "au",
        "aux",
        "ce",
        "ces",
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
