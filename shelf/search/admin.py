from django.contrib import admin

from shelf.search.models import Synonym


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    list_display = ["__str__", "note"]
    search_fields = ["alternatives", "note"]
