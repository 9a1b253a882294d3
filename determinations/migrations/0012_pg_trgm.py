"""The pg_trgm extension, for typo suggestions (issue 16); migrate says what to install if the
server lacks it (imr_archive.db_extensions)."""

from django.db import migrations

from imr_archive.db_extensions import RequiredExtension


class Migration(migrations.Migration):

    dependencies = [
        ('determinations', '0011_letter_is_sample'),
    ]

    operations = [
        RequiredExtension('pg_trgm'),
    ]
