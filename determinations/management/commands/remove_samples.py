"""`manage.py remove_samples`: delete the sample letters `load_samples` put in a fresh archive."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from determinations import services


class Command(BaseCommand):
    help = "Delete the sample letters (marked when load_samples stored them) and their decisions."

    def handle(self, *args, **options):
        removed = services.samples_remove()
        self.stdout.write(self.style.SUCCESS(f"Removed {removed} sample letter(s)."))
