from __future__ import annotations

import functools
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.core.signals import setting_changed
from django.db import models
from django.db.models.expressions import RawSQL
from django.dispatch import receiver
from django.urls import (
    NoReverseMatch,
    Resolver404,
    get_script_prefix,
    get_urlconf,
    resolve,
    reverse,
)
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from shelf.lib.languages import language_label

# One controlled vocabulary per facet. The order here is the order of the
# "Filter by" sidebar.
VOCABULARIES = [
    ("topic", _("Topic")),
    ("audience", _("Audience")),
    ("setting", _("Setting")),
    ("type", _("Resource type")),
    ("language", _("Language")),
    ("publisher", _("Publisher")),
    ("collection", _("Collection")),
    ("country", _("Country")),
]
VOCABULARY_NAMES = [name for name, _label in VOCABULARIES]


class Term(models.Model):
    vocabulary = models.CharField(_("vocabulary"), max_length=20, choices=VOCABULARIES)
    slug = models.SlugField(_("slug"), max_length=100, allow_unicode=True)
    label = models.CharField(_("label"), max_length=200)
    # Other spellings that mean this term: raw source tags, synonyms,
    # abbreviations. Imports map tags through them; search expands them.
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    # Translated labels, {language: label}; ``label`` is the fallback.
    labels = models.JSONField(_("translated labels"), default=dict, blank=True)

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["vocabulary", "label"]
        constraints = [
            models.UniqueConstraint(fields=["vocabulary", "slug"], name="term_unique_slug"),
        ]

    def __str__(self) -> str:
        return f"{self.get_vocabulary_display()}: {self.label}"

    def get_absolute_url(self) -> str:
        return reverse("front:resources") + f"?{self.vocabulary}={self.slug}"

    @property
    def display_label(self) -> str:
        """The label in the language being served (set per request by
        LocaleMiddleware from the reader's choice or browser)."""
        return self.label_for(get_language())

    def label_for(self, language: str | None) -> str:
        """The label in ``language`` ("fr", "zh-Hans", ...), falling back to
        its base language ("zh"), then to the untranslated label."""
        if not language or not self.labels:
            return self.label
        wanted = language.lower()
        base = wanted.split("-")[0]
        # A loop rather than a lower-cased copy of the labels: pages and the
        # API ask for a few hundred labels each (a later spelling of the same
        # language wins, as it did in the copy).
        exact = in_base = None
        for lang, label in self.labels.items():
            if label:
                lowered = lang.lower()
                if lowered == wanted:
                    exact = label
                elif lowered == base:
                    in_base = label
        return exact or in_base or self.label


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    MEMBERS = "members", _("Members only")


class DatePrecision(models.TextChoices):
    YEAR = "year", _("Year")
    MONTH = "month", _("Month")
    DAY = "day", _("Day")


def is_member(user) -> bool:
    """Signed-in readers are members; everyone else reads as the public."""
    return bool(user is not None and user.is_authenticated)


# Who may see what, defined once: per kind of reader (member or not), the
# field values an item must have. The manager filters by it, a single item
# is checked against it and the search index builds its visibility bitmaps
# from it, so the three cannot disagree.
READERS = (False, True)  # the public, members


def visibility_rule(member: bool) -> dict[str, str]:
    rule = {"status": Status.PUBLISHED}
    if not member:
        rule["visibility"] = Visibility.PUBLIC
    return rule


def may_see(member: bool, values) -> bool:
    """``values`` maps field names to an item's values (a dict or a row)."""
    return all(values[name] == value for name, value in visibility_rule(member).items())


def reserved_slug(slug: str) -> str:
    """The fixed page whose address an item with ``slug`` would take (the
    Atom feed at /resources/feed/, ...), or "" when the slug is free of
    them. Asked of the URL configuration itself, so a page added under
    /resources/ later is covered without a list to keep."""
    return _reserved_slug(slug, get_urlconf(), get_language(), get_script_prefix())


# An import asks for every item it creates, and again when the file comes
# back; resolving costs as much as the rest of the item's import.
@functools.lru_cache(maxsize=100_000)
def _reserved_slug(slug: str, urlconf, language, script_prefix) -> str:
    head, tail = _resource_address(urlconf, language, script_prefix)
    try:
        if head is not None and slug and "/" not in slug:
            # What reverse() gives, without asking every pattern for it.
            path = head + quote(slug, safe=RFC3986_SUBDELIMS + "/~:@") + tail
        else:
            path = reverse("front:resource", args=[slug])
        match = resolve(path)
    except (NoReverseMatch, Resolver404):
        return ""
    return "" if match.view_name == "front:resource" else path


@functools.lru_cache(maxsize=64)
def _resource_address(urlconf, language, script_prefix) -> tuple[str | None, str | None]:
    probe = "probe"
    try:
        path = reverse("front:resource", args=[probe])
    except NoReverseMatch:
        return None, None
    head, found, tail = path.rpartition(probe)
    return (head, tail) if found else (None, None)


@receiver(setting_changed)
def _forget_addresses(setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _reserved_slug.cache_clear()
        _resource_address.cache_clear()


def reserved_slug_message(slug: str, path: str) -> str:
    return _("The slug “%(slug)s” is reserved: %(path)s is another page. Choose another slug.") % {
        "slug": slug,
        "path": path,
    }


class ResourceQuerySet(models.QuerySet):
    def published(self) -> ResourceQuerySet:
        return self.filter(status=Status.PUBLISHED)

    def visible_to(self, user) -> ResourceQuerySet:
        """What ``user`` may see. Every page, API call, feed and export
        starts here, so members-only items cannot leak through one of them."""
        return self.filter(**visibility_rule(is_member(user)))

    def with_terms(self) -> ResourceQuerySet:
        return self.prefetch_related(
            models.Prefetch(
                "terms",
                queryset=Term.objects.annotate(row=term_row()).order_by("vocabulary", "label"),
            )
        )


def term_row() -> RawSQL:
    """The id of the row linking a term to a resource, in a query through
    ``Resource.terms`` (which joins that table under its own name, as
    Django's prefetching does). Rows are written in the order the source
    gives terms, so this is the publishers' order."""
    table = Resource.terms.through._meta.db_table
    return RawSQL(f'"{table}"."id"', ())  # noqa: S611 (a table name of ours, no input)


class Resource(models.Model):
    # A stable identity for imports: re-importing a listing matches on it.
    key = models.CharField(_("import key"), max_length=300, unique=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, allow_unicode=True)
    title = models.CharField(_("title"), max_length=500)
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(_("body"), blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    date_precision = models.CharField(
        _("date precision"), max_length=5, choices=DatePrecision.choices, blank=True
    )
    language = models.CharField(_("language"), max_length=35, blank=True, help_text="BCP 47")
    source_url = models.URLField(_("source URL"), max_length=1000, blank=True)
    terms = models.ManyToManyField(Term, related_name="resources", blank=True)
    translations = models.ManyToManyField(
        "self",
        blank=True,
        verbose_name=_("translations"),
        help_text=_("The same work in other languages."),
    )
    supersedes = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PUBLISHED
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)
    review_by = models.DateField(_("review by"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    # Set when a reviewer approves for a later date; ``shelf publish_scheduled``
    # publishes the item once the time has come.
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)

    objects = ResourceQuerySet.as_manager()
    # Every save is a revision: who, when, every field and the terms.
    history = HistoricalRecords(m2m_fields=[terms], excluded_fields=["updated"])

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["-date", "title"]
        indexes = [
            models.Index(fields=["status", "visibility"]),
            models.Index(fields=["date"]),
            models.Index(fields=["title"]),
        ]
        permissions = [
            ("publish_resource", _("Can publish, unpublish, archive and reject resources")),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("front:resource", args=[self.slug])

    def clean(self) -> None:
        taken = reserved_slug(self.slug) if self.slug else ""
        if taken:
            raise ValidationError({"slug": reserved_slug_message(self.slug, taken)})

    def terms_by_vocabulary(self) -> dict[str, list[Term]]:
        """Terms grouped in sidebar order; uses prefetched terms when present."""
        grouped: dict[str, list[Term]] = {name: [] for name in VOCABULARY_NAMES}
        for term in self.terms.all():
            grouped[term.vocabulary].append(term)
        if len(grouped["publisher"]) > 1:
            grouped["publisher"] = self.publishers
        return {name: terms for name, terms in grouped.items() if terms}

    @property
    def publishers(self) -> list[Term]:
        """In the source's order: the first is the lead publisher, cited first."""
        found = [t for t in self.terms.all() if t.vocabulary == "publisher"]
        if len(found) < 2 or getattr(self, "publishers_in_order", False):
            return found
        if all(hasattr(t, "row") for t in found):
            return sorted(found, key=lambda t: t.row)
        rows = Resource.terms.through.objects.filter(resource_id=self.pk, term__in=found)
        order = {t: i for i, t in enumerate(rows.order_by("id").values_list("term_id", flat=True))}
        return sorted(found, key=lambda t: order.get(t.id, len(order)))

    @property
    def language_label(self) -> str:
        return language_label(self.language)

    @property
    def year(self) -> int | None:
        return self.date.year if self.date else None

    def date_display(self) -> str:
        """The date only as precisely as the source gave it."""
        if not self.date:
            return ""
        if self.date_precision == DatePrecision.YEAR:
            return str(self.date.year)
        if self.date_precision == DatePrecision.MONTH:
            return self.date.strftime("%Y-%m")
        return self.date.isoformat()

    def is_visible_to(self, user) -> bool:
        return may_see(is_member(user), {"status": self.status, "visibility": self.visibility})

    def related(
        self, user, limit: int = 5, language: str | None = None, among: list[int] | None = None
    ) -> list[Resource]:
        """Items sharing the most terms with this one (language and
        publisher aside, which say little about the subject), in the
        reader's language first among equals: an item in ``language`` (the
        language being served by default) counts as one more shared term.
        The item's own editions and translations are not "related": they
        have their own sections. ``among``: the candidates to rank, when
        the search index has already picked the best few (counting shared
        terms over every item takes seconds at 100k items)."""
        term_ids = self.subject_term_ids()
        if not term_ids or among == []:
            return []
        language = (language or get_language() or "").lower()
        base = language.split("-")[0]
        in_language = models.Case(
            models.When(
                models.Q(language__iexact=language)
                | models.Q(language__iexact=base)
                | models.Q(language__istartswith=f"{base}-"),
                then=1,
            ),
            default=0,
        )
        candidates = Resource.objects.visible_to(user)
        if among is not None:
            candidates = candidates.filter(pk__in=among)
        return list(
            candidates.exclude(pk__in=self.same_work_ids())
            .filter(terms__in=term_ids)
            .annotate(shared=models.Count("terms"))
            .annotate(score=models.F("shared") + in_language)
            .order_by("-score", "-shared", "-date", "title")[:limit]
        )

    def subject_term_ids(self) -> list[int]:
        return [t.id for t in self.terms.all() if t.vocabulary not in ("language", "publisher")]

    def same_work_ids(self, limit: int = 50) -> set[int]:
        """This item, its editions (older and newer, following supersedes
        both ways) and the translations of each."""
        ids = {self.pk}
        frontier = {self.pk}
        # One indexed look-up per link, not one query ORing them: PostgreSQL
        # answers that OR over a join by reading the whole table.
        resources = Resource.objects
        through = Resource.translations.through.objects
        while frontier and len(ids) < limit:
            found = set(
                resources.filter(pk__in=frontier, supersedes__isnull=False).values_list(
                    "supersedes", flat=True
                )
            )
            found |= set(resources.filter(supersedes__in=frontier).values_list("pk", flat=True))
            found |= set(
                through.filter(from_resource__in=frontier).values_list("to_resource", flat=True)
            )
            found |= set(
                through.filter(to_resource__in=frontier).values_list("from_resource", flat=True)
            )
            frontier = found - ids
            ids |= found
        return ids

    def visible_translations(self, user) -> list[Resource]:
        return list(self.translations.visible_to(user).order_by("language", "title"))
