"""The taxonomy file: raw source tags -> controlled vocabulary terms."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from shelf.catalogue.models import VOCABULARY_NAMES, Term

TAXONOMY_FILE = Path(__file__).with_name("taxonomy.toml")


@dataclass(frozen=True)
class TermSpec:
    vocabulary: str
    slug: str
    label: str
    aliases: tuple[str, ...] = field(default=())
    # {language code: label} for the interface languages.
    labels: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    # A collection's publisher, as a publisher slug: items of the
    # collection that name none are that publisher's.
    publisher: str = ""


def fold(text: str) -> str:
    """The form tags are compared in: case-folded, single-spaced."""
    return " ".join(text.casefold().split())


class Taxonomy:
    def __init__(self, specs: list[TermSpec]):
        self.specs = specs
        self._by_tag: dict[str, TermSpec] = {}
        self._by_slug = {(spec.vocabulary, spec.slug): spec for spec in specs}
        for spec in specs:
            for name in (spec.label, *spec.aliases):
                self._by_tag.setdefault(fold(name), spec)
        # Then the translated labels, so a French listing's "Enseignants"
        # files under Teachers; a label or alias elsewhere still wins.
        for spec in specs:
            for name in spec.labels.values():
                self._by_tag.setdefault(fold(name), spec)

    @classmethod
    def load(cls, path: Path = TAXONOMY_FILE) -> Taxonomy:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        specs = []
        for vocabulary, terms in data.items():
            if vocabulary not in VOCABULARY_NAMES:
                raise ValueError(f"{path}: unknown vocabulary {vocabulary!r}")
            for slug, spec in terms.items():
                publisher = spec.get("publisher", "")
                if publisher and vocabulary != "collection":
                    raise ValueError(
                        f"{path}: {vocabulary}.{slug}: only a collection has a publisher"
                    )
                specs.append(
                    TermSpec(
                        vocabulary,
                        slug,
                        spec["label"],
                        tuple(spec.get("aliases", ())),
                        dict(spec.get("labels", {})),
                        publisher=publisher,
                    )
                )
        taxonomy = cls(specs)
        for spec in specs:
            if spec.publisher and taxonomy.get("publisher", spec.publisher) is None:
                raise ValueError(
                    f"{path}: collection.{spec.slug}: "
                    f"no publisher {spec.publisher!r} in the taxonomy"
                )
        return taxonomy

    def get(self, vocabulary: str, slug: str) -> TermSpec | None:
        return self._by_slug.get((vocabulary, slug))

    def lookup(self, tag: str) -> TermSpec | None:
        return self._by_tag.get(fold(tag))

    def map_tag(self, tag: str) -> tuple[TermSpec, bool]:
        """The term for a raw tag, and whether the taxonomy knew it.
        Unknown tags become topic terms of their own."""
        if spec := self.lookup(tag):
            return spec, True
        label = " ".join(tag.split())
        return TermSpec("topic", slugify(label, allow_unicode=True)[:100], label, (label,)), False


@transaction.atomic
def sync_terms(taxonomy: Taxonomy | None = None) -> int:
    """Create the taxonomy's missing terms and add its aliases and missing
    translated labels to existing ones. Labels and aliases that curators
    edited in the database win."""
    taxonomy = taxonomy or Taxonomy.load()
    existing = {(t.vocabulary, t.slug): t for t in Term.objects.all()}
    changed = 0
    for spec in taxonomy.specs:
        term = existing.get((spec.vocabulary, spec.slug))
        if term is None:
            Term.objects.create(
                vocabulary=spec.vocabulary,
                slug=spec.slug,
                label=spec.label,
                aliases=list(spec.aliases),
                labels=dict(spec.labels),
            )
            changed += 1
            continue
        aliases = list(dict.fromkeys([*term.aliases, *spec.aliases]))
        kept = {code: label for code, label in (term.labels or {}).items() if label}
        labels = {**spec.labels, **kept}
        if aliases != term.aliases or labels != (term.labels or {}):
            term.aliases, term.labels = aliases, labels
            term.save(update_fields=["aliases", "labels"])
            changed += 1
    return changed
