"""PeriodPairCount: the facet pairs per decision month, for the cross-tabs over time (issue 18).

Created empty, so the summaries are marked stale here (a change record for letter 0: every
letter): until the next refresh, which recounts everything and fills the new table, the
cross-tabs and the other counts are made live instead of read from a half-built summary.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('determinations', '0016_item_sourced_guidelines'),
    ]

    operations = [
        migrations.RunSQL(
            "INSERT INTO determinations_summarychange (txid, determination_id) "
            "VALUES (txid_current(), 0) ON CONFLICT DO NOTHING",
            migrations.RunSQL.noop,
        ),
        migrations.CreateModel(
            name='PeriodPairCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('facet_a', models.CharField(help_text="Facet of the first value ('' = all).", max_length=24)),
                ('value_a', models.TextField(blank=True, help_text='The first value, as text.')),
                ('facet_b', models.CharField(blank=True, help_text="Facet of the second value ('' = a total).", max_length=24)),
                ('value_b', models.TextField(blank=True, help_text='The second value, as text.')),
                ('month', models.DateField(help_text="First day of the items' decision month.")),
                ('items', models.IntegerField(help_text='Public items with both values decided that month.')),
                ('overturned', models.IntegerField(help_text='Of those, overturned items.')),
            ],
            options={
                'indexes': [models.Index(condition=models.Q(('facet_b', '')), fields=['facet_a'], name='periodpair_totals_idx')],
                'constraints': [models.UniqueConstraint(fields=('facet_a', 'value_a', 'facet_b', 'value_b', 'month'), name='periodpair_key_unique')],
            },
        ),
    ]
