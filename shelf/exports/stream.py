"""Every resource of a listing, a chunk at a time.

The chunks are pages of :func:`shelf.search.browse.browse`, the call the
listing page and the API make, so an export holds what the listing shows to
the same person (members-only items only for members), in its order, and
never more than one chunk of resources at once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from shelf.catalogue.models import Resource
from shelf.search import browse as catalogue

CHUNK = 500


@dataclasses.dataclass
class Listing:
    count: int
    chunks: Iterator[list[Resource]]


def listing(query: catalogue.Query, user, chunk: int = CHUNK) -> Listing:
    """The whole listing of ``query``; raises QueryError at once for a bad
    query, before anything is streamed."""
    first = catalogue.browse(dataclasses.replace(query, page=1), user, per_page=chunk)

    def chunks():
        results = first
        while True:
            yield with_columns(results.resources)
            if not results.has_next:
                return
            page = dataclasses.replace(query, page=results.page + 1)
            try:
                results = catalogue.browse(page, user, per_page=chunk)
            except catalogue.QueryError:
                # The listing shrank while it was being written.
                return

    return Listing(first.count, chunks())


def with_columns(resources: list[Resource]) -> list[Resource]:
    """Pages carry the columns a results page shows; exports also give the
    publisher's address (one query per chunk, not one per row)."""
    extra = dict(
        Resource.objects.filter(pk__in=[r.pk for r in resources]).values_list("pk", "source_url")
    )
    for resource in resources:
        resource.source_url = extra.get(resource.pk, "")
    return resources
