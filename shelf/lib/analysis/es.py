"""Spanish: case and accent folding, Snowball spanish stemming."""

from shelf.lib.analysis._snowball import SnowballAnalyser

_analyser = SnowballAnalyser("spanish")
analyse = _analyser.analyse
stem = _analyser.stem
stem_words = _analyser.stem_words

STOP_WORDS = frozenset(
    [
        "al",
        "como",
        "de",
        "del",
        "el",
        "en",
        "es",
        "la",
        "las",
        "lo",
        "los",
        "para",
        "por",
        "que",
        "se",
        "sus",
        "una",
        "uno",
        "unos",
        "y",
    ]
)
