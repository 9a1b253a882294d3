"""The browse filters, shared by the browse page, statistics, exports, the API and feeds.

Every view of the archive takes the same GET parameters (repeat one for several values): ``q``
(restricted to some parts of the text by ``field``), the decision-date range ``decided_from`` /
``decided_to`` (ISO dates, inclusive; not a dimension: no facet of its own) and one per
dimension of ``dimensions.DIMENSIONS``, whose entries generate the filters below.
Within a parameter values combine with OR, across parameters with AND.
``ItemFilterSet.filter_queryset(qs, exclude={"category"})`` applies every filter but the named
ones: facet counts use it so that choosing a value does not hide its siblings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from functools import wraps
from urllib.parse import urlencode

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponsePermanentRedirect, QueryDict
from django_filters import fields as filter_fields

from imr_archive.db_router import read_connection

from . import guidelines
from .dimensions import DIMENSIONS, NAMES, Dimension
from .models import DisputedItem
from .search import search_filter
from .search_vector import FIELDS, SEARCH_PARTS

SEARCH_PARAMS = ("q", "field")  # the search and where it looks
RANGE_PARAMS = ("decided_from", "decided_to")  # the decision-date range; every other is a dimension
FILTER_PARAMS = (*SEARCH_PARAMS, *RANGE_PARAMS, *NAMES)
MAX_VALUES_PER_PARAM = 50
MAX_QUERY_LENGTH = 500
# Control characters have no business in a filter, and neither they nor the other characters
# XML 1.0 forbids (surrogates, U+FFFE, U+FFFF) can be written into XML (the feed).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def whole_number(text: str | None, low: int, high: int) -> int | None:
    """``text`` as a whole number from ``low`` to ``high``, else None. ASCII digits only:
    ``"\u00b2".isdigit()`` is true and ``int()`` refuses it, and ``int()`` reads Arabic-Indic
    or full-width digits that no link of the archive writes."""
    if text is None or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if low <= number <= high else None


class _AtMostValues:
    """At most ``MAX_VALUES_PER_PARAM`` values; the same value repeated counts each time (a link
    that repeats one value 10,000 times is a mistake or a probe, not a question)."""

    def validate(self, value):
        super().validate(value)
        if len(value) > MAX_VALUES_PER_PARAM:
            raise ValidationError(f"At most {MAX_VALUES_PER_PARAM} values are allowed.")


class ClosedMultipleChoiceField(_AtMostValues, filter_fields.MultipleChoiceField):
    """Several values from a closed vocabulary (outcomes, categories, regions...)."""


class OpenMultipleChoiceField(_AtMostValues, forms.MultipleChoiceField):
    """Several values from an open vocabulary (services, documents, specialties)."""

    def __init__(self, *args, max_length: int = 200, pattern: str | None = None, **kwargs):
        self.max_length = max_length
        self.pattern = re.compile(pattern) if pattern else None
        super().__init__(*args, **kwargs)

    def valid_value(self, value: str) -> bool:
        if not value or len(value) > self.max_length or "\x00" in value:
            return False
        return self.pattern is None or bool(self.pattern.fullmatch(value))


class ChoicesFilter(django_filters.MultipleChoiceFilter):
    """Several values of a closed vocabulary, at most ``MAX_VALUES_PER_PARAM``."""

    field_class = ClosedMultipleChoiceField


class InFilter(ChoicesFilter):
    """OR of several values of one column, as a single ``IN``."""

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__in": list(value)})


class OverlapFilter(ChoicesFilter):
    """OR of several values of an array column: the item has at least one of them."""

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__overlap": list(value)})


class OpenInFilter(InFilter):
    field_class = OpenMultipleChoiceField


class OpenOverlapFilter(OverlapFilter):
    field_class = OpenMultipleChoiceField


def dimension_filter(dimension: Dimension) -> django_filters.Filter:
    """The filter of one dimension: ``IN`` for a column, ``&&`` (overlap) for an array; a
    closed vocabulary checks its choices, an open one each value's length and form."""
    kwargs = {"field_name": dimension.column, "label": dimension.label}
    if dimension.choices is not None:
        kind = OverlapFilter if dimension.is_array else InFilter
        kwargs["choices"] = dimension.choices
        # Name the values it takes: "Select a valid choice" leaves a reader guessing.
        allowed = ", ".join(value for value, _ in dimension.choices[:12])
        more = ", ..." if len(dimension.choices) > 12 else ""
        message = f"'%(value)s' is not one of its values ({allowed}{more})."
        kwargs["error_messages"] = {"invalid_choice": message}
    else:
        kind = OpenOverlapFilter if dimension.is_array else OpenInFilter
        kwargs.update(max_length=dimension.max_length, pattern=dimension.pattern)
        if dimension.value_form:
            message = f"'%(value)s' is not {dimension.value_form}."
            kwargs["error_messages"] = {"invalid_choice": message}
    return kind(**kwargs)


class IsoDateField(forms.DateField):
    """One ISO date (``2017-01-31``), nothing else: a link means the same in every locale."""

    input_formats = ["%Y-%m-%d"]
    default_error_messages = {"invalid": "Enter a date as YYYY-MM-DD, e.g. 2017-01-31."}
    # strptime alone also takes "2017-2-15" and Arabic-Indic or full-width digits
    _FORM = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

    def to_python(self, value):
        if value not in self.empty_values and not self._FORM.fullmatch(str(value).strip()):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class IsoDateFilter(django_filters.DateFilter):
    field_class = IsoDateField


class ItemFilterForm(forms.Form):
    """The filters' form: a date range must not end before it starts."""

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("decided_from"), cleaned.get("decided_to")
        if start and end and start > end:
            self.add_error(
                "decided_to", f"{end.isoformat()} is before decided_from ({start.isoformat()})."
            )
        return cleaned


class _SearchFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_search",
        max_length=MAX_QUERY_LENGTH,
        label="Search",
        help_text='Words, "quoted phrases", OR, and -word to exclude.',
    )
    # Read by ``filter_search``; alone it filters nothing.
    field = ChoicesFilter(
        method="filter_nothing",
        choices=[(part.name, part.label) for part in SEARCH_PARTS],
        label="Search in",
        help_text="The parts of the text the search looks in (default: all).",
    )

    # Inclusive bounds on the item's decision date: a letter without one matches neither.
    decided_from = IsoDateFilter(
        field_name="decision_date",
        lookup_expr="gte",
        label="Decided from",
        help_text="Earliest decision date, inclusive (YYYY-MM-DD).",
    )
    decided_to = IsoDateFilter(
        field_name="decision_date",
        lookup_expr="lte",
        label="Decided to",
        help_text="Latest decision date, inclusive (YYYY-MM-DD).",
    )

    class Meta:
        model = DisputedItem
        fields: list[str] = []
        form = ItemFilterForm

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(settled_values(data), *args, **kwargs)

    def filter_search(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(search_filter(value, self.search_fields))

    def filter_nothing(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset, exclude: Iterable[str] = ()):
        """Apply every filter with a value, except those named in ``exclude``."""
        skipped = set(exclude)
        for name, value in self.form.cleaned_data.items():
            if name in skipped:
                continue
            queryset = self.filters[name].filter(queryset, value)
        return queryset

    @property
    def search_text(self) -> str:
        """The words searched for, stripped ('' without a search); the form must be valid."""
        return (self.form.cleaned_data.get("q") or "").strip()

    @property
    def search_fields(self) -> tuple[str, ...]:
        """The parts ``q`` looks in, in ``SEARCH_PARTS`` order; () for all of them."""
        chosen = set(self.form.cleaned_data.get("field") or ())
        return () if chosen >= set(FIELDS) else tuple(f for f in FIELDS if f in chosen)

    @property
    def date_range(self) -> tuple[date | None, date | None]:
        """``(decided_from, decided_to)``, each None when not given; the form must be valid."""
        data = self.form.cleaned_data
        return data.get("decided_from"), data.get("decided_to")

    @property
    def active(self) -> dict[str, list[str]]:
        """The filters in use, as lists of values (``q`` and dates as one-element lists, dates
        in ISO form; ``field`` only with a search, and not when it names every part)."""
        active = {}
        for name in FILTER_PARAMS:
            value = self.form.cleaned_data.get(name)
            if name == "field":
                value = self.search_fields if self.search_text else ()
            if isinstance(value, date):
                value = value.isoformat()
            if value:
                active[name] = [value] if isinstance(value, str) else list(value)
        return active


ItemFilterSet = type(_SearchFilterSet)(
    "ItemFilterSet",
    (_SearchFilterSet,),
    {
        "__module__": __name__,
        "__doc__": "The search and one filter per dimension (``dimension_filter``).",
        **{dimension.name: dimension_filter(dimension) for dimension in DIMENSIONS},
    },
)


def unknown_params(params: Iterable[str], *, extra: Iterable[str] = ()) -> list[str]:
    """Parameter names that no view of the archive understands (each reported once, in order)."""
    allowed = set(FILTER_PARAMS) | set(extra)
    return list(dict.fromkeys(name for name in params if name not in allowed))


def filter_errors(filterset: ItemFilterSet, *, extra: Iterable[str] = ()) -> list[str]:
    """Plain-language problems with the query string: unknown names, then invalid values."""
    errors = [
        f"Unknown parameter '{name}'. Allowed: {', '.join(FILTER_PARAMS + tuple(extra))}."
        for name in unknown_params(filterset.data.keys(), extra=extra)
    ]
    for name, values in filterset.data.lists():
        if any(CONTROL_CHARACTERS.search(value) for value in values):
            errors.append(f"Parameter '{name}' contains control characters.")
        elif name in RANGE_PARAMS and len(values) > 1:
            errors.append(f"Parameter '{name}': give one date, not {len(values)}.")
        elif name == "q" and len(values) > 1:  # the last one won, silently
            errors.append(f"Parameter 'q': give one search, not {len(values)} (OR joins words).")
    if errors:
        return errors
    if not filterset.is_valid():
        for name, messages in filterset.form.errors.items():
            for message in messages:
                errors.append(f"Parameter '{name}': {message}")
    return errors


def filter_query(active: dict[str, list[str]], *, replace: tuple[tuple[str, str], ...] = ()) -> str:
    """The active filters as a query string, with the parameters in ``replace`` set instead."""
    replaced = {name for name, _ in replace}
    pairs = list(replace) + [
        (name, value) for name, values in active.items() if name not in replaced for value in values
    ]
    return urlencode(pairs)


# --- Old spellings of guideline values (``guidelines``) -------------------------------------------

GUIDELINE = "guideline"
SECTION = "guideline_section"


def settled_values(data: QueryDict | None) -> QueryDict | None:
    """``data`` with the guideline values of old links in the form the items hold: a bare
    document with its sources (``sourced_guidelines``), a section in its one spelling
    (``canonical_sections``). ``data`` itself when nothing changes."""
    return canonical_sections(sourced_guidelines(data))


def canonical_sections(data: QueryDict | None) -> QueryDict | None:
    """``data`` with each ``guideline_section`` value's section in its one spelling
    (``guidelines.canonical_section``: ``ODG:Preface|Physical Therapy`` becomes ``...|Physical
    therapy``, links made before migration 0025), each once; ``data`` itself when none changes.
    A value of another form stays as it is, for the filter set to refuse."""
    if data is None or not hasattr(data, "getlist"):
        return data
    values = data.getlist(SECTION)
    if not values or len(values) > MAX_VALUES_PER_PARAM:
        return data
    return _with_values(data, SECTION, list(map(_canonical_section_value, values)))


def _with_values(data: QueryDict, name: str, values: list[str]) -> QueryDict:
    """``data`` with ``values`` (each once, in order) for parameter ``name``; ``data`` itself
    when they are the values it has."""
    values = list(dict.fromkeys(values))
    if values == data.getlist(name):
        return data
    rewritten = data.copy()
    rewritten.setlist(name, values)
    return rewritten


_SECTION_FORM = re.compile(guidelines.SECTION_PATTERN)


def _canonical_section_value(value: str) -> str:
    if len(value) > guidelines.SECTION_MAX_LENGTH or not _SECTION_FORM.fullmatch(value):
        return value
    return guidelines.respelled_section_value(value)


def sourced_guidelines(data: QueryDict | None) -> QueryDict | None:
    """``data`` with each bare guideline document (``guideline=Low Back``, the links made before
    the values carried their source) replaced by the sourced values the archive's public items
    hold (``ODG:Low Back``; several when several sources cite it), so that it means that document
    under every source; a document no item cites stays as it is (it matches nothing). ``data``
    itself when it has no bare document. One indexed query (the items' GIN index), only then.
    """
    if data is None or not hasattr(data, "getlist"):
        return data
    values = data.getlist(GUIDELINE)
    if len(values) > MAX_VALUES_PER_PARAM or not all(map(_well_formed, values)):
        return data  # the filter set reports what is wrong with them
    bare = [v for v in values if guidelines.split_value(v)[0] is None]
    if not bare:
        return data
    held = _sourced_values_held(bare)
    replaced: list[str] = []
    for value in values:
        if guidelines.split_value(value)[0] is None:
            replaced += [v for v in guidelines.values_for_document(value) if v in held] or [value]
        else:
            replaced.append(value)
    return _with_values(data, GUIDELINE, replaced)


_GUIDELINE_FORM = re.compile(guidelines.PATTERN)


def _well_formed(value: str) -> bool:
    return (
        len(value) <= guidelines.MAX_LENGTH
        and not CONTROL_CHARACTERS.search(value)
        and "\x00" not in value
        and bool(_GUIDELINE_FORM.fullmatch(value))
    )


def _sourced_values_held(documents: list[str]) -> set[str]:
    candidates = [v for document in documents for v in guidelines.values_for_document(document)]
    sql = (
        f"SELECT v FROM unnest(%s::varchar[]) AS v WHERE EXISTS (SELECT 1 FROM "  # noqa: S608
        f'"{DisputedItem._meta.db_table}" AS i WHERE i.guideline_documents @> ARRAY[v]::varchar[] '
        "AND NOT i.withdrawn)"
    )
    with read_connection().cursor() as cursor:
        cursor.execute(sql, [candidates])
        return {row[0] for row in cursor.fetchall()}


def with_settled_values(view):
    """Decorate an HTML view: a bare guideline document or a section in another spelling moves
    (301) to the same address with the values the items hold (``settled_values``), so that old
    links settle on one address whose chips and facets show the sources."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        settled = settled_values(request.GET)
        if settled is request.GET:
            return view(request, *args, **kwargs)
        query = urlencode(list(settled.lists()), doseq=True)
        return HttpResponsePermanentRedirect(f"{request.path}?{query}")

    return wrapper
