"""Spanish: case and accent folding, Snowball spanish stemming."""

from shelf.lib.analysis._snowball import SnowballAnalyser
from shelf.lib.analysis.base import fold

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

# Words of a question that say nothing about what is wanted.
QUESTION_WORDS = frozenset(
    fold(w)
    for w in [
        "cómo",
        "qué",
        "cuál",
        "cuáles",
        "cuándo",
        "dónde",
        "quién",
        "quiénes",
        "por",
        "porqué",
        "puedo",
        "puede",
        "pueden",
        "podemos",
        "debo",
        "debe",
        "deben",
        "hacer",
        "hago",
        "hace",
        "yo",
        "me",
        "mi",
        "mis",
        "nosotros",
        "usted",
        "ustedes",
        "él",
        "ella",
        "ellos",
        "si",
        "es",
        "son",
        "se",
        "su",
        "sus",
        "lo",
        "le",
        "les",
        "hay",
        "sobre",
        "muy",
        "encuentro",
        "encontrar",
        "saber",
    ]
)
