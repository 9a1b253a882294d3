"""Load letters so a fresh archive has something to show: the five undated sample letters in
samples/ (marked as samples: ``remove_samples`` deletes them) and the 60 published letters the
tests carry (tests/assets/letters/real), so a newcomer sees real decisions."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from determinations import services
from determinations.models import Determination

SAMPLES_DIR = Path(settings.BASE_DIR) / "samples"
PUBLISHED_DIR = Path(settings.BASE_DIR) / "tests" / "assets" / "letters" / "real"


def _letters_in(folder: Path) -> list[Path]:
    if not folder.is_dir():  # a deployment without the tests has no published letters here
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".txt", ".pdf"))


class Command(BaseCommand):
    help = (
        "Store and parse the sample letters in samples/ and the published letters in "
        "tests/assets/letters/real (only when the archive is empty)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Load even when the archive is not empty."
        )
        parser.add_argument(
            "--samples-only",
            action="store_true",
            help="Load only the five sample letters, not the published ones.",
        )

    def handle(self, *args, force: bool = False, samples_only: bool = False, **options):
        if Determination.objects.exists() and not force:
            self.stdout.write("The archive already has determinations: samples not loaded.")
            return
        samples = self._load(_letters_in(SAMPLES_DIR), sample=True)
        self.stdout.write(self.style.SUCCESS(f"Loaded {samples} sample letter(s)."))
        if not samples_only:
            published = self._load(_letters_in(PUBLISHED_DIR), sample=False)
            self.stdout.write(self.style.SUCCESS(f"Loaded {published} published letter(s)."))
        self.stdout.write("Remove the sample letters with: manage.py remove_samples")

    def _load(self, paths: list[Path], *, sample: bool) -> int:
        loaded = 0
        for path in paths:
            try:
                stored = services.letter_store(data=path.read_bytes(), name=path.name)
            except ValueError as exc:  # purged: refused, with the purge's notice
                self.stdout.write(f"refused {exc}")
                continue
            if sample:
                services.letter_mark_sample(letter=stored.letter)
            letter = (
                services.letter_parse(letter=stored.letter) if stored.created else stored.letter
            )
            self.stdout.write(f"{path.name}: {letter.get_status_display()}")
            loaded += 1
        return loaded
