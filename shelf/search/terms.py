"""The terms and synonyms a snapshot reads queries and facets with."""

from __future__ import annotations

from dataclasses import dataclass

from shelf.catalogue.models import Term
from shelf.search import documents
from shelf.search.models import Synonym
from shelf.search.query import synonym_map


@dataclass(frozen=True)
class TermSet:
    by_key: dict[tuple[str, str], Term]  # (vocabulary, slug) -> term
    by_id: dict[int, Term]
    table: dict[int, tuple[str, str, list[str]]]  # for indexing (documents.term_table)
    synonyms: dict[tuple[str, ...], list[tuple[str, ...]]]
    by_vocabulary: dict[str, list[Term]]

    @classmethod
    def load(cls) -> TermSet:
        terms = list(Term.objects.all())
        table = documents.term_table(terms)
        groups = [s.phrases() for s in Synonym.objects.all()]
        groups += [[label, *names] for _v, label, names in table.values() if names]
        by_vocabulary: dict[str, list[Term]] = {}
        for t in terms:
            by_vocabulary.setdefault(t.vocabulary, []).append(t)
        return cls(
            {(t.vocabulary, t.slug): t for t in terms},
            {t.id: t for t in terms},
            table,
            synonym_map(groups),
            by_vocabulary,
        )

    def get(self, vocabulary: str, slug: str) -> Term | None:
        return self.by_key.get((vocabulary, slug))

    def knows_all(self, term_ids) -> bool:
        return all(tid in self.by_id for tid in term_ids)
