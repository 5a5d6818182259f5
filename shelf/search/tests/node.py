"""A search node for the two-node test: its own index, the shared database.

Reads one JSON command per line on stdin, answers one JSON line on stdout:
``{"op": "search", "query": "q=...&topic=..."}`` gives the count and ids (or
the reader's error); ``{"op": "retitle", "pk": 1, "title": "..."}`` changes an
item through this node's ORM, as an editor's save on this node would.
"""

from __future__ import annotations

import json
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shelf.settings")
    import django

    django.setup()
    from django.http import QueryDict

    from shelf.catalogue.models import Resource
    from shelf.search.browse import QueryError, browse, parse

    for line in sys.stdin:
        command = json.loads(line)
        if command["op"] == "search":
            try:
                results = browse(parse(QueryDict(command["query"])), None)
                answer = {"count": results.count, "ids": [r.pk for r in results.resources]}
            except QueryError as e:
                answer = {"error": str(e)}
        elif command["op"] == "retitle":
            item = Resource.objects.get(pk=command["pk"])
            item.title = command["title"]
            item.save()
            answer = {"ok": True}
        else:
            answer = {"error": "unknown op"}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
