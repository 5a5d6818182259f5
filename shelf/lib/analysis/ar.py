"""Arabic: normalisation (in folding: alef forms, ta marbuta, alef maqsura,
harakat, tatweel) and light stemming in the style of Larkey's light10:
strip one conjunction/article prefix and common suffixes, never leaving a
stem shorter than two letters. Light stemming conflates far fewer unrelated
words than root extraction, which is what a library search wants."""

from __future__ import annotations

from functools import lru_cache

from shelf.lib.analysis.base import fold, words

# After folding: ta marbuta is ha, alef maqsura is ya.
_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال")
_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")

STOP_WORDS = frozenset(
    fold(w)
    for w in [
        "في",
        "من",
        "على",
        "إلى",
        "عن",
        "و",
        "أو",
        "ما",
        "لا",
        "هذا",
        "هذه",
        "التي",
        "الذي",
        "ذلك",
        "مع",
        "كان",
        "أن",
        "إن",
    ]
)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    if not ("\u0600" <= word[:1] <= "\u06ff"):
        return word
    if len(word) >= 4 and word.startswith("و"):
        word = word[1:]
    for prefix in _PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            word = word[len(prefix) :]
            break
    changed = True
    while changed:
        changed = False
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 2:
                word = word[: -len(suffix)]
                changed = True
                break
    return word


def stem_words(folded: list[str]) -> list[str]:
    return [stem(w) for w in folded]


def analyse(text: str) -> list[str]:
    return stem_words(words(text))


# Words of a question that say nothing about what is wanted.
QUESTION_WORDS = frozenset(
    fold(w)
    for w in [
        "كيف",
        "ماذا",
        "متى",
        "أين",
        "لماذا",
        "هل",
        "ما",
        "ماهي",
        "هي",
        "هو",
        "أنا",
        "نحن",
        "يمكن",
        "يمكنني",
        "أفعل",
        "نفعل",
        "يجب",
        "علي",
        "إذا",
        "عند",
        "كم",
        "أي",
    ]
)
