""" "Did you mean": a query that finds something when the reader's found
nothing."""

from __future__ import annotations

from pyroaring import BitMap

from shelf.search.matching import clause_docs, near_words, text_docs
from shelf.search.query import ParsedQuery, parse_text


def suggest(snap, parsed: ParsedQuery, visible: BitMap) -> str:
    """The reader's words with each unknown one replaced by the most common
    word one or two edits away, if that finds something the reader may see."""
    changed = False
    words_out = []
    for clause in parsed.clauses:
        text = clause.text
        word = clause.fuzzy or (text.casefold() if text.isalpha() and len(text) >= 4 else "")
        if word and not (clause_docs(snap, clause) & visible):
            best = near_words(snap, word, 1 if len(word) < 5 else 2, limit=1)
            if best:
                text, changed = best[0], True
        words_out.append(text)
    if not changed:
        return ""
    suggestion = " ".join(words_out)
    candidate = parse_text(suggestion, snap.term_set.synonyms)
    if candidate.empty or not (text_docs(snap, candidate) & visible):
        return ""
    return suggestion
