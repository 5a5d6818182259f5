"""Asking for a pack: checked at once, built later by the task worker."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from shelf.packs import builder
from shelf.packs.models import Pack, request_key
from shelf.search import browse


def may_pack_members_only(user) -> bool:
    """Curators may pack what they may see; a reader's pack holds public items."""
    return bool(user and user.is_authenticated and user.is_staff)


def request_pack(*, query: browse.Query, user, language: str, members_only: bool) -> Pack:
    """The pack of ``query``: a recent one built from the same catalogue
    state, or a new one queued. A curator's pack with members-only items is
    theirs alone. Raises QueryError or PackError, creating nothing, for a
    query that cannot be packed."""
    owner = user if members_only and may_pack_members_only(user) else None
    # A query of the whole listing, pages aside, so every page of one list
    # asks for the same pack.
    query = browse.Query(q=query.q, selected=query.selected, sort=query.sort)
    builder.listing_ids(query, owner)
    params = query.params()
    key = request_key(params, language, owner.pk if owner else None)
    with transaction.atomic():
        found = Pack.objects.select_for_update().reusable(key)
        if found is not None:
            return found
        pack = Pack.objects.create(
            key=key,
            params=params,
            language=language,
            owner=owner,
            requested_by=user if user and user.is_authenticated else None,
            created=timezone.now(),
        )
        transaction.on_commit(lambda: queue_build(pack))
    return pack


def queue_build(pack: Pack) -> None:
    from shelf.packs.tasks import build_pack

    build_pack.enqueue(pack.pk)
