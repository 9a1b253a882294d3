"""``manage.py reparse``: parse stored originals again, e.g. after a parser fix.

Permalink keys never change: ``determination_save`` keeps each determination's key, and a letter
whose case number belongs to another letter's determination is flagged for review instead. Each
letter is parsed under the same row lock as the background workers (``services.letters_parse``),
so a letter a worker is parsing is left to it, never parsed twice at once.
"""

from __future__ import annotations

from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from determinations import services
from determinations.choices import ParseStatus
from determinations.models import Letter
from determinations.parsing import PARSER_VERSION
from determinations.summaries import summaries_refresh

PROGRESS_EVERY = 100  # letters between progress lines


class Command(BaseCommand):
    help = "Re-parse stored letters from their originals (permalink keys never change)."

    def add_arguments(self, parser):
        which = parser.add_argument_group("which letters (at least one)")
        which.add_argument("--failed", action="store_true", help="Letters whose parse failed.")
        which.add_argument(
            "--outdated",
            action="store_true",
            help=f"Letters parsed by another parser version than the current {PARSER_VERSION}.",
        )
        which.add_argument(
            "--pending",
            action="store_true",
            help="Letters still waiting, e.g. after a worker was killed mid-batch (with "
            "--enqueue, also upload batches not yet fully received).",
        )
        which.add_argument("--all", dest="every", action="store_true", help="Every stored letter.")
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue them for the background workers instead of parsing here.",
        )

    def handle(self, *args, failed, outdated, pending, every, enqueue, **options):
        if not (failed or outdated or pending or every):
            raise CommandError("Say which letters: --failed, --outdated, --pending or --all.")
        letters = Letter.objects.all()
        if not every:
            wanted = Q(pk__in=[])
            if failed:
                wanted |= Q(status=ParseStatus.FAILED)
            if outdated:
                wanted |= ~Q(parser_version=PARSER_VERSION) & ~Q(status=ParseStatus.PENDING)
            if pending:
                wanted |= Q(status=ParseStatus.PENDING)
            letters = letters.filter(wanted)
        ids = list(letters.order_by("pk").values_list("pk", flat=True))
        if enqueue:
            if pending:  # what a worker start runs: uploads a worker stopped receiving, too
                batches = services.batches_requeue()
                if batches:
                    self.stdout.write(f"Queued {batches} unfinished upload batch(es) again.")
            services.letters_request_reparse(letter_ids=ids)
            self.stdout.write(f"Queued {len(ids)} letter(s) for the workers.")
            return
        counts: Counter[str] = Counter()
        for start in range(0, len(ids), PROGRESS_EVERY):
            chunk = ids[start : start + PROGRESS_EVERY]
            counts.update(services.letters_parse(letter_ids=chunk, again=True))
            self.stderr.write(f"\r{start + len(chunk)}/{len(ids)} re-parsed", ending="")
        if ids:
            self.stderr.write("")
        skipped = (
            f" {counts['skipped']} skipped (a worker was parsing them, or they were deleted)."
            if counts["skipped"]
            else ""
        )
        self.stdout.write(
            f"Re-parsed {len(ids) - counts['skipped']} letter(s): {counts[ParseStatus.PARSED]} "
            f"parsed, {counts[ParseStatus.PARSED_WITH_WARNINGS]} with warnings, "
            f"{counts[ParseStatus.FAILED]} failed. Permalink keys are unchanged.{skipped}"
        )
        if ids:
            summaries_refresh(only_if_stale=True)
