"""How stored rows read outward, in the parse contract's shape: the permalink's JSON, the API, the
exports.

``ITEM_RECORD`` is the one declaration of an item's outward fields. ``item_record`` and
``item_as_dict`` build dicts from it on model instances; the CSV and JSON Lines exports build
their SQL from it (``exports.py``); the API's serializers, which describe the shape for the
OpenAPI document, are made from it (``api.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from operator import attrgetter
from urllib.parse import quote

from django.urls import reverse

from .choices import (
    SUBCATEGORY_CHOICES,
    BodyRegion,
    Category,
    CitedBy,
    GuidelineSource,
    ItemOutcome,
    LetterOutcome,
    Priority,
    Reason,
)
from .guidelines import guideline_label
from .models import Determination, DisputedItem, GuidelineCitation

# What a field holds, which decides how each output writes it.
TEXT = "text"  # text from a letter: the CSV guards it against spreadsheet formulas
CODE = "code"  # a closed vocabulary or one of our keys: nothing in it starts a formula
NUMBER = "number"
DATE = "date"  # ISO 8601, YYYY-MM-DD
URL = "url"  # the item's permalink: built per response, not stored
BASIS = "basis"  # {"basis", "citations"}: ``<column>_basis``, citations cited by ``<column>``
GUIDELINES = "guidelines"  # guideline values (``ODG:Low Back``) as shown: ``ODG · Low Back``
REASONS = "reasons"  # the decisive reasons, ``[{"code", "evidence"}]`` (``REASON_FIELDS``)


# What the letters do not say: the archive's parser assigns these fields (one sentence, shown by
# the permalink page, the API schema, the CSV columns' documentation).
INFERRED = (
    "assigned by the archive's parser from the request's words (contract §4), not stated in the "
    "letter"
)


@dataclass(frozen=True)
class Field:
    """One key of an outward record and where its value is stored."""

    name: str
    kind: str
    column: str = ""  # the lookup from the row (DisputedItem, GuidelineCitation); default: name
    many: bool = False  # an array column: a JSON list, one CSV cell joined with " | "
    choices: Sequence[tuple[str, str]] = ()  # a closed vocabulary's (value, label), for the schema
    null: bool = False  # may be None (the schema's nullable)
    help: str = ""  # its meaning: the API schema's description, the CSV column's (docs/api.md)
    label: str = ""  # a basis: the words its text follows in the letter

    def __post_init__(self):
        object.__setattr__(self, "column", self.column or self.name)

    @cached_property
    def read(self):
        """The stored value on a model instance (``column`` followed through relations)."""
        return attrgetter(self.column.replace("__", "."))


def _letter(name: str, kind: str, *, column: str = "", **options) -> Field:
    """A fact of the item's letter, read through ``determination``."""
    return Field(name, kind, column=f"determination__{column or name}", **options)


CITATION_FIELDS: tuple[Field, ...] = (
    Field("source", CODE, choices=GuidelineSource.choices),
    Field("document", TEXT, null=True),
    Field("chapter", NUMBER, null=True),
    Field("section", TEXT, null=True),
    Field("pages", TEXT, null=True),
    Field("year", NUMBER, null=True),
)

# A decisive reason of an item (``reasons.item_reasons``): its code and the rationale's sentence.
REASON_FIELDS: tuple[Field, ...] = (
    Field("code", CODE, choices=Reason.choices, help="The reason: a value of the `reason` filter."),
    Field("evidence", TEXT, help="The rationale's sentence that gives it, verbatim."),
)

# The parse contract's item, in its order: the items of the permalink's JSON.
ITEM_FIELDS: tuple[Field, ...] = (
    Field("number", NUMBER, help="Order of the item in its letter, from 1."),
    Field("request", TEXT, help="The disputed request."),
    Field(
        "original_request", TEXT, null=True, help="Modified requests only: the original request."
    ),
    Field(
        "authorized",
        TEXT,
        null=True,
        help="Modified requests only: what utilization review authorized.",
    ),
    Field(
        "outcome",
        CODE,
        choices=ItemOutcome.choices,
        help="This item's decision: `upheld` or `overturned`.",
    ),
    Field(
        "category",
        CODE,
        choices=Category.choices,
        help=f"Category, {INFERRED}.",
    ),
    Field(
        "subcategory",
        CODE,
        choices=SUBCATEGORY_CHOICES,
        help=f"Subcategory within the category, {INFERRED}.",
    ),
    Field(
        "service",
        TEXT,
        null=True,
        help=f"Canonical service, or a drug's generic name, {INFERRED}; "
        "empty: no service of the vocabulary.",
    ),
    Field(
        "body_regions",
        CODE,
        many=True,
        choices=BodyRegion.choices,
        help=f"Body regions named in the request, {INFERRED}.",
    ),
    Field(
        "quantity",
        NUMBER,
        null=True,
        help=f"Sessions, visits or units requested, {INFERRED}.",
    ),
    Field(
        "claims_administrator",
        BASIS,
        help="The claims administrator's basis and citations.",
        label="Claims Administrator guideline:",
    ),
    Field(
        "reviewer",
        BASIS,
        help="The reviewer's (MAXIMUS) basis and citations.",
        label="MAXIMUS guideline:",
    ),
    Field("rationale", TEXT, help="The decision's rationale."),
    Field(
        "reasons",
        REASONS,
        many=True,
        help="The decisive reasons the reviewer gives in the rationale, each `{code, evidence}` "
        "(in the CSV `code: evidence`): a value of the `reason` filter and the rationale's "
        "sentence that gives it; empty for letters parsed before the parser gave reasons.",
    ),
)

# The item's own columns that ``ITEM_FIELDS`` read (a basis: its text; its citations are rows of
# their own): what a letter's page and JSON load of each item, not its facet copies.
ITEM_COLUMNS: tuple[str, ...] = tuple(
    f"{field.column}_basis" if field.kind == BASIS else field.column for field in ITEM_FIELDS
)

# An item with its letter's facts: an item of /api/items/, a line of the JSON Lines export.
ITEM_LETTER_FIELDS: tuple[Field, ...] = (
    _letter(
        "key",
        CODE,
        help="Permalink key of the letter (the case number, or 12 hex digits of the letter's "
        "SHA-256 when it has none).",
    ),
    Field(
        "url",
        URL,
        help="Permalink URL of the item: the letter's page with the item's anchor "
        "(`.../determinations/<key>/#item-<n>`), built from the request's host.",
    ),
    _letter("case_number", TEXT, null=True, help="IMR case number, `CMyy-nnnnnnn`."),
    _letter("decision_date", DATE, null=True, help="Decision date of the letter (`YYYY-MM-DD`)."),
    _letter("date_assigned", DATE, null=True, help="Date the case was assigned."),
    _letter("date_of_injury", DATE, null=True, help="Date of injury."),
    _letter("ur_denial_date", DATE, null=True, help="Date of the utilization review denial."),
    _letter("application_received", DATE, null=True, help="Date the IMR application was received."),
    _letter(
        "priority",
        CODE,
        choices=Priority.choices,
        null=True,
        help="`standard` or `expedited`.",
    ),
    _letter(
        "letter_outcome",
        CODE,
        column="outcome",
        choices=LetterOutcome.choices,
        null=True,
        help="The letter's outcome: `upheld`, `overturned` or `partially overturned`.",
    ),
)
ITEM_FACET_FIELDS: tuple[Field, ...] = (
    Field(
        "reviewer_specialties",
        TEXT,
        column="specialties",
        many=True,
        help="The reviewer's specialties.",
    ),
    # Copied from the citations with no database check on the array: guarded like text.
    Field(
        "reviewer_guideline_sources",
        TEXT,
        column="guideline_sources",
        many=True,
        choices=GuidelineSource.choices,
        help="Sources the reviewer cited (MTUS, ODG, ...), each once.",
    ),
    Field(
        "reviewer_guideline_documents",
        GUIDELINES,
        column="guideline_documents",
        many=True,
        help="Documents the reviewer cited with their sources, each once, as the pages show "
        "them: `ODG · Low Back`.",
    ),
    # Last: the CSV's columns are only ever appended.
    Field(
        "reviewer_guidelines",
        TEXT,
        column="guideline_documents",
        many=True,
        help="The same as values of the `guideline` filter: `ODG:Low Back`.",
    ),
    Field(
        "reviewer_licensure",
        TEXT,
        column="licensure",
        many=True,
        help="States where the reviewer is licensed, each once (the `licensure` filter's values).",
    ),
    Field(
        "reviewer_guideline_sections",
        TEXT,
        column="guideline_sections",
        many=True,
        help="Sections the reviewer cited, each once, as values of the `guideline_section` "
        "filter (the document's `guideline` value, a vertical bar, the section).",
    ),
    Field(
        "reason_codes",
        CODE,
        many=True,
        choices=Reason.choices,
        help="The decisive reasons' codes, each once (the `reason` filter's values).",
    ),
)
ITEM_RECORD: tuple[Field, ...] = (*ITEM_LETTER_FIELDS, *ITEM_FIELDS, *ITEM_FACET_FIELDS)
ITEM_RECORD_BY_NAME = {field.name: field for field in ITEM_RECORD}
assert {f.column for f in ITEM_RECORD if f.kind == BASIS} == set(CitedBy.values), "one per basis"

KEY_PLACEHOLDER = "__key__"


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def citation_as_dict(citation: GuidelineCitation) -> dict:
    return {field.name: field.read(citation) for field in CITATION_FIELDS}


def _values(item: DisputedItem, fields: tuple[Field, ...], *, url: str | None = None) -> dict:
    """``fields`` of ``item``; expects its citations read with it (``DisputedItem.
    citations_by_basis``)."""
    by = item.citations_by_basis()
    values = {}
    for field in fields:
        if field.kind == URL:
            value = url
        elif field.kind == BASIS:
            basis = getattr(item, f"{field.column}_basis")
            value = {"basis": basis, "citations": [citation_as_dict(c) for c in by[field.column]]}
        elif field.kind == GUIDELINES:
            value = [guideline_label(v) for v in field.read(item)]
        elif field.kind == REASONS:
            value = [{f.name: r.get(f.name) for f in REASON_FIELDS} for r in field.read(item)]
        else:
            value = field.read(item)
            if field.many:
                value = list(value)
            elif field.kind == DATE:
                value = _iso(value)
        values[field.name] = value
    return values


def item_as_dict(item: DisputedItem) -> dict:
    """One item in the parse contract's shape; expects its citations read with it."""
    return _values(item, ITEM_FIELDS)


def item_record(item: DisputedItem, *, url: str) -> dict:
    """One item with its letter's facts (``ITEM_RECORD``).

    Expects ``determination`` selected and its citations read with it. The JSON Lines export
    builds the same dict from a row.
    """
    return _values(item, ITEM_RECORD, url=url)


def permalink_prefix() -> str:
    """The permalink path with ``KEY_PLACEHOLDER`` for the key: one ``reverse`` per list."""
    return reverse("determinations:detail", args=[KEY_PLACEHOLDER])


def item_url(base_url: str, prefix: str, item: DisputedItem) -> str:
    """The item's permalink (its letter's page, the item's anchor) from ``permalink_prefix``."""
    path = prefix.replace(KEY_PLACEHOLDER, quote(item.determination.key, safe=""))
    return f"{base_url}{path}#{item.anchor}"


def determination_as_dict(determination: Determination, *, url: str | None = None) -> dict:
    """The determination in the parse contract's shape plus its key, permalink and parse."""
    reviewer = determination.reviewer
    return {
        "key": determination.key,
        "url": url,
        "case_number": determination.case_number,
        "date_assigned": _iso(determination.date_assigned),
        "date_of_injury": _iso(determination.date_of_injury),
        "decision_date": _iso(determination.decision_date),
        "ur_denial_date": _iso(determination.ur_denial_date),
        "application_received": _iso(determination.application_received),
        "priority": determination.priority,
        "patient": {"age": determination.patient_age, "sex": determination.patient_sex},
        "reviewer": {
            "role": reviewer.role if reviewer else None,
            "specialties": list(reviewer.specialties) if reviewer else [],
            "board_certified": reviewer.board_certified if reviewer else None,
            "licensure": list(reviewer.licensure) if reviewer else [],
        },
        "clinical_summary": determination.clinical_summary,
        "outcome": determination.outcome,
        "items": [item_as_dict(item) for item in determination.items.all()],
        "parse": _parse_of(determination),
    }


def _parse_of(determination: Determination) -> dict:
    """The parse's version and warnings: annotated by ``selectors.with_parse`` (two columns),
    else read from the letter."""
    if hasattr(determination, "parse_version"):
        version, warnings = determination.parse_version, determination.parse_warnings
    else:
        version, warnings = determination.letter.parser_version, determination.letter.warnings
    return {"parser_version": version, "warnings": list(warnings or [])}
