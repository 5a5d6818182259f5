from django.contrib import admin

from shelf.alerts.models import Alert


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    """For answering a subscriber's question; alerts are made and ended by
    their subscribers' own links, so nothing here is edited by hand."""

    list_display = ["email", "query", "frequency", "language", "confirmed_at", "last_sent"]
    list_filter = ["frequency", "language", ("confirmed_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "query"]
    readonly_fields = [f.name for f in Alert._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
