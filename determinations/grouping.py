"""GROUPING SETS statements, built in one place.

Facet counts (live, and over the one pass's combinations), the summaries' totals and pairs and
their letter counts all count many groupings of the same rows in one scan (the fastest way in
shared/docs/scale-notes.md). A row of such a statement says which grouping made it only through
``GROUPING()``, a bit mask; ``grouping_sets_sql`` turns the mask back into the names and values
of the columns grouped, so that every caller reads ``(name, value, ..., counts)`` rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

EMPTY = "''"  # name and value past a set's own columns
Aggregate = str | Callable[[tuple[str, ...]], str]


def grouping_sets_sql(
    source: str,
    sets: Sequence[tuple[str, ...]],
    aggregates: Sequence[Aggregate],
    *,
    width: int = 1,
    names: Mapping[str, str] | None = None,
    always: Sequence[str] = (),
) -> str:
    """One SELECT over ``source`` grouped by each of ``sets`` (tuples of its column names).

    Each row has, for positions 0 to ``width`` - 1, ``name_<i>`` and ``value_<i>`` (text): the
    name of the set's i-th column (``names`` maps a column to the name shown; default its own)
    and its value, '' for both past the set's own columns; then the ``always`` columns (grouped
    in every set, selected as they are); then the ``aggregates``, each an SQL expression or a
    function of the set giving that set's expression. Groups whose value is NULL (no service, no
    year) are left out. Column names come from the code (the registry), never from a request.
    """
    names = names or {}
    labelled = [column for group in sets for column in group if column not in always]
    columns = list(dict.fromkeys(labelled))
    grouping = f"GROUPING({', '.join(_quoted(columns))})" if columns else "0"

    def mask(group: tuple[str, ...]) -> int:  # the bit of every column NOT grouped; first highest
        return sum(1 << (len(columns) - 1 - i) for i, c in enumerate(columns) if c not in group)

    def by_set(expression: Callable[[tuple[str, ...]], str | None], default: str | None) -> str:
        whens = []
        for group in sets:
            chosen = expression(tuple(c for c in group if c not in always))
            if chosen is not None:
                whens.append(f"WHEN {mask(group)} THEN {chosen}")
        if not whens:
            return default or "NULL"
        tail = f" ELSE {default}" if default is not None else ""
        return f"CASE {grouping} {' '.join(whens)}{tail} END"

    selected, values = [], []
    for i in range(width):

        def name(group, i=i):
            return f"'{names.get(group[i], group[i])}'" if len(group) > i else None

        def value(group, i=i):
            return f'"{group[i]}"::text' if len(group) > i else None

        selected += [f"{by_set(name, EMPTY)} AS name_{i}", f"{by_set(value, EMPTY)} AS value_{i}"]
        values.append(f"value_{i}")
    selected += _quoted(always)
    for i, aggregate in enumerate(aggregates):
        expression = aggregate if isinstance(aggregate, str) else by_set(aggregate, None)
        selected.append(expression if isinstance(aggregate, str) else f"{expression} AS agg_{i}")
    group_sets = ", ".join("(" + ", ".join(_quoted(group)) + ")" for group in sets)
    kept = " AND ".join(f"{value} IS NOT NULL" for value in values) or "true"
    return (
        f"SELECT * FROM (SELECT {', '.join(selected)} FROM {source} "  # noqa: S608
        f"GROUP BY GROUPING SETS ({group_sets})) AS grouped WHERE {kept}"
    )


def _quoted(columns: Sequence[str]) -> list[str]:
    return [f'"{column}"' for column in columns]
