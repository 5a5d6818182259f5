"""Reading resources from the database, the source of truth, in chunks,
as the text and facts the index needs."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.apps import apps

from shelf.catalogue.models import READERS, Resource, Term, may_see

CHUNK = 2000


@dataclass(slots=True)
class Doc:
    pk: int
    title: str
    summary: str
    body: str
    terms_text: str
    language: str
    date_ord: int  # proleptic ordinal, 0 when undated
    # The kinds of reader (catalogue.models.READERS) who may see it.
    readers: tuple[bool, ...]
    term_ids: list[int]
    supersedes: int = 0  # the older edition this one replaces


def other_names(term: Term) -> list[str]:
    """A term's aliases and translated labels. Both are searchable and find
    each other, so a French reader's "enseignants" finds what is filed under
    Teachers."""
    return list(dict.fromkeys([*(term.aliases or []), *filter(None, (term.labels or {}).values())]))


def term_table(terms=None) -> dict[int, tuple[str, str, list[str]]]:
    if terms is None:
        terms = Term.objects.only("id", "vocabulary", "label", "aliases", "labels")
    return {t.id: (t.vocabulary, t.label, other_names(t)) for t in terms}


def _file_text(lo: int, hi: int | None, ids: list[int] | None) -> dict[int, str]:
    if not apps.is_installed("shelf.files"):
        return {}
    try:
        page_model = apps.get_model("files", "FilePage")
    except LookupError:
        return {}
    pages = page_model.objects.filter(file__status="ready")
    if ids is not None:
        pages = pages.filter(file__resource_id__in=ids)
    else:
        pages = pages.filter(file__resource_id__gt=lo, file__resource_id__lte=hi)
    out: dict[int, list[str]] = defaultdict(list)
    for rid, text in pages.order_by("file_id", "number").values_list("file__resource_id", "text"):
        out[rid].append(text or "")
    return {rid: "\n".join(texts) for rid, texts in out.items()}


def _docs(rows, links, files, terms) -> list[Doc]:
    # Links in the order they were stored: an item's publishers keep their
    # order in the index (the first is the lead publisher), so a results
    # page orders them without asking the database.
    by_resource: dict[int, list[int]] = defaultdict(list)
    for rid, tid in links:
        by_resource[rid].append(tid)
    docs = []
    for pk, title, summary, body, language, date, status, visibility, supersedes in rows:
        tids = by_resource.get(pk, [])
        labels = []
        for tid in tids:
            if tid in terms:
                labels.append(terms[tid][1])
                labels.extend(terms[tid][2])
        body = body or ""
        if pk in files:
            body = f"{body}\n{files[pk]}"
        docs.append(
            Doc(
                pk,
                title or "",
                summary or "",
                body,
                "\n".join(labels),
                language or "",
                date.toordinal() if date else 0,
                tuple(
                    m for m in READERS if may_see(m, {"status": status, "visibility": visibility})
                ),
                tids,
                supersedes or 0,
            )
        )
    return docs


FIELDS = (
    "pk",
    "title",
    "summary",
    "body",
    "language",
    "date",
    "status",
    "visibility",
    "supersedes_id",
)


def iter_all(terms, chunk: int = CHUNK) -> Iterator[list[Doc]]:
    """Every resource, in primary key order, a chunk at a time (memory stays
    flat however large the catalogue)."""
    through = Resource.terms.through.objects
    last = 0
    while True:
        rows = list(
            Resource.objects.filter(pk__gt=last).order_by("pk").values_list(*FIELDS)[:chunk]
        )
        if not rows:
            return
        hi = rows[-1][0]
        links = (
            through.filter(resource_id__gt=last, resource_id__lte=hi)
            .order_by("id")
            .values_list("resource_id", "term_id")
        )
        yield _docs(rows, links, _file_text(last, hi, None), terms)
        last = hi


def load(ids: Iterable[int], terms) -> list[Doc]:
    """The current state of some resources (missing ones were deleted)."""
    ids = list(ids)
    out = []
    through = Resource.terms.through.objects
    for i in range(0, len(ids), CHUNK):
        part = ids[i : i + CHUNK]
        rows = Resource.objects.filter(pk__in=part).values_list(*FIELDS)
        links = (
            through.filter(resource_id__in=part)
            .order_by("id")
            .values_list("resource_id", "term_id")
        )
        out += _docs(list(rows), list(links), _file_text(0, None, part), terms)
    return out


def year_of(date_ord: int) -> int:
    return datetime.date.fromordinal(date_ord).year


# Languages whose items can be preferred in ranking, by code (0: any other).
RANKED_LANGUAGES = ("en", "fr", "es", "ar", "zh")


def language_code(language: str) -> int:
    """A small number for an item's language (its primary subtag)."""
    primary = language.split("-")[0].lower()
    return RANKED_LANGUAGES.index(primary) + 1 if primary in RANKED_LANGUAGES else 0
