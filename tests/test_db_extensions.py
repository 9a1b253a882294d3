"""The extensions the archive needs exist after migrate, and a server without one is told what to
install instead of showing a traceback."""

import pytest
from django.core.management.base import CommandError
from django.db import connection, transaction

from imr_archive.db_extensions import RequiredExtension, missing_extension_message

pytestmark = pytest.mark.django_db


def test_migrate_creates_pg_trgm():
    with connection.cursor() as cursor:
        cursor.execute("SELECT similarity('hydrocodne', 'hydrocodone')")
        assert cursor.fetchone()[0] > 0.4


def test_an_extension_the_server_lacks_fails_with_what_to_install():
    """A real CREATE EXTENSION of an extension this server does not have."""
    operation = RequiredExtension("imr_no_such_extension")
    with (
        pytest.raises(CommandError) as caught,
        transaction.atomic(),
        connection.schema_editor(atomic=True) as editor,
    ):
        operation.database_forwards("determinations", editor, None, None)
    message = str(caught.value)
    assert "needs the PostgreSQL extension imr_no_such_extension" in message
    assert "apt install postgresql-contrib" in message
    assert 'extension "imr_no_such_extension" is not available' in message


class _PrivilegeError(Exception):
    sqlstate = "42501"


def test_a_role_not_allowed_to_create_it_is_told_to_ask_a_superuser():
    error = _PrivilegeError('permission denied to create extension "pg_trgm"\nHINT: ...')
    message = missing_extension_message("pg_trgm", "imr", error)
    assert message.startswith("The archive needs the PostgreSQL extension pg_trgm for typo")
    assert 'a superuser run `CREATE EXTENSION pg_trgm;` in the database "imr"' in message
    assert message.endswith('(PostgreSQL said: permission denied to create extension "pg_trgm")')
