"""Writing parsed records to the catalogue: one file, one transaction."""

from __future__ import annotations

import datetime
import hashlib
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from shelf.catalogue import revisions
from shelf.catalogue.models import (
    VOCABULARY_NAMES,
    Resource,
    Status,
    Term,
    Visibility,
    reserved_slug,
)
from shelf.catalogue.taxonomy import fold
from shelf.curation import audit
from shelf.ingest.models import Baseline
from shelf.ingest.records import (
    FIELDS,
    IngestError,
    Record,
    TermRef,
    combine,
    term_ref,
    validate,
)
from shelf.ingest.signals import bulk_imported
from shelf.lib import bulk, languages

BATCH = 500
# The plain columns a record sets; slug and the links are handled apart.
SCALAR_FIELDS = tuple(f for f in FIELDS if f not in ("slug", "terms", "translations", "supersedes"))
MISSING = object()


@dataclass
class Report:
    source: str
    dry_run: bool = False
    created: list[tuple[str, str]] = field(default_factory=list)  # (key, title)
    updated: list[tuple[str, list[str]]] = field(default_factory=list)  # (key, changed fields)
    unchanged: list[str] = field(default_factory=list)  # keys
    unknown_tags: Counter = field(default_factory=Counter)  # tag -> items
    new_terms: list[Term] = field(default_factory=list)
    duplicates: list[tuple[int, int, str]] = field(default_factory=list)  # (line, first, key)
    ids: list[int] = field(default_factory=list)  # created or updated
    # (key, what was left as a curator changed it): "summary", "terms (audience)"
    kept: list[tuple[str, list[str]]] = field(default_factory=list)


@transaction.atomic
def import_records(
    *,
    records: list[Record],
    source: str,
    origin: str = "",
    dry_run: bool = False,
    overwrite_curated: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Create or update a resource per record, matched on ``Record.key``.

    ``origin`` names where the records come from ("listing", "csv", ...):
    what it said last time is kept (:class:`~shelf.ingest.models.Baseline`),
    and a field or vocabulary changed since then is a curator's work, left
    as it is (and reported) unless ``overwrite_curated``.

    Everything is validated before anything is written, and it all happens
    in one transaction: an error leaves the catalogue as it was. A dry run
    does the same work and rolls it back, so what it reports is exactly
    what the import would do. ``progress(done, total)`` is called after
    each batch of records is written."""
    errors = [e for r in records for e in validate(r)]
    errors += check_new_items(records)
    if errors:
        error = combine(errors)
        error.source = source
        raise error
    report = Report(source=source, dry_run=dry_run)
    records = drop_duplicates(records, report)
    for record in records:
        report.unknown_tags.update(dict.fromkeys(record.unknown_tags, 1))

    try:
        terms = TermIndex(report)
        check_new_terms(records, terms)
        slugs = SlugAllocator()
        done = 0
        for chunk in chunks(records, BATCH):
            # Written a chunk at a time (still in the one transaction), so
            # a large file holds its records but not also all their rows.
            new, changed, term_rows, replace_terms = [], [], [], []
            existing = load_existing([r.key for r in chunk])
            baselines = load_baselines(existing, origin)
            remembered: list[tuple[Resource, dict]] = []
            slugs.preload(base_slug(r) for r in chunk)
            for record in chunk:
                # In the source's order: the first publisher is the lead one.
                term_ids = list(
                    dict.fromkeys(terms.resolve(r).id for r in with_language_term(record))
                )
                found = existing.get(record.key)
                if found is None:
                    resource = new_resource(record, slugs)
                    new.append((resource, term_ids))
                    report.created.append((record.key, record.title))
                    if origin:
                        remembered.append((resource, first_values(record, term_ids, terms)))
                    continue
                resource, old_term_ids = found
                baseline = baselines.get(resource.id)
                values = dict(baseline[1]) if baseline else {}
                fields, kept, want = remember(
                    record, resource, old_term_ids, term_ids, terms, values, overwrite_curated
                )
                fields += apply_slug(record, resource, slugs)
                if want != old_term_ids:
                    fields.append("terms")
                    replace_terms.append(resource.id)
                    term_rows += [(resource.id, t) for t in want]
                if kept:
                    report.kept.append((record.key, kept))
                if fields:
                    changed.append((resource, fields))
                    report.updated.append((record.key, fields))
                else:
                    report.unchanged.append(record.key)
                if origin and (baseline is None or values != baseline[1]):
                    remembered.append((resource, values))
            write(new, changed, term_rows, replace_terms, report)
            if origin:
                save_baselines(origin, remembered, baselines)
            if progress:
                done += len(chunk)
                progress(done, len(records))
        link(records, report)
    except IngestError as e:
        e.source = source
        raise
    if dry_run:
        transaction.set_rollback(True)
        return report
    audit.record(
        audit.current_user(),
        audit.IMPORT,
        None,
        file=os.path.basename(source),
        created=len(report.created),
        updated=len(report.updated),
        unchanged=len(report.unchanged),
    )
    if report.ids:
        # Sent inside the file's transaction: listeners (the search change
        # feed) write with it, so a crash after the commit loses nothing.
        bulk_imported(report.ids)
    return report


def check_new_items(records: list[Record]) -> list[IngestError]:
    """A record that would create an item must have a title, and an empty
    status or visibility cell is no default for one: it would publish."""
    partial = [r for r in records if "title" not in r.fields or r.blank]
    if not partial:
        return []
    known: set[str] = set()
    for chunk in chunks(sorted({r.key for r in partial}), BATCH):
        known.update(Resource.objects.filter(key__in=chunk).values_list("key", flat=True))
    errors = []
    for record in partial:
        if record.key in known:
            continue
        if "title" not in record.fields:
            errors.append(
                record.error(
                    f"{record.key[:100]!r} is not in the catalogue; a new item needs a title",
                    "title",
                )
            )
        for name in record.blank:
            if name == "title":
                continue
            choices = ", ".join(Status.values if name == "status" else Visibility.values)
            errors.append(
                record.error(
                    f"{name} is empty; a new item needs one of {choices} (leave the column out "
                    "for the default)",
                    name,
                )
            )
    return errors


def check_new_terms(records: list[Record], terms: TermIndex) -> None:
    """Refuse a file that would create more new terms than the limit:
    a page of a hundred thousand junk tags should not become a vocabulary."""
    limit = settings.SHELF_IMPORT_MAX_NEW_TERMS
    if len({ref for record in records for ref in record.terms}) <= limit:
        return  # cannot create more terms than it names
    new: dict[tuple[str, str], Record] = {}
    for record in records:
        for ref in record.terms:
            if terms.find(ref) is None:
                new.setdefault((ref.vocabulary, ref.slug or fold(ref.label)), record)
                if len(new) > limit:
                    raise record.error(
                        f"this file would create more than {limit} new terms (tags not in the "
                        "taxonomy become topics); add them to the taxonomy or raise "
                        "SHELF_IMPORT_MAX_NEW_TERMS"
                    )


def drop_duplicates(records: list[Record], report: Report) -> list[Record]:
    """The first item with a key wins; later ones are reported and skipped
    (listings pasted from several pages often repeat an item)."""
    first: dict[str, int] = {}
    kept = []
    for record in records:
        if record.key in first:
            report.duplicates.append((record.line, first[record.key], record.key))
            continue
        first[record.key] = record.line
        kept.append(record)
    return kept


def chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def load_existing(keys: list[str]) -> dict[str, tuple[Resource, list[int]]]:
    resources = {r.id: r for r in Resource.objects.filter(key__in=keys)}
    term_ids: dict[int, list[int]] = {rid: [] for rid in resources}
    rows = Resource.terms.through.objects.filter(resource_id__in=list(resources)).order_by("id")
    for resource_id, term_id in rows.values_list("resource_id", "term_id"):
        term_ids[resource_id].append(term_id)
    return {r.key: (r, term_ids[r.id]) for r in resources.values()}


class TermIndex:
    """Every term, found by slug or by label and aliases; missing ones created."""

    def __init__(self, report: Report):
        self.report = report
        self.by_id: dict[int, Term] = {}
        self.by_slug: dict[tuple[str, str], Term] = {}
        self.by_label: dict[tuple[str, str], Term] = {}
        self.by_alias: dict[tuple[str, str], Term] = {}
        self.found: dict[TermRef, Term] = {}
        for term in Term.objects.all():
            self.add(term)

    def add(self, term: Term) -> None:
        self.by_id[term.id] = term
        self.by_slug[(term.vocabulary, term.slug)] = term
        self.by_label.setdefault((term.vocabulary, fold(term.label)), term)
        for alias in term.aliases:
            self.by_alias.setdefault((term.vocabulary, fold(alias)), term)

    def find(self, ref: TermRef) -> Term | None:
        if ref.slug:
            term = self.by_slug.get((ref.vocabulary, ref.slug))
        else:
            # A label wins over another term's alias, and both over a slug
            # (CSV cells may name a term by any of the three).
            name = (ref.vocabulary, fold(ref.label))
            term = (
                self.by_label.get(name)
                or self.by_alias.get(name)
                or self.by_slug.get((ref.vocabulary, ref.label))
            )
        if term is None:
            term = self.by_slug.get((ref.vocabulary, self.slug_of(ref)))
        return term

    @staticmethod
    def slug_of(ref: TermRef) -> str:
        return ref.slug or slugify(ref.label, allow_unicode=True)[:100].strip("-")

    def resolve(self, ref: TermRef) -> Term:
        # A file names the same few hundred terms over and over. A term
        # added later cannot change what an earlier ref found: it is only
        # added when its own ref found nothing by label, alias or slug.
        term = self.found.get(ref)
        if term is not None:
            return term
        term = self.find(ref)
        if term is None:
            slug = self.slug_of(ref)
            aliases = list(dict.fromkeys(ref.aliases))
            term = Term.objects.create(
                vocabulary=ref.vocabulary, slug=slug, label=ref.label, aliases=aliases
            )
            self.add(term)
            self.report.new_terms.append(term)
        self.found[ref] = term
        return term

    def vocabulary_of(self, term_id: int) -> str:
        return self.by_id[term_id].vocabulary


def with_language_term(record: Record) -> list[TermRef]:
    """The record's terms and the term of its language, so the language
    facet counts every resource whatever the source listed."""
    if not record.language or "language" not in record.fields:
        return record.terms
    code = languages.normalise(record.language) or record.language
    return [
        *record.terms,
        term_ref("language", languages.slug(code), languages.language_label(code)),
    ]


def serialise(value):
    """A field's value as a baseline keeps it: long texts (summaries,
    bodies) only as a digest, which is all a comparison needs."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str) and len(value) > 40:
        return "#" + hashlib.blake2b(value.encode(), digest_size=12).hexdigest()
    return value


def remember(
    record: Record,
    resource: Resource,
    old_term_ids: list[int],
    new_term_ids: list[int],
    terms: TermIndex,
    values: dict,
    overwrite: bool,
) -> tuple[list[str], list[str], list[int]]:
    """Copy what the record gives onto ``resource``, except what was
    changed since its source last gave it (``values``, updated here to what
    the source gives now). The changed fields, the kept ones, and the terms
    the resource should have."""
    changed, kept = [], []
    for name in SCALAR_FIELDS:
        if name not in record.fields:
            continue
        new = value_of(record, name)
        current = getattr(resource, name)
        before = values.get(name, MISSING)
        values[name] = serialise(new)
        if current == new:
            continue
        curated = before is not MISSING and before != serialise(current)
        if name == "date_precision" and "date" in kept:
            continue  # goes with its date
        if curated and not overwrite:
            kept.append(name)
            continue
        setattr(resource, name, new)
        changed.append(name)

    owned: tuple[str, ...] = ()
    if "terms" in record.fields:
        owned = tuple(VOCABULARY_NAMES) if record.vocabularies is None else record.vocabularies
    vocabulary_of = terms.vocabulary_of
    new_by, old_by = group(new_term_ids, vocabulary_of), group(old_term_ids, vocabulary_of)
    replaced = set()
    for vocabulary in owned:
        new = new_by.get(vocabulary, [])
        current = old_by.get(vocabulary, [])
        before = values.get("terms:" + vocabulary, MISSING)
        values["terms:" + vocabulary] = new if vocabulary in ORDERED else sorted(new)
        if same_terms(vocabulary, new, current):
            continue
        if before is not MISSING and not same_terms(vocabulary, before, current) and not overwrite:
            kept.append(f"terms ({vocabulary})")
            continue
        replaced.add(vocabulary)
    # Rows in order: kept vocabularies as they were, replaced ones as the
    # record gives them, and the language term of a record that gives its
    # language (and no terms).
    want = [t for t in old_term_ids if vocabulary_of(t) not in replaced]
    want += [t for t in new_term_ids if vocabulary_of(t) in replaced]
    want += [t for t in new_term_ids if vocabulary_of(t) not in owned and t not in want]
    return changed, kept, want


def group(term_ids: list[int], vocabulary_of) -> dict[str, list[int]]:
    grouped: dict[str, list[int]] = {}
    for t in term_ids:
        grouped.setdefault(vocabulary_of(t), []).append(t)
    return grouped


# Vocabularies whose order is the source's and means something.
ORDERED = ("publisher",)


def same_terms(vocabulary: str, a: list[int], b: list[int]) -> bool:
    return list(a) == list(b) if vocabulary in ORDERED else set(a) == set(b)


def first_values(record: Record, term_ids: list[int], terms: TermIndex) -> dict:
    """The baseline of a resource the record creates: what it gives."""
    values = {n: serialise(value_of(record, n)) for n in SCALAR_FIELDS if n in record.fields}
    if "terms" in record.fields:
        grouped = group(term_ids, terms.vocabulary_of)
        for vocabulary in VOCABULARY_NAMES if record.vocabularies is None else record.vocabularies:
            found = grouped.get(vocabulary, [])
            values["terms:" + vocabulary] = found if vocabulary in ORDERED else sorted(found)
    return values


def load_baselines(existing: dict, origin: str) -> dict[int, tuple[int, dict]]:
    """resource id -> (baseline id, values); plain rows, no model instances."""
    if not origin or not existing:
        return {}
    ids = [resource.id for resource, _ in existing.values()]
    rows = Baseline.objects.filter(source=origin, resource_id__in=ids)
    return {r: (i, v) for i, r, v in rows.values_list("id", "resource_id", "values")}


def save_baselines(origin: str, remembered: list, baselines: dict) -> None:
    new, changed = [], []
    for resource, values in remembered:
        if resource.id in baselines:
            baseline_id = baselines[resource.id][0]
            changed.append(Baseline(id=baseline_id, resource_id=resource.id, values=values))
        else:
            new.append(Baseline(resource_id=resource.id, source=origin, values=values))
    fields = [Baseline._meta.get_field(name) for name in ("resource", "source", "values")]
    bulk.insert(Baseline, [f.column for f in fields], bulk.values(new, fields))
    Baseline.objects.bulk_update(changed, ["values"], batch_size=BATCH)


class SlugAllocator:
    """Unique slugs: ``guide``, ``guide-2``, ``guide-3``..."""

    NEW = 0  # the owner of a slug given to a resource this import creates
    RESERVED = -1  # the owner of a slug whose address is a fixed page (the Atom feed)

    def __init__(self):
        self.owner: dict[str, int] = {}  # slug -> resource id
        self.checked: set[str] = set()
        self.prefixes: set[str] = set()

    def preload(self, slugs) -> None:
        todo = [s for s in dict.fromkeys(slugs) if s not in self.checked]
        self.checked.update(todo)
        for chunk in chunks(todo, BATCH):
            self.owner.update(Resource.objects.filter(slug__in=chunk).values_list("slug", "id"))

    def allocate(self, base: str) -> str:
        base = base[:200].strip("-") or "resource"
        self.preload([base])
        if base not in self.owner and reserved_slug(base):
            self.owner[base] = self.RESERVED
        if base not in self.owner:
            self.owner[base] = self.NEW
            return base
        if base not in self.prefixes:
            # One query per colliding title, for all its numbered variants.
            self.prefixes.add(base)
            rows = Resource.objects.filter(slug__startswith=base[:190]).values_list("slug", "id")
            self.owner.update(rows)
        n = 2
        while (slug := f"{base[: 200 - len(str(n)) - 1]}-{n}") in self.owner or reserved_slug(slug):
            n += 1
        self.owner[slug] = self.NEW
        return slug

    def claim(self, slug: str, record: Record, owner_id: int | None) -> None:
        """An explicit slug from the source: it must be free, or already this resource's."""
        self.preload([slug])
        holder = self.owner.get(slug)
        if holder is not None and (owner_id is None or holder != owner_id):
            other = Resource.objects.filter(id=holder).values_list("key", flat=True).first()
            raise record.error(f"the slug {slug!r} is already used by {other or 'another item'}")
        self.owner[slug] = owner_id or self.NEW


def base_slug(record: Record) -> str:
    return record.slug or slugify(record.title, allow_unicode=True)[:200].strip("-") or "resource"


def new_resource(record: Record, slugs: SlugAllocator) -> Resource:
    resource = Resource(key=record.key)
    for name in SCALAR_FIELDS:
        if name in record.fields:
            setattr(resource, name, value_of(record, name))
    if record.slug:
        slugs.claim(record.slug, record, None)
        resource.slug = record.slug
    else:
        resource.slug = slugs.allocate(base_slug(record))
    return resource


def value_of(record: Record, name: str):
    value = getattr(record, name)
    if name == "language" and value:
        return languages.normalise(value) or value
    return value


def apply_slug(record: Record, resource: Resource, slugs: SlugAllocator) -> list[str]:
    if record.slug and record.slug != resource.slug:
        slugs.claim(record.slug, record, resource.id)
        resource.slug = record.slug
        return ["slug"]
    return []


def link(records: list[Record], report: Report) -> None:
    """Translations and "supersedes" name other resources by key, which may
    come later in the file, so they are set once every record is written.
    Translation links go both ways; when two records disagree the later wins."""
    linking = [r for r in records if {"translations", "supersedes"} & set(r.fields)]
    if not linking:
        return
    keys = {r.key for r in linking} | {k for r in linking for k in [*r.translations, r.supersedes]}
    ids: dict[str, int] = {}
    supersedes: dict[int, int | None] = {}
    for chunk in chunks(sorted(keys - {""}), BATCH):
        rows = Resource.objects.filter(key__in=chunk).values_list("key", "id", "supersedes_id")
        for key, resource_id, supersedes_id in rows:
            ids[key] = resource_id
            supersedes[resource_id] = supersedes_id
    translations: dict[int, set[int]] = {ids[r.key]: set() for r in linking}
    through = Resource.translations.through.objects
    for chunk in chunks(list(translations), BATCH):
        rows = through.filter(from_resource_id__in=chunk)
        for a, b in rows.values_list("from_resource_id", "to_resource_id"):
            translations[a].add(b)

    created = {key for key, _ in report.created}
    updated = dict(report.updated)
    now = timezone.now()
    errors = []
    for record in linking:
        if missing := [k for k in [*record.translations, record.supersedes] if k and k not in ids]:
            name = "supersedes" if record.supersedes in missing else "translations"
            message = f"{missing[0][:100]!r} is neither in this file nor in the catalogue"
            errors.append(record.error(message, name))
    if errors:
        raise combine(errors)
    moved = []
    for record in linking:
        resource_id = ids[record.key]
        changed = []
        if "translations" in record.fields:
            want = {ids[k] for k in record.translations} - {resource_id}
            if want != translations[resource_id]:
                Resource(id=resource_id).translations.set(want)
                for other in translations[resource_id] - want:
                    translations.get(other, set()).discard(resource_id)
                for other in want:
                    translations.setdefault(other, set()).add(resource_id)
                translations[resource_id] = want
                changed.append("translations")
        if "supersedes" in record.fields:
            want_id = ids[record.supersedes] if record.supersedes else None
            if want_id != supersedes[resource_id]:
                supersedes[resource_id] = want_id
                changed.append("supersedes")
                moved.append(record)
                Resource.objects.filter(id=resource_id).update(supersedes_id=want_id)
        if not changed or record.key in created:
            continue
        Resource.objects.filter(id=resource_id).update(updated=now)
        if record.key not in updated:
            updated[record.key] = []
            report.updated.append((record.key, updated[record.key]))
            report.unchanged.remove(record.key)
            report.ids.append(resource_id)
        updated[record.key] += changed
    check_cycles(moved, ids, supersedes)


def check_cycles(records: list[Record], ids: dict[str, int], supersedes: dict) -> None:
    """An edition cannot supersede, through others, the item it is."""
    errors = []
    for record in records:
        start = ids[record.key]
        seen, current = {start}, supersedes.get(start)
        while current is not None:
            if current in seen:
                errors.append(record.error("supersedes makes a cycle of editions", "supersedes"))
                break
            seen.add(current)
            if current not in supersedes:
                row = Resource.objects.filter(id=current).values_list("supersedes_id", flat=True)
                supersedes[current] = row.first()
            current = supersedes[current]
    if errors:
        raise combine(errors)


def write(new, changed, term_rows, replace_terms, report: Report) -> None:
    through = Resource.terms.through
    now = timezone.now()
    created = bulk.create(Resource, [r for r, _ in new], "key", now)
    for resource, (_, term_ids) in zip(created, new, strict=True):
        term_rows += [(resource.id, t) for t in term_ids]
    by_fields: dict[tuple[str, ...], list[Resource]] = {}
    for resource, fields in changed:
        resource.updated = now
        scalar = tuple(f for f in fields if f != "terms")
        by_fields.setdefault(scalar, []).append(resource)
    for fields, resources in by_fields.items():
        Resource.objects.bulk_update(resources, [*fields, "updated"], batch_size=BATCH)
    for ids in chunks(replace_terms, BATCH):
        through.objects.filter(resource_id__in=ids).delete()
    # A dozen links per item: plain rows, not a model instance for each.
    bulk.insert(through, ["resource_id", "term_id"], term_rows)
    report.ids += [r.id for r in created] + [r.id for r, _ in changed]
    reason = f"import {os.path.basename(report.source)}"
    revisions.record([r.id for r in created], revisions.CREATED, reason, now)
    revisions.record([r.id for r, _ in changed], revisions.CHANGED, reason, now)
