"""Load the sample letters shipped in samples/ so a fresh archive has something to show."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from determinations import services
from determinations.models import Determination

SAMPLES_DIR = Path(settings.BASE_DIR) / "samples"


class Command(BaseCommand):
    help = "Store and parse the sample letters in samples/ (only when the archive is empty)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Load even when the archive is not empty."
        )

    def handle(self, *args, force: bool = False, **options):
        if Determination.objects.exists() and not force:
            self.stdout.write("The archive already has determinations: samples not loaded.")
            return
        paths = sorted(p for p in SAMPLES_DIR.iterdir() if p.suffix.lower() in (".txt", ".pdf"))
        for path in paths:
            try:
                stored = services.letter_store(data=path.read_bytes(), name=path.name)
            except ValueError as exc:  # purged: refused, with the purge's notice
                self.stdout.write(f"refused {exc}")
                continue
            letter = (
                services.letter_parse(letter=stored.letter) if stored.created else stored.letter
            )
            self.stdout.write(f"{path.name}: {letter.get_status_display()}")
        self.stdout.write(self.style.SUCCESS(f"Loaded {len(paths)} sample letter(s)."))
