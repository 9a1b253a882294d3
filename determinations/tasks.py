"""Background work, run by ``manage.py worker`` (django-tasks' database queue).

Tasks carry letter (or staged batch) ids only: the bytes are already stored, so a task can be run
again, by any worker on any machine, and a letter is parsed once whatever happens to the worker
before it.
"""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def parse_letters(letter_ids: list[int]) -> dict[str, int]:
    """Parse stored letters that still need it (pending, or parsed by an older parser).

    Then queue a refresh of the facet summaries (incremental, and a no-op when another task
    already did it): until it has run, pages count live, so they are right but slower.
    """
    from .summary_tasks import refresh_summaries_task

    counts = services.letters_parse(letter_ids=letter_ids)
    refresh_summaries_task.enqueue()
    return counts


@task()
def receive_batch(batch_id: int) -> str:
    """Unpack and store a staged admin upload, queuing the parsing chunk by chunk.

    Safe to run twice or after a run that died: it resumes from the last committed chunk.
    """
    return services.batch_receive_staged(batch_id=batch_id)
