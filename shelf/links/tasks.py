"""The link check as a task for the worker (``shelf db_worker``), for
sites that schedule through the task queue rather than cron."""

from __future__ import annotations

from django_tasks import task

from shelf.links import services


@task()
def check_links(limit: int | None = None) -> dict:
    collected = services.collect()
    checked = services.check(limit=limit)
    return {"links added": collected.added, "checked": checked.checked, "broken": checked.broken}
