"""PostgreSQL extensions the archive needs, created by migrations, with a readable failure.

Every packaged and managed PostgreSQL ships the contrib extensions, and the embedded server has
them; a ``DATABASE_URL`` server without them (a bare source build, Debian's server without
``postgresql-contrib``) or a role not allowed to create them should stop ``migrate`` with what to
do, not with a traceback from inside a migration.
"""

from __future__ import annotations

from django.contrib.postgres.operations import CreateExtension
from django.core.management.base import CommandError
from django.db import DatabaseError

# The SQLSTATE of CREATE EXTENSION by a role not allowed to; any other failure (0A000 "extension
# ... is not available", a missing file) means the server lacks it.
NOT_ALLOWED = "42501"  # insufficient_privilege

WHY = {"pg_trgm": "typo suggestions (trigram similarity)"}


def missing_extension_message(name: str, database: str, error: Exception) -> str:
    """What to tell the operator when ``CREATE EXTENSION name`` failed with ``error``."""
    cause = error.__cause__ or error
    sqlstate = getattr(cause, "sqlstate", None)
    first_line = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
    need = f"The archive needs the PostgreSQL extension {name}" + (
        f" for {WHY[name]}" if name in WHY else ""
    )
    if sqlstate == NOT_ALLOWED:
        fix = (
            f"The database role may not create it: have a superuser run "
            f'`CREATE EXTENSION {name};` in the database "{database}", then migrate again.'
        )
    else:
        fix = (
            f"The server at DATABASE_URL does not have it installed: install PostgreSQL's contrib "
            f"extensions on the database server (Debian/Ubuntu: `apt install postgresql-contrib`; "
            f"RHEL/Fedora: postgresql-contrib; managed services ship it, some allow-list it), "
            f'or have a superuser run `CREATE EXTENSION {name};` in "{database}", then migrate '
            f"again. The embedded server (DATABASE_URL unset) has it."
        )
    return f"{need}. {fix} (PostgreSQL said: {first_line})"


class RequiredExtension(CreateExtension):
    """``CreateExtension`` that turns a failure into a ``CommandError`` naming the extension."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        try:
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        except DatabaseError as exc:
            database = schema_editor.connection.settings_dict.get("NAME") or "?"
            raise CommandError(missing_extension_message(self.name, database, exc)) from exc
