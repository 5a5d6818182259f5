"""Every write that changes what search should find adds a row to the change
feed, in the writer's transaction (on_commit would lose the change if the
process died between commit and hook)."""

from __future__ import annotations

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from shelf.catalogue import signals as catalogue_signals
from shelf.lib import bulk
from shelf.search.models import SearchChange


def record(resource_ids) -> None:
    ids = list(dict.fromkeys(int(i) for i in resource_ids))
    if ids:
        # Plain rows (an import writes one per item); the database fills in txid.
        created = bulk.db_value(SearchChange, "created", timezone.now())
        bulk.insert(SearchChange, ["resource_id", "created"], ((i, created) for i in ids))


def record_global() -> None:
    SearchChange.objects.create(resource_id=None)


def resource_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        record([instance.pk])


def resource_deleted(sender, instance, **kwargs):
    record([instance.pk])


def resource_terms_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse:
        # term.resources.add(...): the resources are in pk_set (or all of them on clear).
        from shelf.catalogue.models import Resource

        ids = (
            pk_set
            if pk_set
            else Resource.objects.filter(terms=instance).values_list("pk", flat=True)
        )
        record(ids)
    else:
        record([instance.pk])


def term_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    # Labels and aliases are indexed text and synonyms.
    record(instance.resources.values_list("pk", flat=True))
    record_global()


def synonym_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        record_global()


def bulk_imported(sender, resource_ids=(), **kwargs):
    record(resource_ids)


def file_changed(sender, instance, raw=False, **kwargs):
    if not raw and getattr(instance, "resource_id", None):
        record([instance.resource_id])


def connect() -> None:
    from shelf.catalogue.models import Resource, Term
    from shelf.search.models import Synonym

    post_save.connect(resource_saved, sender=Resource, dispatch_uid="search_resource_saved")
    post_delete.connect(resource_deleted, sender=Resource, dispatch_uid="search_resource_deleted")
    m2m_changed.connect(
        resource_terms_changed, sender=Resource.terms.through, dispatch_uid="search_terms"
    )
    post_save.connect(term_changed, sender=Term, dispatch_uid="search_term_saved")
    post_delete.connect(synonym_changed, sender=Term, dispatch_uid="search_term_deleted")
    post_save.connect(synonym_changed, sender=Synonym, dispatch_uid="search_synonym_saved")
    post_delete.connect(synonym_changed, sender=Synonym, dispatch_uid="search_synonym_deleted")
    catalogue_signals.bulk_imported.connect(bulk_imported, dispatch_uid="search_bulk_imported")
    if apps.is_installed("shelf.files"):
        # Extraction finishing saves the file with status "ready" (its pages
        # are bulk-created just before, in the same transaction). Pages get no
        # receiver of their own: that would slow their bulk deletes down.
        try:
            model = apps.get_model("files", "ResourceFile")
        except LookupError:
            return
        post_save.connect(file_changed, sender=model, dispatch_uid="search_file_saved")
        post_delete.connect(file_changed, sender=model, dispatch_uid="search_file_deleted")
