"""Every path that changes what a resource shows harvesters calls
:func:`shelf.oai.ledger.sync`, in the writer's transaction: model saves and
deletes (admin, workflow, scheduled publishing), term, translation and file
changes, and the importer's and ``shelf demo``'s bulk signals."""

from __future__ import annotations

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from shelf.oai import ledger


def resource_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        ledger.sync([instance.pk])


def resource_links_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    from shelf.catalogue.models import Resource

    if isinstance(instance, Resource):
        # Translations link two resources: both records change.
        ledger.sync([instance.pk, *(pk_set or ())] if model is Resource else [instance.pk])
    elif pk_set:
        # term.resources.add(...): the resources are in pk_set.
        ledger.sync(pk_set)
    else:
        ledger.sync(instance.resources.values_list("pk", flat=True))


def term_changed(sender, instance, raw=False, created=False, **kwargs):
    if not raw and not created:
        ledger.sync_term(instance)


def term_deleting(sender, instance, **kwargs):
    # The links go with the term, without an m2m signal: note whose records change.
    instance._oai_resource_ids = list(instance.resources.values_list("pk", flat=True))


def term_deleted(sender, instance, **kwargs):
    ledger.sync(getattr(instance, "_oai_resource_ids", ()))


def bulk_changed(sender, resource_ids=(), **kwargs):
    ledger.sync(resource_ids)


def file_changed(sender, instance, raw=False, **kwargs):
    if not raw and getattr(instance, "resource_id", None):
        ledger.sync([instance.resource_id])


def connect() -> None:
    from shelf.catalogue.models import Resource, Term
    from shelf.ingest.signals import bulk_deleted, bulk_imported

    post_save.connect(resource_changed, sender=Resource, dispatch_uid="oai_resource_saved")
    post_delete.connect(resource_changed, sender=Resource, dispatch_uid="oai_resource_deleted")
    m2m_changed.connect(
        resource_links_changed, sender=Resource.terms.through, dispatch_uid="oai_terms"
    )
    m2m_changed.connect(
        resource_links_changed,
        sender=Resource.translations.through,
        dispatch_uid="oai_translations",
    )
    post_save.connect(term_changed, sender=Term, dispatch_uid="oai_term_saved")
    pre_delete.connect(term_deleting, sender=Term, dispatch_uid="oai_term_deleting")
    post_delete.connect(term_deleted, sender=Term, dispatch_uid="oai_term_deleted")
    bulk_imported.connect(bulk_changed, dispatch_uid="oai_bulk_imported")
    bulk_deleted.connect(bulk_changed, dispatch_uid="oai_bulk_deleted")
    if apps.is_installed("shelf.files"):
        model = apps.get_model("files", "ResourceFile")
        post_save.connect(file_changed, sender=model, dispatch_uid="oai_file_saved")
        post_delete.connect(file_changed, sender=model, dispatch_uid="oai_file_deleted")
