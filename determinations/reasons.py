"""An item's decisive reasons as the archive keeps them (issue 19): the parse's ``reasons``.

The parser gives each item ``reasons: [{"code", "evidence"}]`` (contract section 3), codes from
``choices.Reason``. What is stored is what the archive can show and count: entries with a known
code, in the parse's order (``reasons``), and their codes each once (``codes``, the ``reason``
dimension). Anything else (an unknown code, an entry that is not ``{"code", "evidence"}``) is
dropped and named in a warning of the letter's parse, never silently (``warnings``).

A parse from before the parser gave reasons has none: its items have no reason until re-parsed
(docs/operations.md). No Django imports beyond the vocabularies: the bench loader uses it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .choices import Reason

KNOWN = frozenset(Reason.values)
EVIDENCE_MAX = 2000  # characters of an evidence sentence kept (a sentence, not a rationale)


@dataclass(frozen=True)
class ItemReasons:
    reasons: list[dict]  # [{"code", "evidence"}], known codes only, in order
    codes: list[str]  # each known code once, in order
    dropped: list[str]  # what was dropped, as written in the parse (for the warning)


def item_reasons(item: dict) -> ItemReasons:
    """The reasons of one parsed item, known codes kept.

    >>> item_reasons({"reasons": [{"code": "not_recommended", "evidence": "Not recommended."},
    ...                           {"code": "too_expensive", "evidence": "It costs a lot."}]})
    ... # doctest: +NORMALIZE_WHITESPACE
    ItemReasons(reasons=[{'code': 'not_recommended', 'evidence': 'Not recommended.'}],
                codes=['not_recommended'], dropped=['too_expensive'])
    """
    reasons, dropped = [], []
    entries = item.get("reasons") or []
    if not isinstance(entries, list):
        entries = [entries]
    for entry in entries:
        code = entry.get("code") if isinstance(entry, dict) else None
        evidence = entry.get("evidence") if isinstance(entry, dict) else None
        if isinstance(code, str) and code in KNOWN:
            evidence = evidence if isinstance(evidence, str) else ""
            reasons.append({"code": code, "evidence": evidence[:EVIDENCE_MAX]})
        else:
            dropped.append(code if isinstance(code, str) else repr(entry)[:80])
    codes = list(dict.fromkeys(r["code"] for r in reasons))
    return ItemReasons(reasons, codes, dropped)


def warnings(parsed: dict) -> list[str]:
    """A warning per item whose parse gave reasons the archive does not know (dropped)."""
    found = []
    for position, item in enumerate(parsed.get("items") or [], 1):
        if not isinstance(item, dict):
            continue
        dropped = item_reasons(item).dropped
        if dropped:
            number = item.get("number", position)
            listed = ", ".join(f"'{code}'" for code in dropped)
            found.append(f"item {number}: reason code(s) not in the vocabulary, dropped: {listed}")
    return found
