from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "shelf.stats"
    label = "stats"
    verbose_name = _("Reader statistics")
    default_auto_field = "django.db.models.BigAutoField"
