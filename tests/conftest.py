import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Originals written by tests go to a temporary directory, never into var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
