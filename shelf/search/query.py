"""Reading what a reader typed into clauses the engine can match.

Nothing a reader types is an error: quotes make phrases when they balance
and are ignored when they do not; ``-word`` excludes; FTS operators
(``* : ( ) + ^ ~`` and upper-case AND/OR/NOT/NEAR), emoji, control and
direction marks are dropped. The number of clauses is capped so no query
can run for long.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from shelf.lib.analysis import (
    ANALYSERS,
    HAN_QUESTION_WORDS,
    QUERY_STOP_WORDS,
    is_han,
    query_forms,
    words,
)
from shelf.lib.analysis.variants import spellings

MAX_CLAUSES = 8
MAX_EXCLUDED = 4
MAX_PHRASE_WORDS = 8
MAX_SYNONYM_WORDS = 5
# The last word of a query is matched as the start of words from this many
# letters ("law enf": enforcement), as a reader types.
MIN_PREFIX = 3
OPERATORS = frozenset(["AND", "OR", "NOT", "NEAR"])
_PIECE = re.compile(r'(-?)"([^"]*)"|(\S+)')
_NOISE = re.compile(r"[*:()+^~\"{}\[\]<>|\\/!?=&]")


@dataclass(frozen=True)
class Alt:
    """One way of matching a clause: all ``slots`` somewhere in the item
    (each slot any of its forms), or ``phrase`` tokens in a row."""

    slots: tuple[frozenset[str], ...] = ()
    phrase: tuple[str, ...] = ()
    weight: float = 1.0
    # The words the query's last word, typed half-way, may be the start of.
    typed: bool = False


@dataclass
class Clause:
    text: str
    alts: list[Alt]
    # The folded word that typo tolerance and prefixes may widen (single
    # plain words of 4+ letters only).
    fuzzy: str = ""
    # The folded last word of the query, maybe typed half-way (3+ letters).
    prefix: str = ""


@dataclass
class ParsedQuery:
    clauses: list[Clause] = field(default_factory=list)
    excluded: list[Clause] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.clauses


def clean(text: str) -> str:
    """Control, format (direction marks, zero-width) and symbol characters
    (emoji) out; letters, digits, punctuation and spaces stay."""
    out = []
    for char in text:
        cat = unicodedata.category(char)
        if cat[0] == "C" or cat in ("So", "Sk", "Cs"):
            out.append(" ")
        else:
            out.append(char)
    return "".join(out)


def phrase_alts(folded: list[str], weight: float = 1.0) -> list[Alt]:
    """A phrase in every language's analysis (deduplicated)."""
    folded = folded[:MAX_PHRASE_WORDS]
    if len(folded) == 1:
        return [Alt(slots=(frozenset(query_forms(folded[0])),), weight=weight)]
    seen = {tuple(a.stem_words(list(folded))) for a in ANALYSERS.values()}
    return [Alt(phrase=p, weight=weight) for p in sorted(seen)]


def word_clause(raw: str) -> Clause | None:
    folded = words(raw)
    if not folded:
        return None
    if len(folded) == 1:
        word = folded[0]
        fuzzy = word if len(word) >= 4 and word.isalpha() and not is_han(word) else ""
        return Clause(raw, [Alt(slots=(word_forms(word),))], fuzzy)
    # "covid-19", a Chinese run: its parts in a row.
    alts = phrase_alts(folded)
    if all(is_han(w) for w in folded):
        # Chinese words are often split by others ("儿童网络安全保护" for
        # "儿童保护"): the string's words anywhere also match, ranked lower.
        cover = folded[::2] if len(folded) % 2 else folded[::2] + folded[-1:]
        alts.append(Alt(slots=tuple(frozenset([b]) for b in dict.fromkeys(cover)), weight=0.5))
    return Clause(raw, alts)


def word_forms(word: str) -> frozenset[str]:
    """The index tokens of one folded word and of its other spellings
    (British and American): the same word, so the same weight."""
    forms = query_forms(word)
    for other in spellings(word):
        forms |= query_forms(other)
    return frozenset(forms)


def _without_question_words(part: str) -> list[str]:
    """A run of Han characters without its question words ("如何预防欺凌":
    预防欺凌); other text as it is."""
    if not any(is_han(c) for c in part):
        return [part]
    for word in HAN_QUESTION_WORDS:
        part = part.replace(word, " ")
    return part.split()


def parse_text(
    text: str, synonyms: dict[tuple[str, ...], list[tuple[str, ...]]] | None = None
) -> ParsedQuery:
    parsed = ParsedQuery()
    text = clean(text.replace("\x00", " "))[:1000]
    plain: list[str] = []  # runs of plain words, for synonym matching
    pieces: list[tuple[str, str, bool]] = []  # (kind, text, negated)
    for match in _PIECE.finditer(text):
        negated, quoted, word = match.group(1), match.group(2), match.group(3)
        if word is None:
            pieces.append(("phrase", quoted, bool(negated)))
            continue
        negated = word.startswith("-") and len(word) > 1
        for part in _NOISE.sub(" ", word.lstrip("-") if negated else word).split():
            if part in OPERATORS:
                continue
            pieces.extend(("word", p, negated) for p in _without_question_words(part))
    words_run: list[str] = []
    for kind, raw, negated in pieces:
        if kind == "word" and not negated:
            words_run.append(raw)
            continue
        _flush(words_run, parsed, synonyms)
        words_run = []
        if kind == "phrase":
            folded = words(raw)
            if not folded:
                continue
            clause = Clause(raw, phrase_alts(folded))
        else:
            clause = word_clause(raw)
            if clause is None:
                continue
            clause.fuzzy = ""
        (parsed.excluded if negated else parsed.clauses).append(clause)
    _flush(words_run, parsed, synonyms)
    del plain
    _mark_prefix(parsed, pieces)
    _drop_stop_words(parsed)
    parsed.clauses = list({c.text.casefold(): c for c in parsed.clauses}.values())
    if len(parsed.clauses) > MAX_CLAUSES:
        parsed.clauses = parsed.clauses[:MAX_CLAUSES]
        parsed.notes.append("words")
    parsed.excluded = parsed.excluded[:MAX_EXCLUDED]
    return parsed


def _flush(run: list[str], parsed: ParsedQuery, synonyms) -> None:
    """Plain words in a row: synonym phrases first (longest match), then
    one clause per word."""
    if not run:
        return
    folded_run = [words(w) for w in run]
    i = 0
    while i < len(run):
        found = None
        if synonyms:
            for n in range(min(MAX_SYNONYM_WORDS, len(run) - i), 0, -1):
                key = tuple(w for ws in folded_run[i : i + n] for w in ws)
                if key in synonyms:
                    found = (n, key)
                    break
        if found:
            n, key = found
            raw = " ".join(run[i : i + n])
            alts = [Alt(slots=tuple(frozenset(query_forms(w)) for w in key))]
            for other in synonyms[key]:
                if other != key:
                    # The alternative's words in a row: with translated term
                    # labels among the synonyms, words anywhere in an item
                    # match by chance ("Centros educativos" from "Centro
                    # Internacional ..." and "Educators"). Phrase checks are
                    # bounded (PHRASE_CHECK_LIMIT), so common words stay cheap.
                    alts.extend(phrase_alts(list(other), weight=0.8))
            parsed.clauses.append(Clause(raw, alts))
            i += n
            continue
        clause = word_clause(run[i])
        if clause is not None:
            parsed.clauses.append(clause)
        i += 1


def _mark_prefix(parsed: ParsedQuery, pieces) -> None:
    """The query's last piece, if a plain word, may be typed half-way."""
    if not pieces or not parsed.clauses:
        return
    kind, raw, negated = pieces[-1]
    last = parsed.clauses[-1]
    folded = words(raw)
    if kind != "word" or negated or last.text != raw or len(folded) != 1:
        return
    word = folded[0]
    if len(word) >= MIN_PREFIX and word.isalpha() and not is_han(word):
        last.prefix = word


def _drop_stop_words(parsed: ParsedQuery) -> None:
    def is_stop(clause: Clause) -> bool:
        return (
            len(clause.alts) == 1
            and len(words(clause.text)) == 1
            and words(clause.text)[0] in QUERY_STOP_WORDS
        )

    kept = [c for c in parsed.clauses if not is_stop(c)]
    if kept:
        parsed.clauses = kept
    # Only stop words: keep them, they are indexed, so the reader gets results.


def synonym_map(groups: list[list[str]]) -> dict[tuple[str, ...], list[tuple[str, ...]]]:
    """Folded word tuples -> every alternative of their group."""
    out: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for group in groups:
        keys = [tuple(words(p)) for p in group]
        keys = [k for k in dict.fromkeys(keys) if k and len(k) <= MAX_SYNONYM_WORDS]
        if len(keys) < 2:
            continue
        for key in keys:
            out.setdefault(key, [])
            out[key] += [k for k in keys if k not in out[key]]
    return out
