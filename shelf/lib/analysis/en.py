"""English: case and accent folding, Snowball english stemming."""

from shelf.lib.analysis._snowball import SnowballAnalyser

_analyser = SnowballAnalyser("english")
analyse = _analyser.analyse
stem = _analyser.stem
stem_words = _analyser.stem_words

# Dropped from queries (not from the index, so an all-stop-word query still
# finds something and phrases keep their positions).
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "their",
        "this",
        "to",
        "was",
        "were",
        "will",
        "with",
    ]
)
