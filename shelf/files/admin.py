from django import forms
from django.contrib import admin, messages
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from shelf.files import services
from shelf.files.models import FileStatus, ResourceFile


class _Nothing(forms.Widget):
    # Stands in for the file input on rows of attached files. The admin asks
    # the inline's first row whether the form needs multipart; saying no here
    # made the browser send a new file's name without its data.
    needs_multipart_form = True

    def render(self, name, value, attrs=None, renderer=None):
        return ""


class UploadForm(forms.ModelForm):
    """Adds a file through ``attach_file``, so the admin checks uploads
    exactly as every other way in does. Existing files are read-only."""

    upload = forms.FileField(label=_("File"), help_text=_("PDF, DOCX, PPTX, PNG or JPEG."))
    user = None  # set per request by the admin classes below

    class Meta:
        model = ResourceFile
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The admin's rows all have the column; an attached file cannot be replaced.
            field = self.fields["upload"]
            field.required, field.disabled, field.widget = False, True, _Nothing()

    def save(self, commit=True):
        if self.instance.pk:
            return super().save(commit=commit)
        # attach_file saves (validating again, atomically); the admin's
        # later save of the same form is then a no-op update.
        self.instance = services.attach_file(
            resource=self.cleaned_data.get("resource") or self.instance.resource,
            upload=self.cleaned_data["upload"],
            user=self.user,
        )
        self.save_m2m = lambda: None
        return self.instance

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        resource = cleaned.get("resource") or getattr(self.instance, "resource", None)
        if upload and not self.instance.pk:
            self._check(upload, resource)
        return cleaned

    def _check(self, upload, resource):
        # Refused here, the reason shows next to the field.
        try:
            services.check_upload(resource=resource, upload=upload)
        except forms.ValidationError as e:
            self.add_error("upload", e)


def _size(obj):
    return filesizeformat(obj.size) if obj.size is not None else "-"


_size.short_description = _("size")


def _format(obj):
    return obj.format_label if obj.content_type else "-"


_format.short_description = _("format")


def _status(obj):
    if obj.status == FileStatus.FAILED:
        return format_html("{}: {}", obj.get_status_display(), obj.error_display)
    return obj.get_status_display()


_status.short_description = _("status")


class ResourceFileInline(admin.TabularInline):
    """For the Resource admin: its files, and a row to add one."""

    model = ResourceFile
    form = UploadForm
    extra = 1
    fields = ["upload", "filename", _format, _size, "page_count", _status, "created"]
    readonly_fields = ["filename", _format, _size, "page_count", _status, "created"]
    show_change_link = True

    # Whoever may edit a resource may attach files to it and remove them.
    def has_add_permission(self, request, obj=None):
        return request.user.has_perm("catalogue.change_resource")

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("catalogue.change_resource")

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("catalogue.change_resource")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type("UploadForm", (formset.form,), {"user": request.user})
        return formset


class AdminUploadForm(UploadForm):
    class Meta:
        model = ResourceFile
        fields = ["resource"]


@admin.register(ResourceFile)
class ResourceFileAdmin(admin.ModelAdmin):
    form = AdminUploadForm
    list_display = ["filename", "resource", _format, _size, "page_count", _status, "created"]
    list_filter = ["status", "content_type"]
    list_select_related = ["resource"]
    search_fields = ["filename", "sha256", "resource__title"]
    raw_id_fields = ["resource"]
    actions = ["extract_again"]
    readonly_fields = [
        "filename",
        "content_type",
        "sha256",
        "size",
        "page_count",
        "status",
        "error",
        "uploaded_by",
        "created",
        "processed",
    ]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["resource", "upload"]
        return ["resource", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return ["resource", *self.readonly_fields] if obj else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type("AdminUploadForm", (form,), {"user": request.user})

    @admin.action(description=_("Read the selected files again"))
    def extract_again(self, request, queryset):
        count = 0
        for item in queryset:
            queryset.filter(pk=item.pk).update(status=FileStatus.PENDING, error="")
            services.queue_extraction(item)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d file queued.", "%(count)d files queued.", count) % {"count": count},
            messages.SUCCESS,
        )
