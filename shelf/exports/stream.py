"""Every resource of a listing, a chunk at a time.

The ids come from the search the listing page and the API make
(:func:`shelf.search.browse.listing_chunks`), so an export holds what the
listing shows to the same person (members-only items only for members), in
its order, and never more than one chunk of ids and resources at once.
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
    query, before anything is streamed. The ids are walked from the index
    and their resources read one chunk at a time."""
    count, id_chunks = catalogue.listing_chunks(query, user, chunk)

    def chunks():
        for ids in id_chunks:
            yield with_columns(catalogue.resources_of(ids, user))

    return Listing(count, chunks())


def with_columns(resources: list[Resource]) -> list[Resource]:
    """Pages carry the columns a results page shows; exports also give the
    publisher's address (one query per chunk, not one per row)."""
    extra = dict(
        Resource.objects.filter(pk__in=[r.pk for r in resources]).values_list("pk", "source_url")
    )
    for resource in resources:
        resource.source_url = extra.get(resource.pk, "")
    return resources
