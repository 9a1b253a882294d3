"""The archive's dimensions: one declaration each, from which everything that lists them derives.

A dimension is a way analysts narrow and group disputed items (outcome, category, service, ...).
Its ``Dimension`` entry below is the only place it is listed: the browse filters
(``filters.ItemFilterSet``), the facet counts and their SQL (``facets``), the summary tables'
columns (``models.SummaryItem``, ``summaries.SUMMARY_FACETS``), the statistics tables
(``stats``), the API's parameters and OpenAPI schema (``api``), the browse page's facet lists and
the statistics page's tables are generated from ``DIMENSIONS``. A new dimension is its entry
here, a migration (the item column it reads, SummaryItem's column), the parser field if it is
new, and tests; ``tests/test_dimensions.py`` checks that every entry filters, facets, groups in
the statistics and appears in the API schema.

No Django imports beyond the vocabularies: ``models`` reads this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import guidelines
from .choices import (
    SUBCATEGORY_CHOICES,
    BodyRegion,
    Category,
    DecisionDays,
    GuidelineSource,
    ItemOutcome,
    LetterOutcomeValue,
    Modified,
    Priority,
    Reason,
)

BY_COUNT = "count"  # values listed most items first (ties by value)
BY_VALUE = "value"  # values listed by value: years newest first on facets, in order in tables


@dataclass(frozen=True)
class Dimension:
    """One dimension of the disputed items."""

    name: str  # the URL parameter; also the facet's and the summary column's name
    column: str  # the DisputedItem column filtered and counted (a copy kept by the services)
    label: str  # heading of its facet on the browse page, and of its chips
    help: str  # what a value means: the API's parameter description and docs/api.md
    choices: tuple[tuple[str, str], ...] | None = None  # a closed vocabulary; None: open
    value_labels: bool = False  # show the choices' labels instead of the stored values
    is_array: bool = False  # an item carries several values (an ``&&`` filter, unnested counts)
    integer: bool = False  # stored as a number (its values are compared as integers)
    max_length: int = 200  # open vocabularies: the longest value accepted
    pattern: str | None = None  # open vocabularies: the form a value must have
    value_form: str = ""  # open vocabularies: that form in words, for the 400 message
    value_label: Callable[[str], str] | None = None  # open vocabularies: how a value is shown
    order: str = BY_COUNT
    title: str = ""  # heading of its statistics table (default: ``label``)
    grouped: bool = True  # a table of the statistics page (any dimension can be asked for)
    group_limit: int | None = None  # statistics keep only the largest groups
    within: str | None = None  # its values repeat under another dimension's: group by the pair
    rate_note: str = ""  # how an overturn rate under one of its values reads, when it is odd

    def __post_init__(self):
        if not self.title:
            object.__setattr__(self, "title", self.label)

    @property
    def by_value(self) -> bool:
        return self.order == BY_VALUE

    @property
    def summary_group(self) -> str:
        """The summary facet its statistics groups read: itself, or ``<within>_<name>``."""
        return f"{self.within}_{self.name}" if self.within else self.name

    def label_for(self, value: str) -> str:
        """How a value is shown: its choice label where the labels differ from the values."""
        if self.value_labels and self.choices:
            return dict(self.choices).get(value, value)
        if self.value_label is not None:
            return self.value_label(value)
        return value


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension(
        "outcome",
        "outcome",
        "Outcome",
        "Item outcome.",
        choices=tuple(ItemOutcome.choices),
        value_labels=True,
        grouped=False,
    ),
    Dimension(
        "category",
        "category",
        "Category",
        "Category the archive's parser assigns from the request (contract 4.1).",
        choices=tuple(Category.choices),
    ),
    Dimension(
        "subcategory",
        "subcategory",
        "Subcategory",
        "Subcategory within its category (contract 4.1).",
        choices=tuple(SUBCATEGORY_CHOICES),
        within="category",  # subcategory names repeat across categories
    ),
    Dimension(
        "service",
        "service",
        "Service",
        "Canonical service or a drug's generic name, exactly.",
        group_limit=50,
    ),
    Dimension(
        "guideline_source",
        "guideline_sources",
        "Guideline source",
        "Source the reviewer cited.",
        choices=tuple(GuidelineSource.choices),
        is_array=True,
        grouped=False,
    ),
    Dimension(
        "guideline",
        "guideline_documents",
        "Reviewer's guideline",
        "Guideline document the reviewer cited, with its source, exactly: `ODG:Low Back` "
        "(shown as `ODG · Low Back`). A document alone (`Low Back`, links before parser 1.8) "
        "means it under every source.",
        is_array=True,
        max_length=guidelines.MAX_LENGTH,
        pattern=guidelines.PATTERN,
        value_form=guidelines.VALUE_FORM,
        value_label=guidelines.guideline_label,
        title="Guideline document (reviewer's)",
        group_limit=50,
    ),
    Dimension(
        "guideline_section",
        "guideline_sections",
        "Reviewer's guideline section",
        "Section of a guideline document the reviewer cited, with its document and source: "
        "`ODG:Low Back|MRIs` (shown as `ODG · Low Back · MRIs`): the `guideline` value, a "
        "vertical bar, the section in its one spelling (sentence case: `Physical therapy` "
        "for `Physical Therapy` too; a section's own bars written `/`). Only citations naming "
        "a section have one.",
        is_array=True,
        max_length=guidelines.SECTION_MAX_LENGTH,
        pattern=guidelines.SECTION_PATTERN,
        value_form=guidelines.SECTION_VALUE_FORM,
        value_label=guidelines.section_label,
        title="Guideline section (reviewer's)",
        group_limit=50,
    ),
    Dimension(
        "reason",
        "reason_codes",
        "Reason for the decision",
        "A decisive reason the reviewer gives in the item's rationale (definitions: "
        "docs/parsing.md); an item may have several or none.",
        choices=tuple(Reason.choices),
        value_labels=True,
        is_array=True,
        title="Reasons for the decision",
        rate_note="Each reason belongs to one outcome (a reason why a denial was upheld, or why "
        "it was overturned), so the overturn rate under a reason is 0% or 100% by definition: "
        "read how many items give it, and its share.",
    ),
    Dimension(
        "specialty",
        "specialties",
        "Reviewer specialty",
        "Reviewer specialty, exactly.",
        is_array=True,
    ),
    Dimension(
        "region",
        "body_regions",
        "Body region",
        "Body region named in the request.",
        choices=tuple(BodyRegion.choices),
        is_array=True,
    ),
    Dimension(
        "year",
        "decision_year",
        "Decision year",
        "Decision year, four digits.",
        integer=True,
        max_length=4,
        pattern=r"(19|20)[0-9][0-9]",
        order=BY_VALUE,
    ),
    Dimension(
        "priority",
        "priority",
        "Priority",
        "Review priority stated in the letter's header.",
        choices=tuple(Priority.choices),
        value_labels=True,
    ),
    Dimension(
        "letter_outcome",
        "letter_outcome",
        "Letter outcome",
        "Outcome of the item's whole letter: `partially_overturned` when some of its items "
        "were upheld and others overturned.",
        choices=tuple(LetterOutcomeValue.choices),
        value_labels=True,
    ),
    Dimension(
        "modified",
        "modified",
        "Modified request",
        "`true`: items whose request the claims administrator modified (the letter states an "
        "original request); the only value.",
        choices=tuple(Modified.choices),
        value_labels=True,
    ),
    Dimension(
        "licensure",
        "licensure",
        "Reviewer licensure",
        "A state the reviewer is licensed in, exactly (e.g. `California`).",
        is_array=True,
        max_length=60,
    ),
    Dimension(
        "decision_days",
        "decision_days",
        "Days to decision",
        "Days from the letter's date assigned to its decision date, in buckets: `0-7`, "
        "`8-14`, `15-30`, `31-45`, `46-90`, `over-90` (letters missing a date, or decided "
        "before their date assigned, have none).",
        choices=tuple(DecisionDays.choices),
        value_labels=True,
    ),
    Dimension(
        "injury_year",
        "injury_year",
        "Injury year",
        "Year of the letter's date of injury, four digits.",
        integer=True,
        max_length=4,
        pattern=r"(19|20)[0-9][0-9]",
        order=BY_VALUE,
    ),
)
BY_NAME: dict[str, Dimension] = {dimension.name: dimension for dimension in DIMENSIONS}
NAMES: tuple[str, ...] = tuple(BY_NAME)
PAIRS: tuple[Dimension, ...] = tuple(d for d in DIMENSIONS if d.within)  # grouped by pairs

assert all(d.within in BY_NAME for d in PAIRS), "a pair's parent must be a dimension"
