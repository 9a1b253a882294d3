"""The embedded PostgreSQL server used when ``DATABASE_URL`` is unset.

The ``pgserver`` wheel ships a PostgreSQL build; we start it on demand with its data under
``var/pgdata`` and leave it running (``cleanup_mode=None``) so that the next command, the test run
or the worker reuses it instead of paying for a start. ``make db-stop`` stops it.
"""

from __future__ import annotations

from pathlib import Path


def database_settings(data_dir: Path) -> dict:
    """Start (or reuse) the embedded server and return a Django ``DATABASES`` entry for it."""
    try:
        import pgserver
    except ImportError as exc:  # pragma: no cover - depends on the environment
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "DATABASE_URL is unset and the embedded PostgreSQL (pgserver) is not installed: "
            "run `make run` or `pip install -r requirements.txt`, or set DATABASE_URL."
        ) from exc

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode=None)
    info = server.get_postmaster_info()
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "postgres",
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": str(info.socket_dir),
        "PORT": str(info.port or 5432),
    }


def stop(data_dir: Path) -> bool:
    """Stop the embedded server if it runs; return whether one was running."""
    import os

    from pgserver._commands import pg_ctl
    from pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(data_dir) if data_dir.exists() else None
    if info is None or not info.is_running():
        return False
    # pgserver runs PostgreSQL as a dedicated system user when we are root.
    user = "pgserver" if os.geteuid() == 0 else None
    pg_ctl(["-w", "stop"], pgdata=data_dir, user=user)
    return True
