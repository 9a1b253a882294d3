"""Adapter to the vocabulary normalisers in ``vocab/``.

The normalisers are written separately and may be missing or incomplete: each is imported lazily
and every call is guarded, so a failure becomes a warning and null values instead of an
exception in the parser.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

_MISSING = object()
_cache: dict[tuple[str, str], Any] = {}


def _load(module: str, name: str) -> Callable[..., Any] | None:
    key = (module, name)
    func = _cache.get(key, _MISSING)
    if func is _MISSING:
        try:
            func = getattr(importlib.import_module(f"{__package__}.vocab.{module}"), name)
        except Exception:
            func = None
        _cache[key] = func
    return func


def _call(module: str, name: str, warnings: list[str], where: str, *args: Any, **kwargs: Any):
    func = _load(module, name)
    if func is None:
        return _MISSING
    try:
        return func(*args, **kwargs)
    except Exception as exc:
        warnings.append(f"{where}: {name} failed: {type(exc).__name__}: {exc}"[:200])
        return _MISSING


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
        "classify",
        "classify_item",
        warnings,
        where,
        request,
        original_request=original_request,
        rationale=rationale,
        reviewer_citations=reviewer_citations,
        letter_requests=letter_requests,
    )
    if result is _MISSING:
        return None, None, None
    if not (isinstance(result, tuple | list) and len(result) == 3):
        warnings.append(f"{where}: classify_item returned {type(result).__name__}")
        return None, None, None
    return tuple(_str_or_none(value) for value in result)  # type: ignore[return-value]


def regions(request: str, original_request: str | None, warnings: list[str], where: str):
    result = _call("regions", "body_regions", warnings, where, request, original_request)
    if result is _MISSING or not isinstance(result, list | tuple):
        return []
    return [value for value in result if isinstance(value, str)]


def quantity(request: str, warnings: list[str], where: str) -> int | None:
    result = _call("quantity", "parse_quantity", warnings, where, request)
    if isinstance(result, bool) or not isinstance(result, int):
        return None
    return result


def specialties(phrases: list[str], warnings: list[str]) -> list[str]:
    if not phrases:
        return []
    result = _call("specialties", "normalise_specialties", warnings, "reviewer", phrases)
    if result is _MISSING or not isinstance(result, list | tuple):
        return []
    return [value for value in result if isinstance(value, str)]


_CITATION_KEYS = ("source", "document", "chapter", "section", "pages", "year")


def citations(basis: str | None, warnings: list[str], where: str) -> list[dict]:
    if not basis:
        return []
    result = _call("citations", "parse_citations", warnings, where, basis)
    if result is _MISSING or not isinstance(result, list | tuple):
        return []
    return [
        {key: entry.get(key) for key in _CITATION_KEYS}
        for entry in result
        if isinstance(entry, dict)
    ]


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None
