from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from shelf.curation import catalogue_admin  # noqa: F401 (registers Resource and Term)
from shelf.curation.models import AuditEvent
from shelf.curation.roles import ROLE_LABELS

admin.site.site_header = format_lazy(_("{name} curation"), name=settings.SHELF_SITE_NAME)
admin.site.site_title = admin.site.site_header
admin.site.index_template = "curation/admin_index.html"


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only for everyone, superusers included: the log is append-only."""

    list_display = ["time", "actor_name", "action", "target_type", "target_repr"]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_name", "target_repr", "target_id"]
    date_hierarchy = "time"
    fields = ["time", "actor_name", "action", "target_type", "target_id", "target_repr", "details"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class ShelfUserAdmin(UserAdmin):
    """Django's user admin, where the role is the group. ``is_staff`` follows
    the role, and only a superuser may grant superuser or single permissions."""

    list_display = ["username", "email", "role", "is_active", "last_login"]
    list_filter = ["groups", "is_active", "is_superuser"]

    def get_readonly_fields(self, request, obj=None):
        fields = ["is_staff", "last_login", "date_joined"]
        if not request.user.is_superuser:
            fields += ["is_superuser", "user_permissions"]
        return fields

    def has_change_permission(self, request, obj=None):
        # An administrator must not take over a superuser's account.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("role"))
    def role(self, user) -> str:
        names = {g.name for g in user.groups.all()}
        role = next((r for r in reversed(ROLE_LABELS) if r in names), None)
        if user.is_superuser:
            return _("Superuser")
        return ROLE_LABELS.get(role, "—")
