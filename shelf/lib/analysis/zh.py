"""Simplified Chinese: overlapping character bigrams (done in base.words).

Chosen over a dictionary segmenter (jieba) because it needs no dictionary,
cannot miss a word the dictionary lacks (names, new terms), costs nothing at
index time, and a query of 2-4 characters becomes a phrase of its bigrams
("儿童保护" -> 儿童 童保 保护 at consecutive positions), which finds exactly
the items containing that string. The price is a larger index for Chinese
text and no match for one-character queries against longer runs.
"""

from shelf.lib.analysis.base import words

STOP_WORDS = frozenset(["的", "了", "和", "是", "在"])


def stem(word: str) -> str:
    return word


def stem_words(folded: list[str]) -> list[str]:
    return folded


def analyse(text: str) -> list[str]:
    return words(text)


# Question words: removed from a Han run before it is split into bigrams
# ("如何预防欺凌" looks for 预防欺凌), longest first.
QUESTION_WORDS = tuple(
    sorted(
        [
            "如何",
            "怎么样",
            "怎么",
            "怎样",
            "什么是",
            "什么",
            "为什么",
            "哪里",
            "哪些",
            "是否",
            "吗",
            "呢",
            "我们",
            "我",
            "你们",
            "你",
            "应该",
            "可以",
            "能否",
            "请问",
        ],
        key=len,
        reverse=True,
    )
)
