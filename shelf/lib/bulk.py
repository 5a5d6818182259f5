"""Writing many plain rows at once, without a model instance per row.

``bulk_create`` builds, signals and prepares a model instance for every row,
which costs far more than the database's own work for the link tables,
revisions and feed rows an import writes (a dozen term links per item).
These take rows as tuples of database-ready values (ints, strings, dates,
None, JSON as its text; see :func:`db_value` for datetimes) in the writer's transaction.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Sequence

from django.db import connection, models

# Rows per statement on SQLite (executemany binds each row in C anyway).
BATCH = 5000


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def db_value(model, field_name: str, value):
    """``value`` as the database takes it for one of ``model``'s columns
    (a datetime on SQLite is a naive UTC string): for a value that is the
    same in many rows. A JSON column takes the JSON text."""
    return model._meta.get_field(field_name).get_db_prep_save(value, connection)


def insert(model, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert ``rows`` into ``model``'s table; ``columns`` are column names.
    Columns left out get their database default (a serial id, ``db_default``).
    Returns how many rows were written."""
    table = quote(model._meta.db_table)
    names = ", ".join(quote(c) for c in columns)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY is several times faster than INSERT, and as transactional.
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
            return written
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 (our names)
        iterator = iter(rows)
        while batch := list(itertools.islice(iterator, BATCH)):
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


# Fields whose Python values the database drivers take as they are.
PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
)


def prepare(field: models.Field):
    """``field``'s conversion, quick for the value just seen (a batch's
    rows share their timestamps, and most dates are None)."""
    convert = functools.partial(field.get_db_prep_save, connection=connection)
    last = [object(), None]

    def to_db(value):
        if value is not last[0]:
            last[:] = value, convert(value)
        return last[1]

    return to_db


def values(objs: Iterable[models.Model], fields: Sequence[models.Field]):
    """Each instance's values for ``fields``, ready for :func:`insert`:
    only the fields whose values need it (datetimes, dates, JSON) go
    through Django's conversion."""
    convert = [None if isinstance(f, PLAIN) else prepare(f) for f in fields]
    names = [f.attname for f in fields]
    pairs = list(zip(names, convert, strict=True))
    for obj in objs:
        yield tuple(
            getattr(obj, name) if to_db is None else to_db(getattr(obj, name))
            for name, to_db in pairs
        )


def create(model, objs: list, unique: str, now) -> list:
    """Insert new instances as plain rows (as ``bulk_create`` would, without
    its per-field machinery), then learn their ids by the ``unique`` field.
    Timestamps set on creation (``auto_now``, ``auto_now_add``) are ``now``."""
    if not objs:
        return objs
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    stamped = [f.attname for f in fields if stamped_on_creation(f)]
    for obj in objs:
        for name in stamped:
            setattr(obj, name, now)
    insert(model, [f.column for f in fields], values(objs, fields))
    ids: dict = {}
    keys = [getattr(obj, unique) for obj in objs]
    for start in range(0, len(keys), 500):
        rows = model._base_manager.filter(**{f"{unique}__in": keys[start : start + 500]})
        ids.update(rows.values_list(unique, "pk"))
    for obj in objs:
        obj.pk = ids[getattr(obj, unique)]
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs


def stamped_on_creation(field: models.Field) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))
