"""The moderation queue: confirmed suggestions, each accepted as a draft,
merged into an item the catalogue already has, or rejected with a reason."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from shelf.catalogue.models import Resource
from shelf.files.models import ResourceFile
from shelf.submissions import services
from shelf.submissions.models import State, Submission

ACTIONS = {
    "accept": (_("Accept as a draft"), services.ACCEPT),
    "merge": (_("Add to an existing item"), services.MERGE),
    "reject": (_("Reject"), services.DECIDE),
}


class StateFilter(admin.SimpleListFilter):
    """The queue first: without a choice the list shows what waits."""

    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [*State.choices, ("all", _("All"))]

    def choices(self, changelist):
        value = self.value() or State.PENDING
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or State.PENDING
        return queryset if value == "all" else queryset.filter(state=value)


def candidates(submission: Submission) -> list[Resource]:
    """Items the suggestion may duplicate: the same link, the same file, or
    a title containing its first 80 characters. Curators see them all
    (drafts and members-only included): this page is staff-only."""
    match = Q(title__iexact=submission.title) | Q(title__icontains=submission.title[:80])
    if submission.url:
        match |= Q(source_url=submission.url)
    if submission.sha256:
        match |= Q(pk__in=ResourceFile.objects.filter(sha256=submission.sha256).values("resource"))
    return list(Resource.objects.filter(match).order_by("title")[:10])


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(
        queryset=Resource.objects.none(),
        required=False,
        widget=forms.RadioSelect,
        label=_("Possible matches"),
    )
    slug = forms.CharField(
        label=_("Or the slug of another item"),
        required=False,
        help_text=_("The last part of its address: /resources/<slug>/"),
    )

    def __init__(self, *args, submission: Submission, **kwargs):
        super().__init__(*args, **kwargs)
        found = candidates(submission)
        self.fields["target"].queryset = Resource.objects.filter(pk__in=[r.pk for r in found])

    def clean(self):
        data = super().clean()
        slug = data.get("slug", "").strip().strip("/").rsplit("/", 1)[-1]
        if slug:
            data["target"] = Resource.objects.filter(slug=slug).first()
            if data["target"] is None:
                self.add_error("slug", _("No item has this slug."))
        if not data.get("target") and not self.errors:
            raise forms.ValidationError(_("Choose the item to add the suggestion to."))
        return data


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The sender receives it by e-mail, in their language."),
    )


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["title", "email", "state", "created", "confirmed", "resource"]
    list_filter = [StateFilter]
    search_fields = ["title", "email", "publisher", "url"]
    date_hierarchy = "created"
    filter_horizontal = ["terms"]
    fields = [
        "title",
        "summary",
        "publisher",
        "language",
        "url",
        "filename",
        "size",
        "terms",
        "email",
        "interface_language",
        "submitted_by",
        "state",
        "created",
        "confirmed",
        "decided",
        "decided_by",
        "resource",
        "reason",
    ]
    editable = {"title", "summary", "publisher", "language", "url", "terms"}
    change_form_template = "admin/submissions/submission/change_form.html"

    def has_add_permission(self, request):
        return False  # suggestions come from the form

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.state == State.PENDING:
            return [f for f in self.fields if f not in self.editable]
        return self.fields

    def get_urls(self):
        view = self.admin_site.admin_view(self.decide_view)
        return [
            path("<path:object_id>/decide/<str:action>/", view, name="submissions_decide"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        obj = self.get_object(request, object_id)
        if obj is not None and obj.state == State.PENDING:
            extra_context["decisions"] = [
                (name, label)
                for name, (label, perm) in ACTIONS.items()
                if request.user.has_perm(perm)
            ]
        return super().change_view(request, object_id, form_url, extra_context)

    def decide_view(self, request, object_id, action):
        submission = get_object_or_404(Submission, pk=object_id)
        if action not in ACTIONS or not request.user.has_perm(ACTIONS[action][1]):
            raise PermissionDenied
        data = request.POST if request.method == "POST" else None
        form = None
        if action == "merge":
            form = MergeForm(data, submission=submission)
        elif action == "reject":
            form = RejectForm(data)
        back = reverse("admin:submissions_submission_change", args=[submission.pk])
        if request.method == "POST" and (form is None or form.is_valid()):
            try:
                done = self.decide(request, submission, action, form)
            except (services.DecisionError, PermissionDenied, ValidationError) as e:
                text = " ".join(e.messages) if isinstance(e, ValidationError) else str(e)
                self.message_user(request, text, messages.ERROR)
                return redirect(back)
            return redirect(done)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": submission,
            "action": action,
            "label": ACTIONS[action][0],
            "form": form,
            "title": f"{ACTIONS[action][0]}: {submission}",
        }
        return TemplateResponse(request, "admin/submissions/submission/decide.html", context)

    def decide(self, request, submission, action, form) -> str:
        """Apply the decision; the address to go to next."""
        if action == "accept":
            resource = services.accept(submission, request.user)
            self.message_user(
                request,
                _("“%(title)s” is now a draft; a reviewer publishes it.") % {"title": resource},
                messages.SUCCESS,
            )
            return reverse("admin:catalogue_resource_change", args=[resource.pk])
        if action == "merge":
            target = form.cleaned_data["target"]
            for note in services.merge(submission, target, request.user):
                self.message_user(request, note, messages.WARNING)
            self.message_user(
                request,
                _("The suggestion was added to “%(title)s”.") % {"title": target},
                messages.SUCCESS,
            )
            return reverse("admin:catalogue_resource_change", args=[target.pk])
        services.reject(submission, request.user, form.cleaned_data["reason"])
        self.message_user(request, _("The suggestion was rejected."), messages.SUCCESS)
        return reverse("admin:submissions_submission_changelist")
