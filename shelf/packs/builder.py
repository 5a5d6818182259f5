"""Writing a pack: a listing as a static site in a zip, for reading offline.

The site opens from ``file://`` (a laptop, a USB stick) with no network:
every link is relative, the CSS and the few KB of search script are inside,
and the search index is a ``.js`` file that defines a variable, because
browsers refuse ``fetch`` from ``file://``. Every page works without
JavaScript; the script only adds the search box on the index page.

Layout of the zip (under one folder, so unzipping makes one folder)::

    index.html                 every item, links to the facet pages, search
    items/<id>.html            one page per item, with its files
    files/<id>-<name>.<ext>    the items' files themselves
    facets/index.html          every facet value present, with counts
    facets/<facet>/<id>.html   the items with that value
    assets/                    shelf.css, pack.css, search.js, search-index.js

What goes in is the listing's own ids (``shelf.search.browse.listing_ids``,
the call every page, export and feed makes), so a pack holds exactly what
the same person's listing shows.
"""

from __future__ import annotations

import datetime
import json
import shutil
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shelf.catalogue.models import VOCABULARIES, Resource, Term
from shelf.files.models import ResourceFile
from shelf.lib import filetypes
from shelf.search import browse

FOLDER = "shelf-pack"
CHUNK = 200
# Characters of the summary the search index carries per item.
INDEX_SUMMARY = 300
FACET_LABELS = dict(VOCABULARIES) | {"year": gettext_lazy("Year")}
ASSETS = {
    "assets/shelf.css": "front/shelf.css",
    "assets/pack.css": "packs/pack.css",
    "assets/search.js": "packs/search.js",
}


class PackError(ValueError):
    """A request that cannot become a pack; the message is for the reader."""


@dataclass
class Built:
    items: int = 0
    files: int = 0
    size: int = 0


@dataclass
class Entry:
    """What the index, the facet pages and the search need of one item."""

    pk: int
    title: str
    language: str
    date: str
    href: str
    search: str
    summary: str
    cut: bool = False  # the summary shown is the start of a longer one


@dataclass
class FacetValue:
    facet: str
    key: str
    label: str
    entries: list[Entry] = field(default_factory=list)

    @property
    def href(self) -> str:
        return f"facets/{self.facet}/{self.key}.html"


def listing_ids(query: browse.Query, user) -> list[int]:
    """The ids a pack of ``query`` holds for ``user``; refuses a bad query
    (QueryError), an empty one and one over SHELF_PACK_MAX_ITEMS (PackError)."""
    ids = [int(i) for i in browse.listing_ids(query, user)]
    if not ids:
        raise PackError(_("Nothing matches this list, so there is nothing to pack."))
    limit = settings.SHELF_PACK_MAX_ITEMS
    if len(ids) > limit:
        raise PackError(
            _(
                "This list has %(count)s resources; a pack holds at most %(limit)s. "
                "Choose more filters to make it smaller."
            )
            % {"count": len(ids), "limit": limit}
        )
    return ids


def build(
    query: browse.Query,
    user,
    out: Path,
    *,
    language: str,
    made: datetime.datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Built:
    """Write the pack of ``query`` as ``user`` sees it to ``out``, with its
    pages in ``language``; ``progress(done, total)`` after each chunk."""
    made = made or timezone.now()
    with translation.override(language):
        ids = listing_ids(query, user)
        site = Site(query=query, made=made, total=len(ids))
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            for start in range(0, len(ids), CHUNK):
                site.add_items(zf, load(ids[start : start + CHUNK], user), user)
                if progress:
                    progress(min(start + CHUNK, len(ids)), len(ids))
            site.finish(zf)
    site.built.size = out.stat().st_size
    return site.built


def load(ids: list[int], user) -> list[Resource]:
    """One chunk of resources with their terms (as a results page has
    them), their full text and the publisher's address."""
    resources = browse.resources_of(ids, user)
    extra = {
        pk: (body, source_url)
        for pk, body, source_url in Resource.objects.filter(pk__in=ids).values_list(
            "pk", "body", "source_url"
        )
    }
    for resource in resources:
        resource.body, resource.source_url = extra.get(resource.pk, ("", ""))
    return resources


def files_of(resources: list[Resource], user) -> dict[int, list[ResourceFile]]:
    """The ready files of ``resources`` that ``user`` may download."""
    found = defaultdict(list)
    rows = ResourceFile.objects.visible_to(user).ready().filter(resource__in=resources)
    for item in rows.order_by("created", "id"):
        found[item.resource_id].append(item)
    return found


def file_path(item: ResourceFile) -> str:
    # Our own plain names: safe on any file system a USB stick may have.
    stem = slugify(Path(item.download_name).stem)[:60] or "file"
    return f"files/{item.pk}-{stem}{filetypes.EXTENSION.get(item.content_type, '')}"


class Site:
    """The pages of one pack, written item by item and finished with the
    index, the facet pages and the search index."""

    def __init__(self, *, query: browse.Query, made: datetime.datetime, total: int):
        self.query = query
        self.made = made
        self.total = total
        self.entries: list[Entry] = []
        self.facets: dict[tuple[str, str], FacetValue] = {}
        self.built = Built()
        self.language = translation.get_language()
        self.chosen = chosen(query, self.language)

    def context(self, root: str, **extra) -> dict:
        return {
            "root": root,
            "made": self.made,
            "site_name": settings.SHELF_SITE_NAME,
            "site_root": settings.SITE_ROOT,
            "listing_url": settings.SITE_ROOT + browse_url(self.query, self.language),
            "query": self.query,
            "chosen": self.chosen,
            **extra,
        }

    def add_items(self, zf: zipfile.ZipFile, resources: list[Resource], user) -> None:
        files = files_of(resources, user)
        for resource in resources:
            attached = [(item, file_path(item)) for item in files.get(resource.pk, [])]
            for item, path in attached:
                write_file(zf, item, path)
            terms = self.note(resource)
            page = render_to_string(
                "packs/site/item.html",
                self.context(
                    "../",
                    resource=resource,
                    files=attached,
                    terms=terms,
                    live_url=settings.SITE_ROOT + resource.get_absolute_url(),
                ),
            )
            zf.writestr(f"{FOLDER}/items/{resource.pk}.html", page)
            self.built.items += 1
            self.built.files += len(attached)

    def note(self, resource: Resource) -> list[tuple[str, list[FacetValue]]]:
        """Remember the item for the index and its facet values; give its
        terms grouped by facet, as links to the facet pages."""
        labels = []
        entry = Entry(
            pk=resource.pk,
            title=resource.title,
            language=resource.language,
            date=resource.date_display(),
            href=f"items/{resource.pk}.html",
            search="",
            summary=resource.summary[:INDEX_SUMMARY],
            cut=len(resource.summary) > INDEX_SUMMARY,
        )
        grouped = []
        for vocabulary, terms in resource.terms_by_vocabulary().items():
            values = [
                self.value(vocabulary, str(t.pk), t.label_for(self.language), entry) for t in terms
            ]
            labels += [v.label for v in values]
            grouped.append((str(FACET_LABELS[vocabulary]), values))
        if resource.year:
            year = self.value("year", str(resource.year), str(resource.year), entry)
            grouped.append((str(FACET_LABELS["year"]), [year]))
        # The rest of the summary and the labels: the title and the start of
        # the summary are in the index already, as shown.
        entry.search = " ".join([resource.summary[INDEX_SUMMARY:], *labels])
        self.entries.append(entry)
        return grouped

    def value(self, facet: str, key: str, label: str, entry: Entry) -> FacetValue:
        value = self.facets.setdefault((facet, key), FacetValue(facet, key, label))
        value.entries.append(entry)
        return value

    def facet_groups(self) -> list[tuple[str, str, list[FacetValue]]]:
        """Facets in sidebar order, values by count then label."""
        groups = []
        for name, label in FACET_LABELS.items():
            values = [v for (facet, _key), v in self.facets.items() if facet == name]
            if name == "year":
                values.sort(key=lambda v: v.key, reverse=True)
            else:
                values.sort(key=lambda v: (-len(v.entries), v.label.casefold()))
            if values:
                groups.append((name, str(label), values))
        return groups

    def finish(self, zf: zipfile.ZipFile) -> None:
        groups = self.facet_groups()
        for _name, label, values in groups:
            for value in values:
                page = render_to_string(
                    "packs/site/facet.html",
                    self.context("../../", facet_label=label, value=value),
                )
                zf.writestr(f"{FOLDER}/{value.href}", page)
        zf.writestr(
            f"{FOLDER}/facets/index.html",
            render_to_string("packs/site/facets.html", self.context("../", groups=groups)),
        )
        zf.writestr(
            f"{FOLDER}/index.html",
            render_to_string(
                "packs/site/index.html",
                self.context("", entries=self.entries, groups=groups, count=self.total),
            ),
        )
        zf.writestr(f"{FOLDER}/assets/search-index.js", search_index(self.entries))
        for target, source in ASSETS.items():
            zf.write(finders.find(source), f"{FOLDER}/{target}")


def chosen(query: browse.Query, language: str) -> list[tuple[str, str]]:
    """The search and filters the pack was made with, as the reader reads them."""
    out = [(_("Search"), query.q)] if query.q else []
    for name, values in query.selected.items():
        if name == "year":
            labels = sorted(values)
        else:
            terms = Term.objects.filter(vocabulary=name, slug__in=values)
            labels = sorted(t.label_for(language) for t in terms)
        out.append((str(FACET_LABELS[name]), ", ".join(labels)))
    return out


def browse_url(query: browse.Query, language: str) -> str:
    from django.urls import reverse

    with translation.override(language):
        path = reverse("front:resources")
    pairs = query.url()
    return path + (pairs if pairs != "?" else "")


def search_index(entries: list[Entry]) -> str:
    """The index as a script defining one variable: ``fetch`` of a JSON file
    is refused from file://, a script is not."""
    rows = [
        {"t": e.title, "u": e.href, "l": e.language, "d": e.date, "s": e.summary, "x": e.search}
        | ({"c": 1} if e.cut else {})
        for e in entries
    ]
    return "var SHELF_PACK_INDEX = " + json.dumps(rows, ensure_ascii=False) + ";\n"


def write_file(zf: zipfile.ZipFile, item: ResourceFile, path: str) -> None:
    # PDFs and images are compressed already: stored as they are, streamed.
    info = zipfile.ZipInfo(f"{FOLDER}/{path}", date_time=timezone.now().timetuple()[:6])
    info.compress_type = zipfile.ZIP_STORED
    with item.file.open("rb") as source, zf.open(info, "w") as target:
        shutil.copyfileobj(source, target, 1 << 20)
