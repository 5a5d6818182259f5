"""Small factories for tests: a term or a resource in one call.

Terms are looked up before they are created, because the taxonomy's terms
already exist after migrate.
"""

from __future__ import annotations

import datetime as dt
import itertools

from django.db.models.signals import m2m_changed
from django.utils.text import slugify

from shelf.catalogue.models import DatePrecision, Resource, Status, Term, Visibility

_counter = itertools.count(1)


def make_term(vocabulary: str, label: str, slug: str | None = None, **fields) -> Term:
    slug = slug or slugify(label, allow_unicode=True)
    term, _created = Term.objects.get_or_create(
        vocabulary=vocabulary, slug=slug, defaults={"label": label, **fields}
    )
    return term


def make_resource(
    title: str = "",
    *,
    terms: dict[str, list[str]] | list[Term] | None = None,
    date: dt.date | str | None = None,
    date_precision: str = "",
    **fields,
) -> Resource:
    """A published public resource. ``terms`` maps a vocabulary to labels
    (or terms), e.g. ``{"audience": ["Parents", "Teachers"]}``, or is a list
    of terms."""
    n = next(_counter)
    title = title or f"Resource {n}"
    if isinstance(date, str):
        date = dt.date.fromisoformat(date)
    if date and not date_precision:
        date_precision = DatePrecision.DAY
    fields.setdefault("slug", f"{slugify(title, allow_unicode=True)[:180]}-{n}")
    fields.setdefault("key", f"test:{n}")
    fields.setdefault("language", "en")
    resource = Resource.objects.create(
        title=title, date=date, date_precision=date_precision, **fields
    )
    if isinstance(terms, dict):
        terms = [
            label if isinstance(label, Term) else make_term(vocabulary, label)
            for vocabulary, labels in terms.items()
            for label in labels
        ]
    if terms:
        # One row per term in the order given: the order of publishers is
        # the order of their rows (terms.set would take them as a set).
        through = Resource.terms.through
        through.objects.bulk_create(
            [through(resource=resource, term=t) for t in dict.fromkeys(terms)]
        )
        # Search and history follow m2m changes; tell them as terms.set would.
        m2m_changed.send(
            sender=through,
            instance=resource,
            action="post_add",
            reverse=False,
            model=Term,
            pk_set={t.pk for t in terms},
            using="default",
        )
    return resource


def make_catalogue() -> dict[str, Resource]:
    """A small library with known facet counts, for page and API tests.

    Visible to anyone: guide, survey, virtual, trafficking. Parents 2,
    Teachers 3, Schools 2; Parents OR Teachers 3; Parents AND Schools 1.
    Never listed to readers: a draft and a members-only item (both Parents).
    """
    icmec = make_term("publisher", "ICMEC")
    return {
        "guide": make_resource(
            "Mandatory Reporter Infographic",
            terms={
                "topic": ["Child protection"],
                "audience": ["Parents", "Teachers"],
                "type": ["Infographic"],
                "publisher": [icmec],
            },
            date="2020-05-01",
            date_precision=DatePrecision.MONTH,
            summary="(ICMEC) Your role as a mandatory reporter.",
            slug="mandatory-reporter-infographic",
        ),
        "survey": make_resource(
            "Student Safety Survey Samples",
            terms={"topic": ["Risk assessment"], "audience": ["Teachers"], "setting": ["Schools"]},
            date="2019-01-01",
            date_precision=DatePrecision.YEAR,
            summary="Student safety surveys identify child protection risks.",
            slug="student-safety-survey-samples",
        ),
        "virtual": make_resource(
            "Safer Virtual School",
            terms={
                "topic": ["COVID-19", "Online safety"],
                "audience": ["Parents", "Teachers"],
                "setting": ["Schools"],
                "publisher": [icmec],
            },
            date="2021-03-04",
            summary="Safeguarding challenges of online school can be overcome.",
            slug="safer-virtual-school",
        ),
        "trafficking": make_resource(
            "Child Trafficking Guide",
            terms={
                "topic": ["Child trafficking"],
                "publisher": [icmec, make_term("publisher", "HCCH")],
            },
            date="2018-06-01",
            date_precision=DatePrecision.MONTH,
            summary="How to recognise trafficking.",
            slug="child-trafficking-guide",
        ),
        "draft": make_resource(
            "Unfinished Draft",
            terms={"audience": ["Parents"]},
            status=Status.DRAFT,
            slug="unfinished-draft",
        ),
        "members": make_resource(
            "Members Briefing",
            terms={"audience": ["Parents"]},
            visibility=Visibility.MEMBERS,
            date="2022-01-01",
            slug="members-briefing",
        ),
    }
