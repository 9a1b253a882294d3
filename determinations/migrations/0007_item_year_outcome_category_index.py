"""Items by year, outcome and category in one index (replacing year and outcome): counting
``/?year=2016&outcome=overturned&category=Injection`` at 2 M letters combined the bitmaps of the
year/outcome index and of the category index (322,419 entries, 68 ms of the 89 ms count)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('determinations', '0006_item_citation_texts'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='disputeditem',
            index=models.Index(fields=['decision_year', 'outcome', 'category'], name='item_year_outcome_cat_idx'),
        ),
        migrations.RemoveIndex(
            model_name='disputeditem',
            name='item_year_outcome_idx',
        ),
    ]
