"""Looking after a vocabulary: merging two terms into one, renaming a term,
and sending old slugs on to the term they became."""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from shelf.catalogue.models import VOCABULARY_NAMES, Resource, Term
from shelf.curation import audit, bulk
from shelf.curation.models import TermRedirect

MERGE = "merge terms"
RENAME = "rename term"


def keep_alias(term: Term, *names: str) -> None:
    """Add ``names`` to the term's aliases (imports map them to it; search
    expands them), leaving out its own label and slug."""
    own = {term.label.casefold(), term.slug.casefold()}
    aliases = list(term.aliases)
    seen = {a.casefold() for a in aliases} | own
    for name in names:
        name = " ".join(str(name).split())
        if name and name.casefold() not in seen:
            aliases.append(name)
            seen.add(name.casefold())
    term.aliases = aliases


def keep_old_slug(term: Term, slug: str) -> None:
    TermRedirect.objects.update_or_create(
        vocabulary=term.vocabulary, slug=slug, defaults={"term": term}
    )


@transaction.atomic
def merge(source: Term, target: Term, actor) -> int:
    """Merge ``source`` into ``target``: every item with ``source`` gets
    ``target`` instead (one revision each), ``source``'s label, slug and
    aliases become aliases of ``target``, its old slugs lead to ``target``,
    and ``source`` is deleted. Returns how many items were re-tagged."""
    if source.pk == target.pk:
        raise ValidationError(_("A term cannot be merged into itself."))
    if source.vocabulary != target.vocabulary:
        raise ValidationError(
            _("“%(source)s” and “%(target)s” are in different vocabularies.")
            % {"source": source, "target": target}
        )
    through = Resource.terms.through
    ids = sorted(set(through.objects.filter(term=source).values_list("resource_id", flat=True)))
    now = timezone.now()
    for start in range(0, len(ids), bulk.BATCH):
        batch = ids[start : start + bulk.BATCH]
        through.objects.bulk_create(
            [through(resource_id=i, term_id=target.pk) for i in batch], ignore_conflicts=True
        )
        through.objects.filter(resource_id__in=batch, term=source).delete()
        Resource.objects.filter(pk__in=batch).update(updated=now)
        bulk.record_revisions(batch, actor, f"merge terms: {source.slug} into {target.slug}", now)
    keep_alias(target, source.label, source.slug, *source.aliases)
    target.save()
    TermRedirect.objects.filter(term=source).update(term=target)
    keep_old_slug(target, source.slug)
    audit.record(
        actor,
        MERGE,
        target,
        merged=f"{source.vocabulary}:{source.slug}",
        merged_label=source.label,
        count=len(ids),
    )
    source.delete()
    if apps.is_installed("shelf.search"):
        from shelf.search import signals

        signals.record(ids)
    return len(ids)


def renamed(term: Term, old_slug: str, old_label: str, actor) -> None:
    """After a term's slug or label changed: the old ones stay as aliases
    and the old slug leads to the term. The caller saves ``term``."""
    keep_alias(
        term, *(old for old, new in ((old_label, term.label), (old_slug, term.slug)) if old != new)
    )
    if old_slug != term.slug:
        TermRedirect.objects.filter(vocabulary=term.vocabulary, slug=term.slug).delete()
        keep_old_slug(term, old_slug)
    audit.record(actor, RENAME, term, old_slug=old_slug, old_label=old_label)


def moved(params: QueryDict) -> str | None:
    """For a filter naming old slugs: the same query with today's slugs
    ("?topic=covid&audience=parents" -> "?topic=covid-19&audience=parents"),
    or None when no value is an old slug."""
    wanted = [
        (name, value)
        for name in VOCABULARY_NAMES
        for value in params.getlist(name)
        # Anything else cannot be an old slug (and PostgreSQL refuses NUL).
        if value and len(value) <= 100 and "\x00" not in value
    ]
    if not wanted:
        return None
    old = {
        (r.vocabulary, r.slug): r.term.slug
        for r in TermRedirect.objects.filter(
            vocabulary__in={n for n, _v in wanted}, slug__in={v for _n, v in wanted}
        ).select_related("term")
    }
    if not old:
        return None
    pairs = []
    for name, values in params.lists():
        for value in values:
            pairs.append((name, old.get((name, value), value)))
    return "?" + urlencode(list(dict.fromkeys(pairs)))
