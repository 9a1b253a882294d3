"""The browse filters as a page shows them: each facet's values with their counts, the decision
date range and the chips of the active values. The browse page and the statistics pages (which
fold it) share it, counted as the request's plan says (``facets.facet_counts``: from the
summaries, or one pass over ``SummaryItem``, as on the browse page)."""

from __future__ import annotations

from urllib.parse import urlencode

from . import plans
from .facets import FACETS, FACETS_BY_NAME, facet_counts
from .filters import FILTER_PARAMS, ItemFilterSet

FACET_TOP = 6  # values shown before "more"
FACET_LIMIT = 100  # values listed per facet at most (selected ones always)
# Long open vocabularies: their "more" list gets a filter box.
FILTERABLE = ("service", "guideline", "guideline_section")


def filter_panel(
    filterset: ItemFilterSet, plan: plans.CountPlan, keep: list[tuple[str, str]] = ()
) -> dict:
    """The context ``determinations/_filters.html`` renders, and the chips, for a valid
    ``filterset``. ``keep``: the page's own parameters a chip's link keeps (the browse page's
    sort, a statistics page's table), so removing a filter changes nothing else."""
    counts = facet_counts(filterset, limit=FACET_LIMIT, plan=plan)
    active = filterset.active
    return {
        "facets": [
            {
                "facet": facet,
                "top": counts[facet.name][:FACET_TOP],
                "more": counts[facet.name][FACET_TOP:],
                "open": any(v.selected for v in counts[facet.name][FACET_TOP:]),
                "filterable": facet.name in FILTERABLE,
            }
            for facet in FACETS
        ],
        "decided_from": active.get("decided_from", [""])[0],
        "decided_to": active.get("decided_to", [""])[0],
        "chips": _chips(active, counts, list(keep)),
        "counts_estimated": any(v.estimated for values in counts.values() for v in values),
    }


def _chips(active: dict[str, list[str]], counts, keep: list[tuple[str, str]]) -> list[dict]:
    """One removable chip per active value: its label and the URL without it (without the
    search's ``field`` too, when it is the search that goes)."""
    chips = []
    for name, values in active.items():
        facet = FACETS_BY_NAME.get(name)
        labels = {v.value: v.label for v in counts.get(name, [])}
        for value in values:
            rest = [
                (k, v)
                for k in FILTER_PARAMS
                for v in active.get(k, [])
                if not (k == name and v == value) and not (name == "q" and k == "field")
            ]
            chips.append(
                {
                    "name": facet.label if facet else ItemFilterSet.base_filters[name].label,
                    "value": labels.get(str(value), value),
                    "url": "?" + urlencode(rest + keep) if rest or keep else "?",
                }
            )
    return chips
