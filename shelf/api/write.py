"""Creating and changing resources through the API, with the rules of the
admin: an item is created as a draft; its status changes only through the
workflow (:func:`shelf.curation.workflow.apply`, which checks the role), so
an editor's token creates and edits drafts and sends them to review but
never publishes; making a published item public or members-only is a
reviewer's decision. Every write is one transaction, recorded as a revision
(django-simple-history) and in the audit log.

The scalar fields are checked by the import's record validation
(:func:`shelf.ingest.services.validate`), so the API and an import accept
the same values.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shelf.catalogue.models import (
    VOCABULARY_NAMES,
    Resource,
    Status,
    Term,
    Visibility,
    reserved_slug,
)
from shelf.curation import audit, workflow
from shelf.ingest.records import Record, parse_date
from shelf.ingest.services import validate

CREATE = "catalogue.add_resource"
CHANGE = "catalogue.change_resource"
UPLOAD = "files.add_resourcefile"


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # "text", "date", "day", "choice", "slug", "slugs", "terms"
    description: str
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    nullable: bool = False


# What a POST or PATCH body may hold; the OpenAPI document is built from this.
FIELDS = [
    Field("title", "text", gettext_lazy("The title (required to create)."), 500),
    Field("slug", "text", gettext_lazy("The address; made from the title if left out."), 200),
    Field("summary", "text", gettext_lazy("A short description (plain text).")),
    Field("body", "text", gettext_lazy("The full text (plain text).")),
    Field(
        "date",
        "date",
        gettext_lazy("YYYY, YYYY-MM or YYYY-MM-DD, as precisely as known."),
        nullable=True,
    ),
    Field("language", "text", gettext_lazy("A BCP 47 tag: en, fr, zh-Hans."), 35),
    Field("source_url", "text", gettext_lazy("The publisher's address for it."), 1000),
    Field(
        "visibility",
        "choice",
        gettext_lazy("Who may see it once published."),
        choices=tuple(Visibility.values),
    ),
    Field("last_reviewed", "day", gettext_lazy("YYYY-MM-DD."), nullable=True),
    Field("review_by", "day", gettext_lazy("YYYY-MM-DD."), nullable=True),
    Field(
        "terms",
        "terms",
        gettext_lazy(
            "Term slugs by vocabulary; each vocabulary given replaces that "
            "vocabulary's terms, the others are kept."
        ),
    ),
    Field("translations", "slugs", gettext_lazy("Slugs of the same work in other languages.")),
    Field(
        "supersedes",
        "slug",
        gettext_lazy("The slug of the edition this one replaces."),
        nullable=True,
    ),
    Field(
        "action",
        "choice",
        gettext_lazy("A workflow step to take after the change, as the admin's buttons."),
        choices=tuple(workflow.TRANSITIONS),
    ),
    Field("reason", "text", gettext_lazy("Why, for a rejection."), 500),
]
FIELDS_BY_NAME = {f.name: f for f in FIELDS}
SCALARS = ["title", "slug", "summary", "body", "language", "source_url", "visibility"]


class PayloadError(ValueError):
    """A body that cannot be written; ``errors`` maps fields to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


def check_types(data) -> dict[str, list[str]]:
    if not isinstance(data, dict):
        return {"": [_("The body must be a JSON object.")]}
    errors: dict[str, list[str]] = {}
    for name, value in data.items():
        spec = FIELDS_BY_NAME.get(name)
        if spec is None:
            errors[name] = [_("Unknown field.")]
        elif value is None and spec.nullable:
            continue
        elif spec.kind in ("text", "date", "day", "choice", "slug") and not isinstance(value, str):
            errors[name] = [_("Must be a string.")]
        elif spec.kind == "choice" and value not in spec.choices:
            errors[name] = [
                _("Must be one of: %(choices)s.") % {"choices": ", ".join(spec.choices)}
            ]
        elif spec.kind == "slugs" and not (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            errors[name] = [_("Must be a list of slugs.")]
        elif spec.kind == "terms" and not (
            isinstance(value, dict)
            and all(
                isinstance(v, list) and all(isinstance(s, str) for s in v) for v in value.values()
            )
        ):
            errors[name] = [_("Must map vocabularies to lists of term slugs.")]
    return errors


def day(value: str | None) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def load(data: dict, resource: Resource | None) -> tuple[dict, dict[str, list[str]]]:
    """The model values of ``data``, checked; ``resource`` is the item
    being changed (None to create)."""
    errors = check_types(data)
    if errors:
        raise PayloadError(errors)
    values: dict = {k: data[k] for k in SCALARS if k in data}
    for name in ("summary", "body", "title"):
        if name in values:
            values[name] = values[name].strip() if name == "title" else values[name]
    if "date" in data:
        try:
            values["date"], values["date_precision"] = parse_date(data["date"] or "")
        except ValueError:
            errors["date"] = [_("Use YYYY, YYYY-MM or YYYY-MM-DD.")]
    for name in ("last_reviewed", "review_by"):
        if name in data:
            values[name] = day(data[name])
            if data[name] and values[name] is None:
                errors[name] = [_("Use YYYY-MM-DD.")]
    if resource is None and not values.get("title"):
        errors["title"] = [_("A title is required.")]
    if errors:
        raise PayloadError(errors)
    current = {k: getattr(resource, k) for k in SCALARS} if resource else {}
    merged = {**{"visibility": Visibility.PUBLIC}, **current, **values}
    record = Record(
        line=0,
        key=resource.key if resource else "api:new",
        # Only what this record carries: status is the workflow's, never the record's.
        fields=("title", "slug", "language", "source_url", "visibility", "date", "date_precision"),
        title=merged.get("title", ""),
        slug=merged.get("slug", ""),
        language=merged.get("language", ""),
        source_url=merged.get("source_url", ""),
        visibility=merged["visibility"],
        date=values.get("date", resource.date if resource else None),
        date_precision=values.get("date_precision", resource.date_precision if resource else ""),
    )
    problems = [e.message for e in validate(record)]
    if problems:
        raise PayloadError({"": problems})
    slug = values.get("slug")
    if slug and Resource.objects.filter(slug=slug).exclude(pk=getattr(resource, "pk", None)):
        raise PayloadError({"slug": [_("Another resource has this slug.")]})
    return values, links(data)


def links(data: dict) -> dict:
    """Terms, translations and the older edition, found by slug."""
    out: dict = {}
    errors: dict[str, list[str]] = {}
    if "terms" in data:
        chosen = {}
        for vocabulary, slugs in data["terms"].items():
            if vocabulary not in VOCABULARY_NAMES:
                errors.setdefault("terms", []).append(
                    _("Unknown vocabulary %(name)s.") % {"name": vocabulary[:50]}
                )
                continue
            found = {t.slug: t for t in Term.objects.filter(vocabulary=vocabulary, slug__in=slugs)}
            for slug in slugs:
                if slug not in found:
                    errors.setdefault("terms", []).append(
                        _("Unknown %(facet)s: %(value)s")
                        % {"facet": vocabulary, "value": slug[:50]}
                    )
            chosen[vocabulary] = list(found.values())
        out["terms"] = chosen
    for name in ("translations", "supersedes"):
        if name not in data or data[name] is None:
            if name in data:
                out[name] = None
            continue
        slugs = data[name] if name == "translations" else [data[name]]
        found = {r.slug: r for r in Resource.objects.filter(slug__in=slugs)}
        missing = [s for s in slugs if s not in found]
        if missing:
            errors[name] = [_("No resource with the slug %(slug)s.") % {"slug": missing[0][:50]}]
        out[name] = [found[s] for s in slugs if s in found]
    if errors:
        raise PayloadError(errors)
    return out


def _write(resource: Resource, linked: dict, user, reason: str) -> None:
    """Save the fields and links as one revision, terms included."""
    if "supersedes" in linked:
        resource.supersedes = (linked["supersedes"] or [None])[0]
    resource._history_user = user
    resource._change_reason = reason
    try:
        resource.full_clean(exclude=["key", "terms", "translations"], validate_unique=False)
    except ValidationError as e:
        raise PayloadError({k: [str(m) for m in v] for k, v in e.message_dict.items()}) from e
    # As the admin does: the revision waits until the terms are in place.
    resource.skip_history_when_saving = True
    resource.save()
    if "terms" in linked:
        keep = [t for t in resource.terms.all() if t.vocabulary not in linked["terms"]]
        resource.terms.set(keep + [t for terms in linked["terms"].values() for t in terms])
    if "translations" in linked:
        resource.translations.set(linked["translations"] or [])
    del resource.skip_history_when_saving
    resource.save()


def _act(resource: Resource, data: dict, user) -> None:
    if data.get("action"):
        workflow.apply(resource, data["action"], user, reason=data.get("reason", ""))


@transaction.atomic
def create(*, data: dict, user, via: str = "api") -> Resource:
    """A new draft from ``data``; raises PayloadError, PermissionDenied or
    WorkflowError having written nothing."""
    if not user.has_perm(CREATE):
        raise PermissionDenied(_("Your role may not create resources."))
    values, linked = load(data, None)
    resource = Resource(**values)
    resource.status = Status.DRAFT
    resource.key = f"api:{uuid.uuid4()}"
    if not resource.slug:
        resource.slug = unique_slug(resource.title)
    _write(resource, linked, user, "created")
    audit.record(user, "create", resource, via=via, fields=sorted(data))
    _act(resource, data, user)
    return resource


@transaction.atomic
def update(*, resource: Resource, data: dict, user, via: str = "api") -> Resource:
    """Change ``resource`` as ``data`` says (fields left out are kept)."""
    if not user.has_perm(CHANGE):
        raise PermissionDenied(_("Your role may not change resources."))
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    values, linked = load(data, resource)
    if (
        "visibility" in values
        and values["visibility"] != resource.visibility
        and resource.status == Status.PUBLISHED
        and not user.has_perm(workflow.PUBLISH)
    ):
        raise PermissionDenied(
            _("Making a published item public or members-only is a reviewer’s decision.")
        )
    changed = [k for k in data if k not in ("action", "reason")]
    if values or linked:
        for name, value in values.items():
            setattr(resource, name, value)
        _write(resource, linked, user, "changed")
        audit.record(user, "change", resource, via=via, fields=sorted(changed))
    _act(resource, data, user)
    return resource


def unique_slug(title: str) -> str:
    from django.utils.text import slugify

    base = slugify(title, allow_unicode=True)[:180] or "resource"
    slug, n = base, 1
    while reserved_slug(slug) or Resource.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug
