from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def load_taxonomy(sender, **kwargs):
    from shelf.catalogue.taxonomy import sync_terms

    sync_terms()


class CatalogueConfig(AppConfig):
    name = "shelf.catalogue"
    verbose_name = _("Catalogue")

    def ready(self):
        # The vocabularies exist as soon as the database does.
        post_migrate.connect(load_taxonomy, sender=self)
