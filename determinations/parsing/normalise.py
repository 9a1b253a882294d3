"""Adapter to the vocabulary normalisers in ``vocab/``.

Every call is guarded: an exception in a normaliser becomes a warning and null values instead of
an exception in the parser.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .vocab.citations import parse_citations
from .vocab.classify import classify_item
from .vocab.quantity import parse_quantity
from .vocab.regions import body_regions
from .vocab.specialties import normalise_specialties

_FAILED = object()


def _call(func: Callable[..., Any], warnings: list[str], where: str, *args: Any, **kwargs: Any):
    try:
        return func(*args, **kwargs)
    except Exception as exc:
        warnings.append(f"{where}: {func.__name__} failed: {type(exc).__name__}: {exc}"[:200])
        return _FAILED


def classify(
    request: str,
    original_request: str | None,
    rationale: str,
    reviewer_citations: list[dict],
    letter_requests: list[str],
    warnings: list[str],
    where: str,
) -> tuple[str | None, str | None, str | None]:
    result = _call(
        classify_item,
        warnings,
        where,
        request,
        original_request=original_request,
        rationale=rationale,
        reviewer_citations=reviewer_citations,
        letter_requests=letter_requests,
    )
    if result is _FAILED:
        return None, None, None
    if not (isinstance(result, tuple | list) and len(result) == 3):
        warnings.append(f"{where}: classify_item returned {type(result).__name__}")
        return None, None, None
    return tuple(_str_or_none(value) for value in result)  # type: ignore[return-value]


def regions(request: str, original_request: str | None, warnings: list[str], where: str):
    result = _call(body_regions, warnings, where, request, original_request)
    if result is _FAILED or not isinstance(result, list | tuple):
        return []
    return [value for value in result if isinstance(value, str)]


def quantity(request: str, warnings: list[str], where: str) -> int | None:
    result = _call(parse_quantity, warnings, where, request)
    if isinstance(result, bool) or not isinstance(result, int):
        return None
    return result


def specialties(phrases: list[str], warnings: list[str]) -> list[str]:
    if not phrases:
        return []
    result = _call(normalise_specialties, warnings, "reviewer", phrases)
    if result is _FAILED or not isinstance(result, list | tuple):
        return []
    return [value for value in result if isinstance(value, str)]


_CITATION_KEYS = ("source", "document", "chapter", "section", "pages", "year")


def citations(basis: str | None, warnings: list[str], where: str) -> list[dict]:
    if not basis:
        return []
    result = _call(parse_citations, warnings, where, basis)
    if result is _FAILED or not isinstance(result, list | tuple):
        return []
    return [
        {key: entry.get(key) for key in _CITATION_KEYS}
        for entry in result
        if isinstance(entry, dict)
    ]


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None
