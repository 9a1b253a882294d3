"""Check a request (``/check/``, ``/api/check/``): a treatment request's text read as the parser
reads an item's, and the archive's history for what it names: the overturn rate of its service
with its 95% Wilson interval, that rate by year, and the nearest past decisions.

History, not advice or a prediction: the page and the API say so (``NOT_ADVICE``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.http import QueryDict

from . import dimensions, similar, stats, suggestions
from .filters import ItemFilterSet
from .parsing import read_request

MAX_CHARS = 2000
NOT_ADVICE = (
    "This is the archive's history: how past independent medical reviews decided requests "
    "like this one. It is not legal or medical advice and not a prediction of any review."
)
REASON = dimensions.BY_NAME["reason"]  # the reasons most often given for it
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def request_errors(data: QueryDict) -> tuple[str, list[str]]:
    """The ``request`` parameter, cleaned, and plain-language problems with the query."""
    errors = [
        f"Unknown parameter '{name}': only 'request' (the treatment request's text)."
        for name in data
        if name != "request"
    ]
    values = data.getlist("request")
    if len(values) > 1:
        errors.append("Parameter 'request' given more than once: give it once.")
    text = " ".join(_CONTROL.sub(" ", values[0] if values else "").split())
    if not text:
        errors.append(
            "Parameter 'request' is empty: give the treatment request's text, e.g. 'MRI of the "
            "knee'."
        )
    elif len(text) > MAX_CHARS:
        errors.append(
            f"Parameter 'request': at most {MAX_CHARS:,} characters (got {len(text):,}); "
            "give the request alone, not the whole letter."
        )
    return text, errors


@dataclass
class Check:
    reading: dict  # parsing.read_request's: category, subcategory, service, regions, quantity
    basis: dict[str, str]  # the browse filters whose history is shown (service, or subcategory)
    rate: stats.Rate
    by_year: list[stats.Rate]
    reasons: list[stats.Rate]
    nearest: list[similar.Similar]
    # a request the vocabulary does not know ("hydrocodne"): the archive's nearest words
    suggestions: list[suggestions.Suggestion] = field(default_factory=list)

    @property
    def undated(self) -> int:
        """Items with no decision date: in the count, in no year's row."""
        return max(0, self.rate.items - sum(rate.items for rate in self.by_year))

    def as_dict(self) -> dict:
        """The API's shape (docs/api.md, "Check a request")."""
        reading = {k: v for k, v in self.reading.items() if k != "warnings"}
        data = {
            "request": reading.pop("request"),
            "reading": reading,
            "history_of": self.basis,
            "items": self.rate.as_dict(),
            "by_year": [rate.as_dict() for rate in self.by_year],
            "undated_items": self.undated,
            "nearest": [
                {
                    "key": s.item.determination.key,
                    "number": s.item.number,
                    "request": s.item.request,
                    "outcome": s.item.outcome,
                    "decision_date": s.item.decision_date,
                    "service": s.item.service,
                    "why": s.tier,
                    "url": s.url,
                }
                for s in self.nearest
            ],
            "reasons": [rate.as_dict() for rate in self.reasons],
            "suggestions": [
                {"request": s.q, "word": s.word, "replacement": s.replacement}
                for s in self.suggestions
            ],
            "notice": NOT_ADVICE,
        }
        return data

    @property
    def basis_label(self) -> str:
        if "service" in self.basis:
            return self.basis["service"]
        return f"{self.basis['category']} / {self.basis['subcategory']}"


def request_check(text: str) -> Check:
    """Everything ``/check/`` shows for a valid request text (``request_errors``)."""
    reading = read_request(text)
    if reading["service"]:
        basis = {"service": reading["service"]}
    else:
        basis = {"category": reading["category"], "subcategory": reading["subcategory"]}
    filterset = ItemFilterSet(_query(basis))
    if not filterset.is_valid():  # the parser's own values: always valid filter values
        raise ValueError(f"the filters of {basis} are not valid: {filterset.errors}")
    found = stats.statistics(filterset, dimensions=("year", REASON.name))
    groups = {group.dimension.name: group.rows for group in found.groups}
    nearest = similar.similar_to_text(
        text,
        service=reading["service"],
        category=reading["category"],
        subcategory=reading["subcategory"],
        limit=similar.SHOWN,
    )
    return Check(
        reading=reading,
        basis=basis,
        rate=found.total,
        by_year=groups.get("year", []),
        reasons=groups[REASON.name],
        nearest=nearest,
        suggestions=[] if reading["service"] else suggestions.suggestions_for(text),
    )


def _query(params: dict[str, str]) -> QueryDict:
    query = QueryDict(mutable=True)
    for name, value in params.items():
        query[name] = value
    return query
