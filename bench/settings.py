"""Settings for benchmarks: the project's settings pointed at a separate database.

``BENCH_DATABASE`` (default ``imr_bench``) names a database on the same server as the archive's
(``DATABASE_URL``, or the embedded server under var/pgdata). Originals go to ``BENCH_MEDIA_ROOT``
(default /tmp/imr_bench/media), never into the repository. Static files use the plain storage so
that pages render with DEBUG off and without ``collectstatic``.
"""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")

from imr_archive.settings import *  # noqa: F403
from imr_archive.settings import DATABASES, STORAGES

DATABASES["default"]["NAME"] = os.environ.get("BENCH_DATABASE", "imr_bench")
MEDIA_ROOT = Path(
    os.environ.get("BENCH_MEDIA_ROOT") or Path(tempfile.gettempdir()) / "imr_bench" / "media"
)
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
