"""Reading the change feed so that no committed change can be missed.

Every write that changes what search finds adds a ``SearchChange`` row in
the writer's own transaction. A reader keeps a :class:`Position` and asks
for what came after it. Ids alone are not enough: on PostgreSQL a row's id
is taken when it is inserted, not when its transaction commits, so an import
that runs for minutes commits rows with ids far below rows other writers
committed meanwhile. Waiting a while for such late rows makes a miss rare,
not impossible.

So each row also records the id of the transaction that wrote it, and a
position holds, besides the highest row id seen, the *horizon*: the oldest
transaction still running when it was read (``pg_current_snapshot()``'s
xmin). Every transaction below the horizon had ended by then, so its rows
were visible to the read that followed. The next read asks for rows above
the last id *or* written by a transaction at or above the horizon; rows read
before are recognised by id and skipped. However long a transaction runs,
its rows come in the first read after it commits.

SQLite has one writer at a time: a transaction holds the write lock from
its first insert to its commit, so ids are taken in commit order and the
last id is a complete position by itself (the horizon stays 0).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Max

from shelf.search.models import SearchChange


@dataclass
class Position:
    last: int = 0
    horizon: int = 0
    # Rows read whose transaction id is at or above the horizon: they may be
    # read again, and are not applied twice. Row id -> transaction id.
    seen: dict[int, int] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"last": self.last, "horizon": self.horizon, "seen": list(self.seen.items())}

    @classmethod
    def from_json(cls, data) -> Position:
        if isinstance(data, int):  # an index built before horizons
            return cls(data, 0)
        return cls(data["last"], data["horizon"], {int(i): int(t) for i, t in data["seen"]})

    def copy(self) -> Position:
        return Position(self.last, self.horizon, dict(self.seen))


@dataclass
class Changes:
    resource_ids: list[int]
    # A row without a resource: terms or synonyms changed.
    global_change: bool
    position: Position

    def __bool__(self) -> bool:
        return bool(self.resource_ids or self.global_change)


def _horizon() -> int:
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
        return int(cursor.fetchone()[0])


def position() -> Position:
    """Where the feed is now: a build reads this before it reads the data."""
    horizon = _horizon()
    last = SearchChange.objects.aggregate(m=Max("id"))["m"] or 0
    return Position(last, horizon)


def _rows(after: Position) -> tuple[int, list[tuple[int, int | None, int | None]]]:
    """The horizon and the rows after ``after``, in one statement, so both
    come from the same snapshot of the database."""
    if connection.vendor != "postgresql":
        rows = SearchChange.objects.filter(id__gt=after.last)
        return 0, list(rows.values_list("id", "resource_id", "txid"))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 0, pg_snapshot_xmin(pg_current_snapshot())::text::bigint, NULL, NULL "
            "UNION ALL SELECT 1, id, resource_id, txid FROM search_searchchange "
            "WHERE id > %s OR txid >= %s ORDER BY 1",
            [after.last, max(after.horizon, 1)],
        )
        rows = cursor.fetchall()
        return int(rows[0][1]), [row[1:] for row in rows[1:]]


def read(after: Position) -> Changes:
    """Every change committed since ``after`` (and maybe a few read before,
    which applying again leaves as they are)."""
    horizon, rows = _rows(after)
    ids: list[int] = []
    global_change = False
    last = after.last
    seen = {i: t for i, t in after.seen.items() if t >= horizon}
    for row_id, rid, txid in rows:
        last = max(last, row_id)
        if row_id in after.seen:
            continue
        if horizon and txid is not None and txid >= horizon:
            seen[row_id] = txid
        if rid is None:
            global_change = True
        else:
            ids.append(rid)
    return Changes(list(dict.fromkeys(ids)), global_change, Position(last, horizon, seen))


def first_id() -> int | None:
    return SearchChange.objects.order_by("id").values_list("id", flat=True).first()
