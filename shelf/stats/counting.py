"""What the pages, the API and the downloads call to count a hit.

Counted: GET requests from readers, i.e. not HEAD, not staff (their visits
are previews and checks), not a user agent that names itself a bot,
crawler or script. Nothing about the reader is kept: no address, no
session, no cookie is read or set; a hit is a +1 on a (day, kind, key).
"""

from __future__ import annotations

import datetime
import functools
import time
import unicodedata

import crawleruseragents
from django.conf import settings
from django.utils import timezone, translation

from shelf.stats.counter import COUNTER
from shelf.stats.models import Kind


@functools.lru_cache(maxsize=4096)
def is_bot(user_agent: str) -> bool:
    """A user agent on the maintained list of bots, crawlers and scripts
    (crawler-user-agents), or none at all. The list has about 1,500
    patterns, about 3 ms per new user agent: cached, as browsers send few
    distinct ones."""
    return not user_agent.strip() or crawleruseragents.is_crawler(user_agent)


def counts(request) -> bool:
    if not settings.STATS_ENABLED or request.method != "GET":
        return False
    if request.user.is_staff:
        return False
    return not is_bot(request.headers.get("User-Agent", "")[:500])


def normalise(q: str) -> str:
    """A query as it is stored: compatibility forms folded, casefolded,
    whitespace collapsed, cut to ``STATS_QUERY_MAX_LENGTH`` characters."""
    text = " ".join(unicodedata.normalize("NFKC", q).casefold().split())
    return text[: settings.STATS_QUERY_MAX_LENGTH].strip()


_day: tuple[int, datetime.date | None] = (-1, None)


def today() -> datetime.date:
    """The local date, worked out again once a second: the time zone
    machinery costs more than the rest of counting a hit."""
    global _day
    second = int(time.time())
    if _day[0] != second:
        _day = (second, timezone.localdate())
    return _day[1]


def _add(*hits: tuple[str, str]) -> None:
    # One day, one lock and one look at the settings per request, however
    # many hits it makes.
    COUNTER.add(hits, today())


def _language() -> tuple[str, str]:
    return (Kind.LANGUAGE, translation.get_language() or settings.LANGUAGE_CODE)


def page_seen(request) -> None:
    """An HTML page with no item or search of its own (the front page)."""
    if counts(request):
        _add(_language())


def viewed(request, resource) -> None:
    """A detail page shown."""
    if counts(request):
        _add((Kind.VIEW, str(resource.pk)), _language())


def downloaded(request, resource_id: int) -> None:
    """A file of the item sent (not its thumbnail)."""
    if counts(request):
        _add((Kind.DOWNLOAD, str(resource_id)))


def searched(request, results, *, api: bool = False) -> None:
    """A listing page or API list call. Its first page only: turning the
    pages of a result is not another search, and choosing a value is not
    counted again on each later page."""
    if not counts(request):
        return
    hits = [] if api else [_language()]
    query = results.query
    if query.page == 1:
        if query.q.strip():
            hits.append((Kind.SEARCH, "api" if api else "page"))
            if results.count == 0 and (text := normalise(query.q)):
                hits.append((Kind.ZERO, text))
        for vocabulary, values in query.selected.items():
            hits += [(Kind.FACET, f"{vocabulary}:{value}"[:200]) for value in values]
    _add(*hits)
