"""How a request's counts are made: decided once, up front, in one ``CountPlan``.

Every total, facet count and rate of the archive is made one of four ways (see
docs/architecture.md): from the precomputed summaries (no search, at most one filter value,
exact), from a fixed sample of the letters (very many rows, scaled up and marked estimated), live
in SQL (exact), or exactly on request (``exact=true``). ``plan_for`` makes that decision from the
request's shape, before any query; the counting code (``selectors``, ``facets``, ``stats``) reads
it instead of deciding again, and records what it found on the way (summaries stale, the sample
it chose) with ``CountPlan.note``. The plan of the request being served is reported to operators
in the ``Server-Timing`` response header (``imr_archive.middleware.ServerTimingMiddleware``).
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field

from . import sampling, summaries

SUMMARIES = "summaries"
SAMPLE_OR_LIVE = "sample-or-live"
SUMMARY_ITEMS = "summary-items"
EXACT = "exact"

_current: contextvars.ContextVar[list[CountPlan] | None] = contextvars.ContextVar(
    "count_plans", default=None
)


@dataclass
class CountPlan:
    """What a request's counts will be made from, why, and what happened on the way."""

    key: tuple | None  # the summaries' key for this filter shape (summaries.summary_key)
    searching: bool
    estimates: bool  # counts may come from a fixed sample (false with exact=true)
    strategy: str
    reason: str
    notes: list[tuple[str, str]] = field(default_factory=list)  # (part, what it used)
    # (rows, squares) of the matching rows per (source, 1-in-N sample), as a pass counted them:
    # the page's facets pass counts what its total's estimate would count again.
    in_sample: dict[tuple[str, int], tuple[int, int]] = field(default_factory=dict)

    def counted_in_sample(self, source: str, every: int, rows: int, squares: int) -> None:
        """Record that ``rows`` matching rows (their letters' rows squared: ``squares``) are in
        the 1-in-``every`` sample of ``source`` (``sampling.SEARCH_HITS`` or
        ``sampling.SUMMARY_ITEMS``)."""
        self.in_sample[(source, every)] = (rows, squares)

    def sample_for(self, rows_in_sample: int, every=None, *, scanned=None) -> int | None:
        """The sample to count from (1 in N; None: count every row), decided here from the one
        cheap count a query made in the 1-in-``every`` sample (default the coarsest;
        ``sampling.level_for``); each part notes what it used."""
        if not self.estimates:
            return None
        return sampling.level_for(rows_in_sample, every, scanned=scanned)

    def rows_in_coarsest(self, items) -> int:
        """The matching ``items`` (a search's) in the coarsest sample: as a pass of this request
        counted them (the page's facets, counted first), else counted now."""
        found = self.in_sample.get((sampling.SEARCH_HITS, sampling.LEVELS[0]))
        return found[0] if found is not None else sampling.rows_in_coarsest(items)

    def note(self, part: str, used: str) -> None:
        """Record how ``part`` (total, facets, statistics) was finally counted."""
        self.notes.append((part, used))

    @property
    def description(self) -> str:
        """One line for the Server-Timing header: the strategy, then each part's method (the
        total first, the others in the order they were counted)."""
        notes = sorted(self.notes, key=lambda note: note[0] != "total")
        parts = " ".join(f"{part}={used}" for part, used in notes)
        return f"{self.strategy} ({self.reason})" + (f"; {parts}" if parts else "")


def plan_for(filterset, *, estimates: bool = True) -> CountPlan:
    """The plan for a valid ``filterset``: no query is made to decide it."""
    key = summaries.summary_key(filterset)
    searching = bool(filterset.search_text)
    if key is not None:
        strategy, reason = SUMMARIES, "no filter" if key == summaries.ALL else "one filter value"
    elif not estimates:
        strategy, reason = EXACT, "exact counts asked for"
    elif searching:
        strategy, reason = SAMPLE_OR_LIVE, "a search: its 1-in-1024 sample decides"
    elif any(filterset.date_range):  # the pair tables are keyed by values, not dates
        strategy, reason = SUMMARY_ITEMS, "a date range: one pass over SummaryItem"
    else:
        strategy, reason = SUMMARY_ITEMS, "several filters: one pass over SummaryItem"
    plan = CountPlan(key, searching, estimates, strategy, reason)
    recorded = _current.get()
    if recorded is not None:
        recorded.append(plan)
    return plan


def recording() -> tuple[list[CountPlan], contextvars.Token]:
    """Start collecting the plans made while serving one request (the middleware's)."""
    plans: list[CountPlan] = []
    return plans, _current.set(plans)


def stop_recording(token: contextvars.Token) -> None:
    _current.reset(token)
