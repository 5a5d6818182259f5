"""The admin of the catalogue's resources and terms, shaped for curators.
It lives in curation, beside the workflow and audit log it drives, so the
catalogue imports nothing above it.

Resources: one term picker per vocabulary, translations and editions by
autocomplete, status changed only through the workflow's actions (buttons on
the change page and bulk actions), revisions with diff and restore from
django-simple-history. Terms: aliases one per line, a label per site
language.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME, ActionForm
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from shelf.catalogue.models import VOCABULARIES, Resource, Status, Term, Visibility
from shelf.curation import audit, bulk, freshness, terms, workflow
from shelf.files.admin import ResourceFileInline


def declare_fields(form_class, fields: dict) -> None:
    """Add fields to a form class as if written in its body, so the admin's
    fieldsets can name them."""
    form_class.declared_fields.update(fields)
    form_class.base_fields.update(fields)


class TermsField(forms.ModelMultipleChoiceField):
    """Terms of one vocabulary, listed by label alone."""

    def label_from_instance(self, obj: Term) -> str:
        return obj.label


class ResourceAdminForm(forms.ModelForm):
    # Set by ResourceAdmin when the form shows an old revision: its terms.
    revision_term_ids: list[int] | None = None
    source_url = forms.URLField(
        label=_("source URL"), max_length=1000, required=False, assume_scheme="https"
    )

    class Meta:
        model = Resource
        fields = [
            "title",
            "slug",
            "summary",
            "body",
            "visibility",
            "date",
            "date_precision",
            "language",
            "source_url",
            "translations",
            "supersedes",
            "last_reviewed",
            "review_by",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            # What save_model will make it, so the add page says so.
            self.instance.status = Status.DRAFT
        if self.revision_term_ids is not None:
            chosen = list(Term.objects.filter(pk__in=self.revision_term_ids))
        elif self.instance.pk:
            chosen = list(self.instance.terms.all())
        else:
            return
        for name, _label in VOCABULARIES:
            self.initial[f"terms_{name}"] = [t.pk for t in chosen if t.vocabulary == name]

    def chosen_terms(self) -> list[Term]:
        chosen = []
        for name, _label in VOCABULARIES:
            chosen += self.cleaned_data.get(f"terms_{name}") or []
        return chosen

    def _save_m2m(self):
        super()._save_m2m()
        resource = self.instance
        resource.terms.set(self.chosen_terms())
        # ResourceAdmin.save_model held the revision back until the terms
        # were in place, so one save makes one revision, terms included.
        if hasattr(resource, "skip_history_when_saving"):
            del resource.skip_history_when_saving
            resource.save()


declare_fields(
    ResourceAdminForm,
    {
        f"terms_{name}": TermsField(
            queryset=Term.objects.filter(vocabulary=name),
            required=False,
            label=label,
            widget=FilteredSelectMultiple(label, is_stacked=False),
        )
        for name, label in VOCABULARIES
    },
)


class ReviewFilter(admin.SimpleListFilter):
    title = _("review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("overdue", _("Review overdue")),
            ("superseded", _("Review overdue, superseded editions")),
            ("soon", _("Review due in 30 days")),
            ("none", _("No review date")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.filter(review_by__lt=today).filter(~freshness.is_superseded())
        if self.value() == "superseded":
            return queryset.filter(review_by__lt=today).filter(freshness.is_superseded())
        if self.value() == "soon":
            return queryset.filter(review_by__gte=today, review_by__lte=today + timedelta(days=30))
        if self.value() == "none":
            return queryset.filter(review_by=None)
        return queryset


def term_filter(vocabulary: str, label) -> type[admin.SimpleListFilter]:
    class TermFilter(admin.SimpleListFilter):
        title = label
        parameter_name = f"term_{vocabulary}"

        def lookups(self, request, model_admin):
            return list(Term.objects.filter(vocabulary=vocabulary).values_list("slug", "label"))

        def queryset(self, request, queryset):
            if self.value():
                return queryset.filter(terms__vocabulary=vocabulary, terms__slug=self.value())
            return queryset

    return TermFilter


class BulkActionForm(ActionForm):
    """The bulk actions' one form: each action reads the field it needs."""

    term = forms.ModelChoiceField(queryset=Term.objects.all(), required=False, label=_("Term"))
    visibility = forms.ChoiceField(
        choices=[("", "---------"), *Visibility.choices], required=False, label=_("Visibility")
    )
    review_by = forms.DateField(
        required=False,
        label=_("Review by"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty clears the date."),
    )


@admin.register(Resource)
class ResourceAdmin(SimpleHistoryAdmin):
    form = ResourceAdminForm
    action_form = BulkActionForm
    change_form_template = "admin/catalogue/resource/change_form.html"
    list_display = ["title", "status", "visibility", "language", "date", "review_by", "updated"]
    list_filter = [
        "status",
        "visibility",
        ReviewFilter,
        "language",
        *[term_filter(name, label) for name, label in VOCABULARIES if name != "language"],
    ]
    search_fields = ["title", "summary", "slug", "key"]
    date_hierarchy = "date"
    list_per_page = 50
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["translations", "supersedes"]
    readonly_fields = ["status", "publish_at", "key", "created", "updated"]
    history_list_display = ["status"]
    actions = [
        "add_term",
        "remove_term",
        "set_visibility",
        "set_review_by",
        "send_to_review",
        "publish",
        "archive",
    ]
    inlines = [ResourceFileInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "body"]}),
        (
            _("Publication"),
            {
                "fields": [
                    "status",
                    "publish_at",
                    "visibility",
                    "date",
                    "date_precision",
                    "language",
                    "source_url",
                ]
            },
        ),
        (
            _("Terms"),
            {
                "description": _("Publishers are the “Publisher” vocabulary."),
                "fields": [f"terms_{name}" for name, _label in VOCABULARIES],
            },
        ),
        (
            _("Related works"),
            {"fields": ["translations", "supersedes"]},
        ),
        (_("Freshness"), {"fields": ["last_reviewed", "review_by"]}),
        (_("Record"), {"classes": ["collapse"], "fields": ["key", "created", "updated"]}),
    ]

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm(workflow.PUBLISH)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        # Making a published item public or members-only is a publishing decision.
        if obj and obj.status == Status.PUBLISHED and not self.has_publish_permission(request):
            fields.append("visibility")
        return fields

    def save_model(self, request, obj, form, change):
        if change:
            # Status moves only through the workflow; a restored revision
            # brings back content, not an old publication state.
            current = Resource.objects.filter(pk=obj.pk).values(
                "status", "publish_at", "visibility"
            )[0]
            obj.status, obj.publish_at = current["status"], current["publish_at"]
            if current["status"] == Status.PUBLISHED and not self.has_publish_permission(request):
                obj.visibility = current["visibility"]
            restored = getattr(request, "_restoring_revision", None)
            obj._change_reason = f"restored revision {restored}" if restored else "edited"
            if obj.publish_at and form.has_changed():
                # A reviewer approved the version they read; this one has
                # not been read yet.
                workflow.withdraw_approval(obj, request.user, changed=form.changed_data)
                self.message_user(
                    request,
                    _(
                        "The approval was withdrawn: the item changed after a reviewer "
                        "approved it, so a reviewer must approve it again."
                    ),
                    messages.WARNING,
                )
            if restored:
                audit.record(request.user, "restore revision", obj, revision=restored)
        else:
            obj.status = Status.DRAFT
            obj.publish_at = None
            obj.key = obj.key or f"admin:{uuid.uuid4()}"
            obj._change_reason = "created"
        obj.skip_history_when_saving = True
        super().save_model(request, obj, form, change)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        revision_term_ids = getattr(request, "_revision_term_ids", None)
        if revision_term_ids is not None:
            form = type(form.__name__, (form,), {"revision_term_ids": revision_term_ids})
        return form

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        record = Resource.history.filter(id=object_id, history_id=version_id).first()
        if record is not None:
            request._revision_term_ids = list(record.terms.values_list("term_id", flat=True))
            request._restoring_revision = record.history_id
        return super().history_form_view(request, object_id, version_id, extra_context)

    # The workflow, one item at a time: buttons on the change page.

    def get_urls(self):
        view = self.admin_site.admin_view(self.workflow_view)
        return [
            path(
                "<path:object_id>/workflow/<str:action>/", view, name="catalogue_resource_workflow"
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        obj = self.get_object(request, object_id)
        if obj is not None:
            extra_context["workflow_actions"] = workflow.allowed(obj, request.user)
            extra_context["last_transition"] = workflow.last_transition(obj)
        return super().change_view(request, object_id, form_url, extra_context)

    def workflow_view(self, request, object_id, action):
        obj = get_object_or_404(Resource, pk=object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        transition = workflow.TRANSITIONS.get(action)
        if transition is None or not request.user.has_perm(transition.permission):
            raise PermissionDenied
        data = request.POST if request.method == "POST" else None
        form = WorkflowForm(data, transition=transition)
        if request.method == "POST" and form.is_valid():
            try:
                workflow.apply(
                    obj,
                    action,
                    request.user,
                    reason=form.cleaned_data.get("reason", ""),
                    publish_at=form.cleaned_data.get("publish_at"),
                )
            except (workflow.WorkflowError, PermissionDenied) as e:
                self.message_user(request, str(e), messages.ERROR)
            else:
                self.message_user(request, workflow_message(obj), messages.SUCCESS)
            return redirect(reverse("admin:catalogue_resource_change", args=[obj.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "transition": transition,
            "form": form,
            "title": f"{transition.label}: {obj}",
        }
        return TemplateResponse(request, "admin/catalogue/resource/workflow.html", context)

    # Many items at a time: bulk actions, each with a confirmation page
    # saying how many items change. shelf.curation.bulk plans and applies
    # them; workflow changes still go item by item through workflow.apply.

    def run_bulk(self, request, queryset, change: bulk.Change | None):
        if change is None:
            return None
        try:
            planned = bulk.plan(queryset, change, request.user)
        except PermissionDenied as e:
            self.message_user(request, str(e) or _("Your role may not do this."), messages.ERROR)
            return None
        if request.POST.get("confirm") != "yes":
            return self.confirm_bulk(request, planned)
        try:
            done = bulk.apply(planned, request.user)
        except (workflow.WorkflowError, PermissionDenied) as e:
            self.message_user(request, str(e), messages.ERROR)
            return None
        self.message_user(
            request,
            ngettext(
                "%(n)d resource changed: %(change)s.", "%(n)d resources changed: %(change)s.", done
            )
            % {"n": done, "change": change.describe()},
            messages.SUCCESS,
        )
        return None

    def confirm_bulk(self, request, planned: bulk.Plan):
        select_across = request.POST.get("select_across") == "1"
        keep = [
            (name, value)
            for name in ("action", "term", "visibility", "review_by")
            for value in request.POST.getlist(name)[:1]
        ]
        if not select_across:
            keep += [(ACTION_CHECKBOX_NAME, v) for v in request.POST.getlist(ACTION_CHECKBOX_NAME)]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Confirm: %(change)s") % {"change": planned.change.describe()},
            "plan": planned,
            "select_across": select_across,
            "keep": keep,
            "sample": Resource.objects.filter(pk__in=planned.ids[:10]).order_by("title"),
        }
        return TemplateResponse(request, "admin/catalogue/resource/bulk_confirm.html", context)

    def chosen_term(self, request) -> Term | None:
        term = term_from(request.POST.get("term"))
        if term is None:
            self.message_user(request, _("Choose a term."), messages.ERROR)
        return term

    @admin.action(description=_("Add the chosen term to selected"), permissions=["change"])
    def add_term(self, request, queryset):
        term = self.chosen_term(request)
        return self.run_bulk(request, queryset, term and bulk.Change(bulk.ADD_TERM, term=term))

    @admin.action(description=_("Remove the chosen term from selected"), permissions=["change"])
    def remove_term(self, request, queryset):
        term = self.chosen_term(request)
        return self.run_bulk(request, queryset, term and bulk.Change(bulk.REMOVE_TERM, term=term))

    @admin.action(description=_("Set the chosen visibility on selected"), permissions=["change"])
    def set_visibility(self, request, queryset):
        value = request.POST.get("visibility", "")
        if value not in Visibility.values:
            self.message_user(request, _("Choose a visibility."), messages.ERROR)
            return None
        return self.run_bulk(request, queryset, bulk.Change(bulk.VISIBILITY, visibility=value))

    @admin.action(description=_("Set the chosen review date on selected"), permissions=["change"])
    def set_review_by(self, request, queryset):
        try:
            date = forms.DateField(required=False).clean(request.POST.get("review_by", ""))
        except forms.ValidationError:
            self.message_user(request, _("Give the review date as YYYY-MM-DD."), messages.ERROR)
            return None
        return self.run_bulk(request, queryset, bulk.Change(bulk.REVIEW_BY, review_by=date))

    @admin.action(description=_("Send selected to review"), permissions=["change"])
    def send_to_review(self, request, queryset):
        return self.run_bulk(request, queryset, bulk.Change(bulk.TRANSITION, transition="submit"))

    @admin.action(description=_("Publish selected"), permissions=["publish"])
    def publish(self, request, queryset):
        return self.run_bulk(request, queryset, bulk.Change(bulk.TRANSITION, transition="publish"))

    @admin.action(description=_("Archive selected"), permissions=["publish"])
    def archive(self, request, queryset):
        return self.run_bulk(request, queryset, bulk.Change(bulk.TRANSITION, transition="archive"))


def term_from(value) -> Term | None:
    """The term a posted id names, or None (for a missing or malformed id)."""
    try:
        return forms.ModelChoiceField(Term.objects.all()).clean(value)
    except forms.ValidationError:
        return None


def workflow_message(resource: Resource) -> str:
    if resource.status == Status.REVIEW and resource.publish_at:
        return _("Approved; it will be published at %(time)s.") % {
            "time": timezone.localtime(resource.publish_at).strftime("%Y-%m-%d %H:%M")
        }
    return _("“%(title)s” is now %(status)s.") % {
        "title": resource.title,
        "status": resource.get_status_display().lower(),
    }


class WorkflowForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=2000,
    )
    publish_at = forms.DateTimeField(
        label=_("Publish at"),
        required=False,
        help_text=_("Leave empty to publish now; a later time (YYYY-MM-DD HH:MM) schedules it."),
    )

    def __init__(self, *args, transition, **kwargs):
        super().__init__(*args, **kwargs)
        self.transition = transition
        if transition.needs_reason:
            self.fields["reason"].required = True
        else:
            del self.fields["reason"]
        if transition.name != "publish":
            del self.fields["publish_at"]


class TermAdminForm(forms.ModelForm):
    aliases_text = forms.CharField(
        label=_("aliases"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: source tags, synonyms and abbreviations that mean this term."),
    )

    class Meta:
        model = Term
        fields = ["vocabulary", "slug", "label"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["aliases_text"] = "\n".join(self.instance.aliases)
        for code, _name in settings.LANGUAGES:
            self.initial[f"label_{code}"] = self.instance.labels.get(code, "")

    def clean_aliases_text(self) -> list[str]:
        lines = (" ".join(line.split()) for line in self.cleaned_data["aliases_text"].splitlines())
        return list(dict.fromkeys(line for line in lines if line))

    def save(self, commit=True):
        term = super().save(commit=False)
        term.aliases = self.cleaned_data["aliases_text"]
        term.labels = {
            code: self.cleaned_data[f"label_{code}"].strip()
            for code, _name in settings.LANGUAGES
            if self.cleaned_data.get(f"label_{code}", "").strip()
        }
        if commit:
            term.save()
        return term


def _label_field_label(language) -> str:
    return gettext("Label (%(language)s)") % {"language": language}


declare_fields(
    TermAdminForm,
    {
        # Lazy: the form is built once, at import, in no reader's language.
        f"label_{code}": forms.CharField(
            label=lazy(_label_field_label, str)(name), required=False, max_length=200
        )
        for code, name in settings.LANGUAGES
    },
)


class MergeActionForm(ActionForm):
    into = forms.ModelChoiceField(
        queryset=Term.objects.all(), required=False, label=_("Merge into")
    )


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    form = TermAdminForm
    action_form = MergeActionForm
    actions = ["merge_into"]
    list_display = ["label", "vocabulary", "slug", "alias_list", "resource_count"]
    list_filter = ["vocabulary"]
    search_fields = ["label", "slug", "aliases"]
    prepopulated_fields = {"slug": ["label"]}

    def get_fieldsets(self, request, obj=None):
        return [
            (None, {"fields": ["vocabulary", "label", "slug", "aliases_text"]}),
            (
                _("Translated labels"),
                {
                    "description": _(
                        "Shown to readers browsing in that language; "
                        "an empty one falls back to the label."
                    ),
                    "fields": [f"label_{code}" for code, _name in settings.LANGUAGES],
                },
            ),
        ]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(n=Count("resources"))

    def save_model(self, request, obj, form, change):
        if change and {"slug", "label"} & set(form.changed_data):
            before = Term.objects.get(pk=obj.pk)
            # Links with the old slug keep working; imports still know the old names.
            terms.renamed(obj, before.slug, before.label, request.user)
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Merge selected into the chosen term"), permissions=["delete"])
    def merge_into(self, request, queryset):
        target = term_from(request.POST.get("into"))
        if target is None:
            self.message_user(request, _("Choose the term to merge into."), messages.ERROR)
            return None
        sources = list(queryset.exclude(pk=target.pk).order_by("vocabulary", "label"))
        wrong = [t for t in sources if t.vocabulary != target.vocabulary]
        if wrong or not sources:
            self.message_user(
                request,
                _("Choose terms of the vocabulary of “%(target)s”, other than itself.")
                % {"target": target},
                messages.ERROR,
            )
            return None
        if request.POST.get("confirm") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Merge into “%(target)s”") % {"target": target.label},
                "target": target,
                "sources": [(t, t.resources.count()) for t in sources],
                "keep": [(ACTION_CHECKBOX_NAME, str(t.pk)) for t in sources]
                + [("action", "merge_into"), ("into", str(target.pk))],
            }
            return TemplateResponse(request, "admin/catalogue/term/merge_confirm.html", context)
        count = sum(terms.merge(source, target, request.user) for source in sources)
        self.message_user(
            request,
            ngettext(
                "Merged into “%(target)s”; %(n)d resource re-tagged.",
                "Merged into “%(target)s”; %(n)d resources re-tagged.",
                count,
            )
            % {"target": target.label, "n": count},
            messages.SUCCESS,
        )
        return None

    @admin.display(description=_("aliases"))
    def alias_list(self, term: Term) -> str:
        return ", ".join(term.aliases[:5]) + (" …" if len(term.aliases) > 5 else "")

    @admin.display(description=_("resources"), ordering="n")
    def resource_count(self, term: Term) -> int:
        return term.n
