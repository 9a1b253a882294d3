"""Guideline sections in one spelling: ``guidelines.canonical_section`` (sentence case) in every
stored ``guideline_section`` value, so that "Physical therapy" and "Physical Therapy" under one
document are one section with one count, one page and one filter value.

Only the items' ``guideline_sections`` change (the citations keep the letter's spelling): the
distinct stored values are read once (a scan of the column), the ones whose spelling changes
mapped in Python (``canonical``, a copy of the rule as this migration applies it), and only the
items holding one of them (the column's GIN index) rewritten, each value mapped and the array
kept in first-cited order with each value once, in batches of ``BATCH`` items, each its own
short transaction. The items' statement triggers record their letters as changed, so the
summaries are stale until ``manage.py refresh_summaries`` runs (docs/operations.md: a full
rebuild, 849 s at 2 M letters, where 0025 rewrote a quarter of the items). Items that old code
writes during the migration are found by the next pass; a rerun finds nothing left to do.

Not atomic (big table). Reversible as a no-op: the old spellings are not kept, and the code of
the release before reads the new ones as ordinary section values.
"""

import re

from django.db import migrations

ITEMS = "determinations_disputeditem"
BATCH = 2_000  # items per UPDATE
PASSES = 3  # a pass finds what old code wrote during the one before it

_WORD = re.compile(r"[^\W\d_]+")


def canonical(section: str) -> str:
    """``guidelines.canonical_section`` as of this migration (tests check they agree)."""
    first = True

    def word(match: re.Match) -> str:
        nonlocal first
        text = match.group()
        ordinary = len(text) > 1 and text[1:].islower()
        if first:
            first = False
            return text[0].upper() + text[1:] if ordinary or text.islower() else text
        return text.lower() if ordinary else text

    return _WORD.sub(word, section)


def respelled(value: str) -> str:
    """A stored value with its section (after its last bar) in the one spelling, cut to the
    column's 400 characters without end spaces, as ``guidelines.section_value`` writes it."""
    document_value, bar, section = value.rpartition("|")
    if not bar:
        return value
    return f"{document_value}|{canonical(section)}"[:400].rstrip(" ")


# Each item's values mapped (old -> new, as two arrays) and each kept once, where first held.
REMAP = f"""
UPDATE {ITEMS} AS i SET guideline_sections = (
    SELECT array_agg(v.value ORDER BY v.first)
    FROM (
        SELECT coalesce(m.new, s.value) AS value, min(s.n) AS first
        FROM unnest(i.guideline_sections) WITH ORDINALITY AS s(value, n)
        LEFT JOIN unnest(%s::varchar[], %s::varchar[]) AS m(old, new) ON m.old = s.value
        GROUP BY 1
    ) AS v
)::varchar(400)[]
WHERE i.id = ANY(%s)
"""


def one_spelling(apps, schema_editor, *, batch: int = BATCH) -> int:
    """Rewrite every item holding a section value in another spelling; returns the items
    written."""
    written = 0
    with schema_editor.connection.cursor() as cursor:
        for _ in range(PASSES):
            cursor.execute(
                f"SELECT DISTINCT s.value FROM {ITEMS} AS i, "  # noqa: S608 (the code's SQL)
                "unnest(i.guideline_sections) AS s(value)"
            )
            mapping = {}
            for (value,) in cursor.fetchall():
                if (new := respelled(value)) != value:
                    mapping[value] = new
            if not mapping:
                break
            old, new = list(mapping), list(mapping.values())
            cursor.execute(
                f"SELECT id FROM {ITEMS} WHERE guideline_sections && %s::varchar[] "  # noqa: S608
                "ORDER BY id",
                [old],
            )
            ids = [row[0] for row in cursor.fetchall()]
            for start in range(0, len(ids), batch):
                cursor.execute(REMAP, [old, new, ids[start : start + batch]])
                written += cursor.rowcount
    return written


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("determinations", "0024_letter_reissue_settled_key"),
    ]

    operations = [
        migrations.RunPython(one_spelling, migrations.RunPython.noop, elidable=False),
    ]
