from __future__ import annotations

import time

from django import forms
from django.conf import settings
from django.core import signing
from django.template.defaultfilters import filesizeformat
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from shelf.catalogue.models import VOCABULARIES, Resource, Term
from shelf.lib import languages
from shelf.submissions.models import LANGUAGE_CHOICES

STAMP_SALT = "shelf.submissions.form-started"
# The vocabularies a sender may suggest terms of (language and publisher
# are fields of their own, collections are the curators' to make).
SUGGESTED = ("topic", "audience", "setting", "type", "country")
ACCEPT = ".pdf,.docx,.pptx,.png,.jpg,.jpeg"


def stamp(now: float | None = None) -> str:
    """When the form was handed out, signed so a client cannot backdate it."""
    return signing.dumps(time.time() if now is None else now, salt=STAMP_SALT)


class LanguageSelect(forms.Select):
    """Each language by its own name, marked as being in that language
    (WCAG 3.1.2), as the language switcher does."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value:
            option["attrs"]["lang"] = value
        return option


class TermChoices(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Term) -> str:
        return obj.display_label


def suggestable_terms(vocabulary: str, user):
    """Terms of items ``user`` may see: a term only members-only items carry
    names something members-only, so the public is not offered it."""
    visible = Resource.objects.visible_to(user)
    return Term.objects.filter(vocabulary=vocabulary, pk__in=visible.values("terms")).order_by(
        "label"
    )


class SuggestForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=500)
    summary = forms.CharField(
        label=_("Summary"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text=_("What it is, who it is for, what it covers."),
    )
    publisher = forms.CharField(
        label=_("Publisher"),
        max_length=200,
        required=False,
        help_text=_("The organisation that published it."),
    )
    language = forms.ChoiceField(
        label=_("Language of the resource"), choices=LANGUAGE_CHOICES, widget=LanguageSelect
    )
    url = forms.URLField(
        label=_("Link"),
        max_length=1000,
        required=False,
        assume_scheme="https",
        help_text=_("Where it can be read or downloaded. Give a link, a file or both."),
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
    )
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_(
            "We send you a link to confirm it, and tell you what we decided. It is not published."
        ),
    )
    # Left empty by people (it is hidden from them); robots fill it in.
    website = forms.CharField(label=_("Leave this field empty"), required=False)
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fresh_stamp = not self.is_bound
        self.fields["file"].help_text = _(
            "PDF, Word (DOCX), PowerPoint (PPTX), PNG or JPEG, at most %(size)s."
        ) % {"size": filesizeformat(settings.SHELF_MAX_UPLOAD_MB * 1024 * 1024)}
        self.fields["language"].initial = languages.normalise(get_language() or "") or "en"
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        labels = dict(VOCABULARIES)
        for name in SUGGESTED:
            self.fields[f"terms_{name}"] = TermChoices(
                queryset=suggestable_terms(name, user), required=False, label=labels[name]
            )

    @property
    def term_fields(self):
        return [
            self[f"terms_{name}"] for name in SUGGESTED if self.fields[f"terms_{name}"].queryset
        ]

    @property
    def stamp_value(self) -> str:
        """The stamp the page carries: the one posted, unless it was refused
        as changed or too old (a new one lets the sender try again)."""
        if self.fresh_stamp:
            return stamp()
        return self.data.get("started", "")

    def clean_website(self) -> str:
        if self.cleaned_data["website"]:
            raise forms.ValidationError(
                _(
                    "This looks like an automated suggestion: the field meant to stay "
                    "empty was filled in."
                ),
                code="honeypot",
            )
        return ""

    def clean_started(self) -> float:
        try:
            started = float(signing.loads(self.cleaned_data["started"], salt=STAMP_SALT))
        except (signing.BadSignature, TypeError, ValueError):
            self.fresh_stamp = True
            raise forms.ValidationError(
                _("The form was changed or is incomplete. Check the fields and send it again."),
                code="stamp",
            ) from None
        age = time.time() - started
        if age > settings.SHELF_SUGGEST_FORM_HOURS * 3600:
            self.fresh_stamp = True
            raise forms.ValidationError(
                _("This form was opened too long ago. Check the fields and send it again."),
                code="too_old",
            )
        if age < settings.SHELF_SUGGEST_MIN_SECONDS:
            raise forms.ValidationError(
                _(
                    "The form was sent faster than a person can fill it in. Check the fields "
                    "and send it again."
                ),
                code="too_fast",
            )
        return started

    def clean(self):
        data = super().clean()
        # The stamp and the trap are not fields a person sees: say it on top.
        for name in ("started", "website"):
            if name in self.errors:
                self.add_error(None, self.errors.pop(name))
        if not data.get("url") and not data.get("file") and "url" not in self.errors:
            self.add_error(
                None,
                forms.ValidationError(
                    _("Give a link to the resource, attach its file, or both."), code="no_source"
                ),
            )
        return data

    def fields_for_submission(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("title", "summary", "publisher", "language", "url", "email")
        }

    def chosen_terms(self) -> list[Term]:
        return [t for name in SUGGESTED for t in self.cleaned_data.get(f"terms_{name}", [])]
