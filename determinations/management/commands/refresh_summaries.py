"""``manage.py refresh_summaries``: rebuild the precomputed facet counts (determinations/summaries).

Run it after bulk loads and imports (``ingest_letters`` should call ``summaries_refresh`` at its
end); until it runs, pages count live, so a stale summary is never shown.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from determinations.summaries import is_fresh, summaries_refresh


class Command(BaseCommand):
    help = "Rebuild the facet and statistics summaries from the public items."

    def add_arguments(self, parser):
        parser.add_argument(
            "--incremental",
            action="store_true",
            help="Recount only the letters changed since the last refresh (what the background "
            "task does). The default recounts everything: right after bulk loads too.",
        )
        parser.add_argument(
            "--if-stale",
            action="store_true",
            help="Do nothing when the summaries are already fresh.",
        )
        parser.add_argument(
            "--check", action="store_true", help="Only say whether they are fresh (exit 1 if not)."
        )

    def handle(self, *args, if_stale=False, check=False, incremental=False, **options):
        if check:
            fresh = is_fresh()
            self.stdout.write("fresh" if fresh else "stale")
            if not fresh:
                raise SystemExit(1)
            return
        result = summaries_refresh(only_if_stale=if_stale, full=not incremental)
        if result is None:
            self.stdout.write("Summaries are fresh: nothing to do.")
            return
        what = "rebuilt" if result["full"] else f"updated for {result['letters']:,} letters"
        self.stdout.write(
            self.style.SUCCESS(
                f"Summaries {what} in {result['seconds']:.1f} s: {result['pair_rows']:,} value "
                f"and pair rows, {result['letter_rows']:,} letter rows written."
            )
        )
