"""What other parts of Shelf can listen to when the catalogue is written in
bulk.

The search index subscribes to ``bulk_imported`` to index the resources an
import, a CSV/JSON load or ``shelf demo`` wrote in bulk, where no
``post_save`` fires::

    from shelf.catalogue.signals import bulk_imported

    @receiver(bulk_imported)
    def reindex(sender, resource_ids, **kwargs): ...
"""

from __future__ import annotations

from collections.abc import Iterable

from django.dispatch import Signal


class BulkImported(Signal):
    """A signal that is also the function that sends it: ``bulk_imported(ids)``."""

    def __call__(self, resource_ids: Iterable[int]) -> None:
        self.send(sender="shelf.catalogue", resource_ids=list(resource_ids))


# Sent with ``resource_ids``: the ids of the resources created or updated,
# inside the writer's transaction (a receiver's writes commit or roll back with it).
bulk_imported = BulkImported()

# Sent with ``resource_ids`` after ``shelf demo --replace`` deleted them in
# bulk (raw SQL, no ``post_delete``), inside the same transaction.
bulk_deleted = BulkImported()
