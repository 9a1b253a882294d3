"""The "did you mean" vocabulary (issue 16), with a trigram index on its terms. Empty until the
next summary refresh (the worker's, or ``manage.py refresh_summaries``) fills it."""

import django.contrib.postgres.indexes
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('determinations', '0012_pg_trgm'),
    ]

    operations = [
        migrations.CreateModel(
            name='VocabularyTerm',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('service', 'Service'), ('guideline', 'Guideline document'), ('specialty', 'Reviewer specialty'), ('word', 'Word of a term')], max_length=16)),
                ('term', models.TextField()),
                ('items', models.IntegerField(help_text='Public items carrying it (words: summed over terms).')),
            ],
            options={
                'indexes': [django.contrib.postgres.indexes.GinIndex(fields=['term'], name='vocabulary_term_trgm', opclasses=['gin_trgm_ops'])],
                'constraints': [models.UniqueConstraint(fields=('kind', 'term'), name='vocabulary_kind_term_unique')],
            },
        ),
    ]
