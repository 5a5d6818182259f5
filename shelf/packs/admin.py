from django.contrib import admin

from shelf.packs.models import Pack


@admin.register(Pack)
class PackAdmin(admin.ModelAdmin):
    """Read only: packs are asked for from the listing and built by the worker."""

    list_display = ["token", "status", "item_count", "file_count", "size", "owner", "created"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in Pack._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
