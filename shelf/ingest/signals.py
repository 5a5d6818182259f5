"""The importer announces its bulk writes with the catalogue's signal (it
lives there so that listeners need not import the importer)."""

from shelf.catalogue.signals import BulkImported, bulk_deleted, bulk_imported

__all__ = ["BulkImported", "bulk_deleted", "bulk_imported"]
