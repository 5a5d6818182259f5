"""The terms and synonyms a snapshot reads queries and facets with."""

from __future__ import annotations

from dataclasses import dataclass, field

from shelf.catalogue.models import Term
from shelf.search import documents
from shelf.search.models import Synonym
from shelf.search.query import synonym_map


@dataclass(frozen=True)
class TermSet:
    """Read once per change of terms or synonyms; immutable afterwards
    (the label cache only remembers what the terms determine)."""

    by_key: dict[tuple[str, str], Term]  # (vocabulary, slug) -> term
    by_id: dict[int, Term]
    table: dict[int, tuple[str, str, list[str]]]  # for indexing (documents.term_table)
    synonyms: dict[tuple[str, ...], list[tuple[str, ...]]]
    by_vocabulary: dict[str, list[Term]]
    labels: dict = field(default_factory=dict, compare=False)

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

    def label(self, vocabulary: str, slug: str, language: str | None) -> str:
        """A term's label in ``language`` (remembered: facets show the same
        few hundred labels on every page)."""
        key = (vocabulary, slug, language)
        found = self.labels.get(key)
        if found is None:
            found = self.labels[key] = self.by_key[(vocabulary, slug)].label_for(language)
        return found

    def knows_all(self, term_ids) -> bool:
        return all(tid in self.by_id for tid in term_ids)
