"""One page of resources by id, as model instances, without compiling the
same SQL on every request: the one place search uses Django's internals
(the compiler, a queryset's result cache), tested against the public
queryset in tests/test_fetch.py.

The query is built once per shape (signed in or not, page size, excerpt or
not) from ``Resource.objects.visible_to(user)``, the one permission gate,
and then run with the page's ids; rows become instances the way Django's
own iterator makes them (converters, ``from_db``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connections
from django.db.models import QuerySet
from django.db.models.functions import Substr

from shelf.catalogue.models import Resource, Term


@dataclass
class _Shape:
    sql: str
    params: list
    id_positions: list[int]
    compiler: object
    converters: dict
    init_list: list[str]
    model_slice: slice
    annotations: dict[str, int]


_shapes: dict[tuple, _Shape] = {}
# What a results page and the API's list show: fewer columns to read and
# convert than the whole row (the body, read only as an excerpt, and the
# columns stored after it are the costly ones).
PAGE_FIELDS = ("slug", "title", "summary", "date", "date_precision", "language", "visibility")


def _shape(user, count: int, body_chars: int, alias: str) -> _Shape:
    member = bool(user is not None and user.is_authenticated)
    key = (member, count, body_chars, alias)
    shape = _shapes.get(key)
    if shape is not None:
        return shape
    sentinels = [-(i + 1) for i in range(count)]
    qs = Resource.objects.using(alias).visible_to(user).only(*PAGE_FIELDS).filter(pk__in=sentinels)
    qs = qs.order_by()
    if body_chars:
        qs = qs.annotate(body_start=Substr("body", 1, body_chars))
    compiler = qs.query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    params = list(params)
    positions = [params.index(s) for s in sentinels]
    select = compiler.select
    fields = compiler.klass_info["select_fields"]
    model_slice = slice(fields[0], fields[-1] + 1)
    shape = _Shape(
        sql,
        params,
        positions,
        compiler,
        compiler.get_converters([column[0] for column in select]),
        [column[0].target.attname for column in select[model_slice]],
        model_slice,
        dict(compiler.annotation_col_map),
    )
    _shapes[key] = shape
    return shape


def page(ids: list[int], user, body_chars: int = 0, alias: str = "default") -> list[Resource]:
    """The resources ``user`` may see among ``ids``, in the order of ``ids``."""
    if not ids:
        return []
    shape = _shape(user, len(ids), body_chars, alias)
    params = list(shape.params)
    for position, pk in zip(shape.id_positions, ids, strict=True):
        params[position] = pk
    with connections[alias].cursor() as cursor:
        cursor.execute(shape.sql, params)
        rows = cursor.fetchall()
    if shape.converters:
        rows = shape.compiler.apply_converters(rows, shape.converters)
    by_id = {}
    for row in rows:
        obj = Resource.from_db(alias, shape.init_list, row[shape.model_slice])
        for name, position in shape.annotations.items():
            setattr(obj, name, row[position])
        by_id[obj.pk] = obj
    return [by_id[i] for i in ids if i in by_id]


def attach_terms(resources: list[Resource], terms_by_id: dict, term_ids) -> None:
    """Give each resource its terms from the index (``term_ids(pk)``) as if
    they had been prefetched, so ``resource.terms.all()`` runs no query.
    The index keeps each item's terms in the order they were stored, so
    publishers stay in their stored order (the first is the lead publisher)."""
    for resource in resources:
        stored = [terms_by_id[t] for t in term_ids(resource.pk) if t in terms_by_id]
        order = {t.id: i for i, t in enumerate(stored) if t.vocabulary == "publisher"}
        stored.sort(key=lambda t, order=order: (t.vocabulary, order.get(t.id, 0), t.label))
        cached = QuerySet(Term)
        cached._result_cache = stored
        cached._prefetch_done = True
        resource._prefetched_objects_cache = {"terms": cached}
        resource.publishers_in_order = True
