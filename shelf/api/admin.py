from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from shelf.api.models import ApiToken
from shelf.curation import audit


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Administrators create tokens for an account and revoke them. The
    secret is shown once, on the page after "Save", and never stored."""

    list_display = ["name", "user", "prefix", "created", "last_used", "revoked"]
    list_filter = [("revoked", admin.EmptyFieldListFilter)]
    search_fields = ["name", "user__username", "prefix"]
    autocomplete_fields = ["user"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "name"]
        return ["user", "name", "prefix", "created", "last_used", "revoked"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["user", "prefix", "created", "last_used", "revoked"]

    def save_model(self, request, obj, form, change):
        if not change:
            request._issued_secret = obj.issue()
        super().save_model(request, obj, form, change)
        if not change:
            audit.record(request.user, "token created", obj.user, token=obj.prefix, name=obj.name)

    def response_add(self, request, obj, post_url_continue=None):
        # The secret goes into this page only: no redirect, no message in a
        # cookie or the session.
        context = {
            **self.admin_site.each_context(request),
            "token": obj,
            "secret": request._issued_secret,
            "opts": self.model._meta,
            "title": _("API token created"),
        }
        response = TemplateResponse(request, "api/token_created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        tokens = list(queryset.filter(revoked__isnull=True).select_related("user"))
        now = timezone.now()
        for token in tokens:
            ApiToken.objects.filter(pk=token.pk).update(revoked=now)
            audit.record(request.user, "token revoked", token.user, token=token.prefix)
        self.message_user(
            request,
            ngettext("%(n)d token revoked.", "%(n)d tokens revoked.", len(tokens))
            % {"n": len(tokens)},
            messages.SUCCESS,
        )
