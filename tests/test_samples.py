"""The sample letters of ``make run``: marked when loaded, badged, out of the feed, removed by
``manage.py remove_samples``; the published letters the tests carry load beside them."""

from __future__ import annotations

import importlib
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

from determinations.management.commands import load_samples
from determinations.models import Determination, DisputedItem, Letter

from .builders import a_determination, a_parse

pytestmark = pytest.mark.django_db

REAL = Path(__file__).parent / "assets" / "letters" / "real"


@pytest.fixture
def two_published(tmp_path, monkeypatch):
    """Two of the published letters, so the test does not parse all 60."""
    folder = tmp_path / "real"
    folder.mkdir()
    for path in sorted(REAL.glob("*.pdf"))[:2]:
        (folder / path.name).write_bytes(path.read_bytes())
    monkeypatch.setattr(load_samples, "PUBLISHED_DIR", folder)


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_make_run_loads_the_published_letters_the_tests_carry():
    assert load_samples.PUBLISHED_DIR == REAL
    assert len(list(REAL.glob("*.pdf"))) == 60


def test_samples_are_marked_when_loaded_and_published_letters_are_not(two_published):
    out = run("load_samples")
    assert "Loaded 5 sample letter(s)." in out
    assert "Loaded 2 published letter(s)." in out
    assert "manage.py remove_samples" in out
    assert Letter.objects.filter(is_sample=True).count() == 5
    published = Letter.objects.filter(is_sample=False)
    assert published.count() == 2
    assert all(key.startswith("CM") for key in Determination.objects.filter(
        letter__in=published).values_list("key", flat=True))  # fmt: skip
    assert "already has determinations" in run("load_samples")  # idempotent


def test_samples_only_leaves_the_published_letters_out(two_published):
    run("load_samples", "--samples-only")
    assert Letter.objects.count() == Letter.objects.filter(is_sample=True).count() == 5


def test_samples_carry_a_sample_badge_in_browse_and_on_their_permalink(client, two_published):
    run("load_samples")
    html = client.get("/").content.decode()
    assert (
        html.count('class="badge badge-sample"')
        == DisputedItem.objects.filter(determination__letter__is_sample=True).count()
    )
    sample = Determination.objects.filter(letter__is_sample=True).first()
    assert 'class="badge badge-sample"' in client.get(sample.get_absolute_url()).content.decode()
    real = Determination.objects.filter(letter__is_sample=False).first()
    assert "badge-sample" not in client.get(real.get_absolute_url()).content.decode()


def test_samples_are_not_in_the_feed(client, two_published):
    run("load_samples")
    feed = client.get("/feed/").content.decode()
    for determination in Determination.objects.all():
        assert (determination.key in feed) == (not determination.letter.is_sample)


def test_remove_samples_deletes_them_and_nothing_else(client, two_published, settings):
    run("load_samples")
    originals = [
        Path(settings.MEDIA_ROOT) / letter.original.name for letter in Letter.objects.all()
    ]
    assert all(path.exists() for path in originals)
    out = run("remove_samples")
    assert "Removed 5 sample letter(s)." in out
    assert Letter.objects.count() == 2 and not Letter.objects.filter(is_sample=True).exists()
    assert Determination.objects.count() == 2
    assert not DisputedItem.objects.filter(determination__letter__is_sample=True).exists()
    assert "badge-sample" not in client.get("/").content.decode()
    assert "Removed 0 sample letter(s)." in run("remove_samples")
    # They were never real records: loading them again is allowed.
    run("load_samples", "--force", "--samples-only")
    assert Letter.objects.filter(is_sample=True).count() == 5


def test_the_originals_of_removed_samples_are_deleted(django_capture_on_commit_callbacks, settings):
    run("load_samples", "--samples-only")
    paths = [Path(settings.MEDIA_ROOT) / letter.original.name for letter in Letter.objects.all()]
    from determinations import services

    with django_capture_on_commit_callbacks(execute=True):
        services.samples_remove()
    assert paths and not any(path.exists() for path in paths)


def test_the_migration_marks_samples_loaded_before_the_field_existed():
    migration = importlib.import_module("determinations.migrations.0011_letter_is_sample")
    sample_bytes = sorted(load_samples.SAMPLES_DIR.glob("*.txt"))[0].read_bytes()
    determination = a_determination(a_parse(case_number=None), data=sample_bytes)
    other = a_determination(a_parse())
    migration.mark_loaded_samples(apps, None)
    assert Letter.objects.get(pk=determination.letter_id).is_sample
    assert not Letter.objects.get(pk=other.letter_id).is_sample
