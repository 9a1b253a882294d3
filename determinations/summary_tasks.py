"""Background rebuild of the facet and statistics summaries (django-tasks, ``db_worker``).

Enqueue ``refresh_summaries_task`` after anything that changes public items: an upload batch
finished parsing, a withdrawal or a restore, a re-parse. Enqueued several times, it rebuilds
once: later runs find the summaries fresh. Pages count live until it has run.
"""

from __future__ import annotations

from django_tasks import task

from .summaries import summaries_refresh


@task()
def refresh_summaries_task() -> dict | None:
    """Rebuild the summaries if stale; the rebuild's figures, or None when nothing was to do."""
    return summaries_refresh(only_if_stale=True)
