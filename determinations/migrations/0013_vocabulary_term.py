"""The "did you mean" vocabulary (issue 16), with a trigram index on its terms. Empty until the
next summary refresh (the worker's, or ``manage.py refresh_summaries``) fills it."""

import django.contrib.postgres.indexes
from django.db import migrations, models

# The suggestion lookup (determinations/suggestions.py): for each word, the PER_WORD most similar
# words of kind KIND (pg_trgm's % operator, through the trigram index), unless the word itself
# is one. A function so that it can forbid sequential scans: on a vocabulary of a few thousand
# rows the planner prefers computing similarity() on every row (measured 19 ms a word at 5,000
# rows against 0.2 ms through the index; docs/performance.md), or every row of the kind through
# the unique index: the kind's test is written so that no index serves it.
NEAREST_SQL = """
CREATE FUNCTION determinations_vocabulary_nearest(words text[], wanted_kind text, per_word integer)
RETURNS TABLE (word text, term text) LANGUAGE sql STABLE
SET enable_seqscan = off SET search_path FROM CURRENT AS $$
SELECT w.word, m.term FROM unnest(words) WITH ORDINALITY AS w(word, n)
CROSS JOIN LATERAL (
    SELECT v.term, similarity(v.term, w.word) AS score, v.items
    FROM determinations_vocabularyterm v
    WHERE v.term % w.word AND v.kind || '' = wanted_kind  -- the kind: not an index condition
    ORDER BY score DESC, v.items DESC, v.term LIMIT per_word
) AS m
WHERE NOT EXISTS (
    SELECT 1 FROM determinations_vocabularyterm e WHERE e.kind = wanted_kind AND e.term = w.word
)
ORDER BY w.n, m.score DESC, m.items DESC, m.term
$$;
"""
DROP_NEAREST_SQL = "DROP FUNCTION IF EXISTS determinations_vocabulary_nearest(text[], text, integer);"


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
                'indexes': [django.contrib.postgres.indexes.GinIndex(fields=['term'], fastupdate=False, name='vocabulary_term_trgm', opclasses=['gin_trgm_ops'])],
                'constraints': [models.UniqueConstraint(fields=('kind', 'term'), name='vocabulary_kind_term_unique')],
            },
        ),
        migrations.RunSQL(NEAREST_SQL, DROP_NEAREST_SQL),
    ]
