"""Cost of matching a many-word synonym or translated label as a phrase
(as Shelf does) against matching its words anywhere in an item (as it did
before): the corpus's synonym keys that have a many-word alternative, typed
as the query, full ``browse()``, CPU ms p50 / p95, two rounds alternating.

    SHELF_DATA_DIR=var/bench/search-10000 .venv/bin/python bench/search_synonyms.py

"cold" clears the snapshot's cache before each query (a query nobody asked
since the last change); "warm" runs the list twice and times the second.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import search  # noqa: E402


def main() -> None:
    search.setup_django()
    from django.contrib.auth.models import AnonymousUser
    from django.http import QueryDict

    from shelf.lib.analysis import query_forms
    from shelf.search import query, replica
    from shelf.search.browse import browse, parse

    synonyms = replica.current().term_set.synonyms
    keys = sorted(k for k, alts in synonyms.items() if any(len(a) > 1 and a != k for a in alts))
    keys = random.Random(1).sample(keys, min(150, len(keys)))
    print(f"{len(synonyms)} synonym keys, {len(keys)} sampled with many-word alternatives")
    as_phrases = query.phrase_alts

    def as_words(folded, weight=1.0):
        if weight != 0.8:  # only the synonyms' alternatives
            return as_phrases(folded, weight)
        slots = tuple(frozenset(query_forms(w)) for w in folded[: query.MAX_PHRASE_WORDS])
        return [query.Alt(slots=slots, weight=0.8)]

    def run(mode: str, cold: bool) -> tuple[float, float]:
        query.phrase_alts = as_phrases if mode == "phrase" else as_words
        times = []
        for key in keys:
            if cold:
                replica.current().cache.clear()
            params = QueryDict(mutable=True)
            params["q"] = " ".join(key)
            started = time.process_time()
            browse(parse(params), AnonymousUser())
            times.append((time.process_time() - started) * 1000)
        return search.percentiles(times)

    for round_ in range(2):
        for cold in (True, False):
            for mode in ("phrase", "words") if round_ == 0 else ("words", "phrase"):
                run(mode, cold)
                p50, p95 = run(mode, cold)
                state = "cold" if cold else "warm"
                print(f"round {round_ + 1} {state} {mode}: CPU p50 {p50:.2f} p95 {p95:.2f}")


if __name__ == "__main__":
    main()
