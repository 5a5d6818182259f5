"""Revisions of many resources at once, for writers that work in bulk.

A bulk write skips django-simple-history's revision per save, so the writer
records the revisions itself: one per resource, every tracked field as the
row is now and its terms, as one save would. Copied by the database from the
rows just written (``INSERT ... SELECT``), so no model instance is built per
revision or per term link; the columns come from simple-history's own list of
tracked fields, so a field added to :class:`Resource` is covered."""

from __future__ import annotations

from django.conf import settings
from django.db import connection

from shelf.catalogue.models import Resource
from shelf.lib.bulk import db_value, quote

CREATED, CHANGED = "+", "~"
BATCH = 500


def record(ids: list[int], history_type: str, reason: str, date, user=None) -> int:
    """Write a revision of each resource in ``ids`` (which must exist), of
    ``history_type`` (:data:`CREATED` or :data:`CHANGED`); returns how many.
    ``user`` defaults to the user of the request being served, as for a save."""
    if not ids or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return 0
    history = Resource.history.model
    if user is None:
        user = history.get_default_history_user(Resource())
    user_id = user.pk if getattr(user, "is_authenticated", False) else None
    columns = ", ".join(quote(f.column) for f in history.tracked_fields)
    table, history_table = quote(Resource._meta.db_table), quote(history._meta.db_table)
    links = Resource.terms.through
    link_table, history_links = (
        quote(links._meta.db_table),
        quote(history.terms.model._meta.db_table),
    )
    extra = [db_value(history, "history_date", date), reason[:100], history_type, user_id]
    written = 0
    with connection.cursor() as cursor:
        for start in range(0, len(ids), BATCH):
            batch = list(ids[start : start + BATCH])
            marks = ", ".join(["%s"] * len(batch))
            cursor.execute(
                f"INSERT INTO {history_table} ({columns}, history_date, history_change_reason, "  # noqa: S608 (our names)
                f"history_type, history_user_id) SELECT {columns}, %s, %s, %s, %s FROM {table} "
                f"WHERE id IN ({marks}) ORDER BY id RETURNING history_id",
                [*extra, *batch],
            )
            revisions = [row[0] for row in cursor.fetchall()]
            written += len(revisions)
            marks = ", ".join(["%s"] * len(revisions))
            # In the links' own order: the first publisher is the lead one.
            cursor.execute(
                f"INSERT INTO {history_links} (id, resource_id, term_id, history_id) "  # noqa: S608
                f"SELECT t.id, t.resource_id, t.term_id, h.history_id FROM {link_table} t "
                f"JOIN {history_table} h ON h.id = t.resource_id "
                f"WHERE h.history_id IN ({marks}) ORDER BY t.id",
                revisions,
            )
    return written
