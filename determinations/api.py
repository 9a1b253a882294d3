"""Read-only JSON API: Django REST framework views over the browse page's own filters.

DRF gives content negotiation, cursor pagination and uniform errors; drf-spectacular describes
it as OpenAPI 3. Filtering goes through the same ``ItemFilterSet`` and ``filter_errors`` as the
pages, so every endpoint accepts exactly the browse page's parameters and rejects the rest with
``400 {"errors": [...]}``. Response bodies come from ``presenters`` (one shape everywhere); the
serializer classes below describe that shape for the schema, the item's made from
``presenters.ITEM_RECORD``, and the tests check real responses against it.
"""

from __future__ import annotations

import functools

from django.db.models import QuerySet
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import exceptions, generics, serializers
from rest_framework.filters import BaseFilterBackend
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from . import (
    check,
    compare,
    crosstab,
    facets,
    guideline_pages,
    keys,
    letters,
    plans,
    presenters,
    reports,
    selectors,
    stats,
    suggestions,
    timing,
)
from .choices import (
    LetterOutcome,
    Priority,
)
from .dimensions import DIMENSIONS, NAMES
from .filters import (
    MAX_VALUES_PER_PARAM,
    RANGE_PARAMS,
    ItemFilterSet,
    filter_errors,
    whole_number,
)
from .models import Determination, DisputedItem, PurgedLetter
from .paging import fenced_ids, walking, year_walks
from .search_vector import FIELDS, VECTOR_COLUMNS

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
LIST_PARAMS = ("cursor", "page_size")
FACET_LIMIT_MAX = 1000


# --- errors -----------------------------------------------------------------------------------


class BadParameters(exceptions.APIException):
    status_code = 400
    default_detail = "Bad query parameters."
    default_code = "bad_parameters"

    def __init__(self, errors: list[str]):
        super().__init__(detail=errors)


def _messages(detail) -> list[str]:
    if isinstance(detail, list):
        return [message for part in detail for message in _messages(part)]
    if isinstance(detail, dict):
        return [f"{key}: {message}" for key, part in detail.items() for message in _messages(part)]
    return [str(detail)]


def exception_handler(exc, context):
    """Every API error as ``{"errors": ["plain words", ...]}``, whatever raised it."""
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = {"errors": _messages(response.data)}
    return response


def validated_filters(request, *, extra=()) -> ItemFilterSet:
    """The request's browse filters, or a 400 naming every unknown or invalid parameter."""
    filterset = ItemFilterSet(request.query_params)
    errors = filter_errors(filterset, extra=extra)
    if errors:
        raise BadParameters(errors)
    return filterset


EXACT_PARAMETER = OpenApiParameter(
    "exact",
    bool,
    description="true: count every matching item, however many (slower); default false: a "
    "search or several filters with very many matches may be counted over a fixed sample "
    "and scaled up (figures marked 'estimated').",
)


def exact_requested(request) -> bool:
    """The ``exact`` parameter: true or false (default), anything else is a 400."""
    exact = request.query_params.get("exact", "false")
    if exact not in ("true", "false"):
        raise BadParameters(["Parameter 'exact': true or false."])
    return exact == "true"


def _reject_any_parameter(request) -> None:
    if request.query_params:
        names = ", ".join(dict.fromkeys(request.query_params.keys()))
        raise BadParameters([f"Unknown parameter(s) {names}: this endpoint takes none."])


# --- filtering and paging ---------------------------------------------------------------------


class BrowseFilterBackend(BaseFilterBackend):
    """The browse filters on items; a determination matches when one of its items matches."""

    def filter_queryset(self, request, queryset, view):
        filterset = validated_filters(request, extra=LIST_PARAMS)
        if queryset.model is DisputedItem:
            if "q" not in filterset.active:
                return selectors.within_the_ranges_year(
                    filterset, filterset.filter_queryset(queryset)
                )
            matching = filterset.filter_queryset(DisputedItem.objects.public())
            # A search with many hits walks the id index to the page's (the browse page's and the
            # feed's rule); one with few finds them all through the search index first.
            paginator = view.paginator
            size = paginator.get_page_size(request)
            walk = selectors.search_walks(filterset, matching, size=size)
            paginator.walks = walk
            years = selectors.years_of(filterset)
            if walk and len(years) < 2:
                return filterset.filter_queryset(queryset)
            # Otherwise the page's rows are found first, past the cursor's position: each year's
            # walk (several years), or the fence's first hits. The fence's every hit, joined to
            # the id index, walked that index back to the oldest of them (2.2 M rows, 2.3 s, for
            # a half-year of 2019 at 2 M letters).
            matching, order, limit = paginator.window(request, matching, size=size)
            if walk:
                ids = year_walks(matching, years, year="decision_year", order=order, limit=limit)
            else:
                ids = fenced_ids(matching, order=order, limit=limit)
            return queryset.filter(pk__in=ids)
        if not filterset.active:
            return queryset
        matching = filterset.filter_queryset(DisputedItem.objects.public()).order_by()
        # A semi-join (IN) returns each letter once however many of its items match.
        letters = queryset.filter(pk__in=matching.values("determination_id"))
        return selectors.letters_of_the_years(filterset, letters)

    def get_schema_operation_parameters(self, view):
        return []  # declared once in FILTER_PARAMETERS, shared with non-list views


BAD_CURSOR = "Parameter 'cursor': not a cursor this API gave out (use the 'next' link)."


class NewestFirstCursorPagination(CursorPagination):
    """Cursor pages by descending id (most recently stored first): constant time at any depth.

    ``id`` is unique and never null, so the cursor never skips or repeats a row; the decision
    date is not (many items share one, and undated letters exist).
    """

    ordering = "-id"
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        size = whole_number(raw, 1, self.max_page_size)
        if size is None:
            raise BadParameters(
                [f"Parameter 'page_size': a whole number from 1 to {self.max_page_size}."]
            )
        return size

    def decode_cursor(self, request):
        """DRF's, and its position must be an id as this API writes them (DRF takes any text,
        and the query then fails on "p=x"; "p=-1" would answer an empty page)."""
        cursor = super().decode_cursor(request)
        position = cursor.position if cursor is not None else None
        if position is not None and whole_number(position, 1, 2**63 - 1) is None:
            raise exceptions.NotFound(self.invalid_cursor_message)
        return cursor

    def window(self, request, queryset: QuerySet, *, size: int):
        """``queryset`` past the request's cursor, the order its page is read in, and how many
        rows that read takes (``paginate_queryset`` reads them again from the rows found): the
        page's rows can then be found before the page is read. A bad cursor is a 400."""
        try:
            cursor = self.decode_cursor(request)
        except exceptions.NotFound as exc:  # DRF's answer to a cursor it cannot decode
            raise BadParameters([BAD_CURSOR]) from exc
        if cursor is None:
            return queryset, ("-id",), size + 1
        if cursor.position is not None:
            beyond = "id__gt" if cursor.reverse else "id__lt"
            queryset = queryset.filter(**{beyond: int(cursor.position)})
        return queryset, ("id",) if cursor.reverse else ("-id",), cursor.offset + size + 1

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound as exc:
            raise BadParameters([BAD_CURSOR]) from exc


class ItemCursorPagination(NewestFirstCursorPagination):
    """Items' cursor pages; the first page of a search with fewer than ``FEW_HITS`` items also
    says ``suggestions``: the search with a misspelt word replaced (``suggestions`` module)."""

    walks = False  # set by BrowseFilterBackend for a search whose hits are dense

    def paginate_queryset(self, queryset, request, view=None):
        self.search = (request.query_params.get("q") or "").strip()
        with walking(self.walks):
            return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        if self.search and self.cursor is None and not self.has_next:
            found = suggestions.suggestions_if_few(self.search, len(data))
            response.data["suggestions"] = [
                {"word": s.word, "replacement": s.replacement, "q": s.q} for s in found
            ]
        return response

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        described["properties"]["suggestions"] = {
            "type": "array",
            "description": "Only on the first page of a search (q) with fewer than "
            f"{suggestions.FEW_HITS} items: the search with one word replaced by a similar "
            "word of the archive's vocabulary, best first (may be empty).",
            "items": {
                "type": "object",
                "properties": {
                    "word": {"type": "string"},
                    "replacement": {"type": "string"},
                    "q": {"type": "string"},
                },
                "required": ["word", "replacement", "q"],
            },
        }
        return described


def _filter_parameter(dimension) -> OpenApiParameter:
    """A dimension's query parameter, described from its registry entry."""
    return OpenApiParameter(
        dimension.name,
        str,
        OpenApiParameter.QUERY,
        description=f"{dimension.help} Repeat for several values (OR); at most "
        f"{MAX_VALUES_PER_PARAM}. Different parameters combine with AND.",
        enum=[value for value, _ in dimension.choices] if dimension.choices else None,
        many=True,
        explode=True,
        pattern=f"^{dimension.pattern}$" if dimension.pattern else None,
    )


FILTER_PARAMETERS = [
    OpenApiParameter(
        "q",
        str,
        OpenApiParameter.QUERY,
        description='Full-text search: words, "quoted phrases", OR, and -word to exclude; '
        "the field's abbreviations and synonyms are expanded (docs/search.md).",
    ),
    OpenApiParameter(
        "field",
        str,
        OpenApiParameter.QUERY,
        description="The parts of an item that `q` searches (default: all). Repeat for several.",
        enum=list(FIELDS),
        many=True,
        explode=True,
    ),
    *(
        OpenApiParameter(
            name,
            OpenApiTypes.DATE,
            OpenApiParameter.QUERY,
            description=f"{ItemFilterSet.base_filters[name].extra['help_text']} Items of letters "
            "without a decision date never match a bound; a range that ends before it starts "
            "is a 400.",
        )
        for name in RANGE_PARAMS
    ),
    *(_filter_parameter(dimension) for dimension in DIMENSIONS),
]


class ErrorsSerializer(serializers.Serializer):
    errors = serializers.ListField(child=serializers.CharField(), help_text="In plain words.")


ERRORS = OpenApiResponse(
    response=ErrorsSerializer,
    description='Unknown or invalid parameters, each named: {"errors": ["Parameter ...: ..."]}.',
)


# --- shapes (for the schema; bodies come from presenters) --------------------------------------


def _schema_value(field: presenters.Field, **options) -> serializers.Field:
    if field.kind == presenters.URL:
        return serializers.URLField(**options)
    if field.kind == presenters.DATE:
        return serializers.DateField(**options)
    if field.kind == presenters.NUMBER:
        return serializers.IntegerField(**options)
    if field.choices:
        return serializers.ChoiceField(choices=field.choices, **options)
    return serializers.CharField(**options)


def _schema_field(field: presenters.Field) -> serializers.Field:
    """How the schema describes one ``presenters`` field."""
    help_text = field.help or None
    if field.kind == presenters.BASIS:
        return BasisSerializer(help_text=help_text)
    if field.kind == presenters.REASONS:
        return ReasonSerializer(many=True, help_text=help_text)
    if field.many:
        return serializers.ListField(child=_schema_value(field), help_text=help_text)
    return _schema_value(field, allow_null=field.null, help_text=help_text)


def _schema_fields(fields: tuple[presenters.Field, ...]) -> dict[str, serializers.Field]:
    return {field.name: _schema_field(field) for field in fields}


CitationSerializer = type(
    "CitationSerializer",
    (serializers.Serializer,),
    {"__module__": __name__, **_schema_fields(presenters.CITATION_FIELDS)},
)


class BasisSerializer(serializers.Serializer):
    basis = serializers.CharField(allow_blank=True)
    citations = CitationSerializer(many=True)


ReasonSerializer = type(
    "ReasonSerializer",
    (serializers.Serializer,),
    {"__module__": __name__, **_schema_fields(presenters.REASON_FIELDS)},
)


ContractItemSerializer = type(
    "ContractItemSerializer",
    (serializers.Serializer,),
    {"__module__": __name__, **_schema_fields(presenters.ITEM_FIELDS)},
)


def _item_representation(self, instance):
    base = self.context["request"].build_absolute_uri("/").rstrip("/")
    url = presenters.item_url(base, self.context["prefix"], instance)
    return presenters.item_record(instance, url=url)


ItemSerializer = type(
    "ItemSerializer",
    (ContractItemSerializer,),
    {
        "__module__": __name__,
        "__doc__": "A disputed item with its letter's facts: one line of the JSONL export.",
        **_schema_fields(presenters.ITEM_LETTER_FIELDS + presenters.ITEM_FACET_FIELDS),
        "to_representation": _item_representation,
    },
)


class PatientSerializer(serializers.Serializer):
    age = serializers.IntegerField(allow_null=True)
    sex = serializers.CharField(allow_null=True)


class ReviewerSerializer(serializers.Serializer):
    role = serializers.CharField(allow_null=True)
    specialties = serializers.ListField(child=serializers.CharField())
    board_certified = serializers.BooleanField(allow_null=True)
    licensure = serializers.ListField(child=serializers.CharField())


class ParseSerializer(serializers.Serializer):
    parser_version = serializers.CharField()
    warnings = serializers.ListField(child=serializers.CharField())


class DeterminationSerializer(serializers.Serializer):
    """A whole letter: its facts, reviewer profile, and every item with its citations."""

    key = serializers.CharField()
    url = serializers.URLField()
    case_number = serializers.CharField(allow_null=True)
    date_assigned = serializers.DateField(allow_null=True)
    date_of_injury = serializers.DateField(allow_null=True)
    decision_date = serializers.DateField(allow_null=True)
    ur_denial_date = serializers.DateField(allow_null=True)
    application_received = serializers.DateField(allow_null=True)
    priority = serializers.ChoiceField(choices=Priority.choices, allow_null=True)
    patient = PatientSerializer()
    reviewer = ReviewerSerializer()
    clinical_summary = serializers.CharField(allow_blank=True)
    outcome = serializers.ChoiceField(choices=LetterOutcome.choices, allow_null=True)
    items = ContractItemSerializer(many=True)
    parse = ParseSerializer(
        help_text="The archive's parse of the letter: its parser version and the warnings it "
        "gave (parts it did not understand); categories, services, body regions and "
        "quantities are assigned by this parser."
    )

    def to_representation(self, instance):
        url = self.context["request"].build_absolute_uri(instance.get_absolute_url())
        return presenters.determination_as_dict(instance, url=url)


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    selected = serializers.BooleanField()
    estimated = serializers.BooleanField(
        help_text="The count is scaled up from a fixed sample of the items (too many to count "
        "within the request's budget); ask with exact=true for exact counts."
    )
    interval = serializers.ListField(
        child=serializers.IntegerField(),
        allow_null=True,
        help_text="Estimated counts only: the count's 95% interval [low, high] (null when "
        "exact). It assumes the value's items spread over letters as all matching items do.",
    )


class FacetsSerializer(serializers.Serializer):
    filters = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    facets = serializers.DictField(child=FacetValueSerializer(many=True))


class RateSerializer(serializers.Serializer):
    items = serializers.IntegerField()
    overturned = serializers.IntegerField()
    upheld = serializers.IntegerField()
    overturn_rate = serializers.FloatField(allow_null=True, help_text="overturned / items")
    interval_low = serializers.FloatField(help_text="95% Wilson score interval, lower bound.")
    interval_high = serializers.FloatField(help_text="95% Wilson score interval, upper bound.")
    items_interval = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Estimated totals only: the 95% interval of the item count [low, high] "
        "(Horvitz-Thompson over the sampled letters; see docs/api.md).",
    )
    estimated = serializers.BooleanField(
        help_text="Counted over a fixed sample of the letters and scaled up (a search with too "
        "many hits to count within the request's budget); the interval is the sample's. Ask "
        "with exact=true for exact figures."
    )


class GroupSerializer(RateSerializer):
    value = serializers.JSONField(help_text="The group's value (a year is a number).")
    label = serializers.CharField()
    filters = serializers.DictField(
        child=serializers.CharField(), help_text="Browse parameters selecting this group."
    )


class DimensionSerializer(serializers.Serializer):
    title = serializers.CharField()
    parameter = serializers.CharField()
    truncated = serializers.BooleanField(help_text="True when only the largest groups are shown.")
    groups = GroupSerializer(many=True)


class LettersSerializer(serializers.Serializer):
    letters = serializers.IntegerField(help_text="Letters with at least one matching item.")
    upheld = serializers.IntegerField()
    overturned = serializers.IntegerField()
    partially_overturned = serializers.IntegerField()
    matching_items = serializers.IntegerField()
    items_per_letter = serializers.FloatField(allow_null=True)
    estimated = serializers.BooleanField(help_text="Scaled up from a sample, as for the rates.")


class StatsSerializer(serializers.Serializer):
    filters = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    items = RateSerializer()
    letters = LettersSerializer()
    groups = serializers.DictField(child=DimensionSerializer())


class CellSerializer(GroupSerializer):
    period = serializers.CharField(
        allow_null=True,
        help_text="The decision year (2017), quarter (2017-Q3) or month (2017-07); null "
        "without 'over'.",
    )
    share = serializers.FloatField(
        allow_null=True,
        help_text="The cell's items / all matching items of its period (without 'over': of "
        "all matching items). Array dimensions count an item once per value, so a period's "
        "shares may add up to more than 1.",
    )


class PeriodSerializer(RateSerializer):
    period = serializers.CharField(help_text="The period: all matching items decided in it.")


class CrossTabSerializer(serializers.Serializer):
    filters = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    by = serializers.CharField(help_text="The dimension crossed (the 'by' parameter).")
    over = serializers.CharField(allow_null=True, help_text="year, quarter, month or null.")
    measure = serializers.CharField(help_text="rate or share: what the page's chart draws.")
    items = RateSerializer(help_text="Every matching item, with or without a decision date.")
    undated_items = serializers.IntegerField(
        help_text="Matching items without a decision date: in no period (0 without 'over')."
    )
    truncated = serializers.BooleanField(
        help_text="True when only the dimension's largest values are given (service, guideline)."
    )
    estimated = serializers.BooleanField(help_text="Counted over a fixed sample and scaled up.")
    periods = PeriodSerializer(many=True)
    cells = CellSerializer(many=True, help_text="By period, then largest values first.")


class CompareBasisSerializer(serializers.Serializer):
    known = serializers.IntegerField(
        help_text="Letters whose days on this basis are known (both dates, in order)."
    )
    median_days = serializers.IntegerField(
        allow_null=True,
        help_text="Median days to decision, nearest rank (366: more than 365; null: none known).",
    )


class CompareTimingSerializer(serializers.Serializer):
    letters = serializers.IntegerField(help_text="Letters with at least one matching item.")
    estimated = serializers.BooleanField(help_text="Counted over a fixed sample, scaled up.")
    assigned = CompareBasisSerializer(help_text="Days from date assigned to the decision.")
    received = CompareBasisSerializer(help_text="Days from application received to the decision.")


class CompareGroupSerializer(RateSerializer):
    side = serializers.CharField(help_text="a or b.")
    filters = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="The side's browse filters, as read from its query.",
    )
    query = serializers.CharField(
        allow_blank=True, help_text="The side's browse query (empty: all items)."
    )
    label = serializers.CharField()
    letters = serializers.IntegerField(help_text="Letters with at least one matching item.")
    time_to_decision = CompareTimingSerializer(
        help_text="The matching letters' time to decision (docs/api.md, Time to decision)."
    )


class DifferenceSerializer(serializers.Serializer):
    rate_difference = serializers.FloatField(
        allow_null=True, help_text="a's overturn rate - b's (null when a side has no items)."
    )
    interval_low = serializers.FloatField(
        allow_null=True, help_text="95% interval, Newcombe's hybrid score method: lower bound."
    )
    interval_high = serializers.FloatField(allow_null=True, help_text="Upper bound.")
    method = serializers.CharField()
    estimated = serializers.BooleanField(help_text="A side was counted over a fixed sample.")


class ComparisonSerializer(serializers.Serializer):
    a = CompareGroupSerializer()
    b = CompareGroupSerializer()
    difference = DifferenceSerializer()


COMPARE_PARAMETERS = [
    OpenApiParameter(
        side,
        str,
        required=True,
        description=f"Group {side.upper()}: a browse query, URL-encoded as one value (e.g. "
        "service%3Doxycodone%26year%3D2017), with the browse filters only; empty for all items.",
    )
    for side in compare.SIDES
]


CROSSTAB_PARAMETERS = [
    OpenApiParameter(
        "by",
        str,
        enum=list(NAMES),
        description="A cross-tab: this dimension's cells (per period with 'over') instead of "
        "the statistics tables.",
    ),
    OpenApiParameter(
        "over",
        str,
        enum=list(crosstab.OVER),
        description="With 'by': the cells per decision year, quarter (2017-Q3) or month "
        "(2017-07); items without a decision date are in no period ('undated_items').",
    ),
    OpenApiParameter(
        "measure",
        str,
        enum=list(crosstab.MEASURES),
        description="With 'by': what the page's chart draws (rate, default, or share); the "
        "JSON holds both.",
    ),
]


# --- views --------------------------------------------------------------------------------------


@extend_schema(parameters=FILTER_PARAMETERS, responses={200: ItemSerializer, 400: ERRORS})
class ItemList(generics.ListAPIView):
    """Disputed items matching the browse filters, most recently stored first."""

    serializer_class = ItemSerializer
    filter_backends = [BrowseFilterBackend]
    pagination_class = ItemCursorPagination

    def get_queryset(self) -> QuerySet[DisputedItem]:
        return (
            DisputedItem.objects.public()
            .select_related("determination")
            .defer(*VECTOR_COLUMNS, "determination__clinical_summary")
            .annotate(citation_rows=selectors.citation_rows())
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "prefix": presenters.permalink_prefix()}


def _determinations() -> QuerySet[Determination]:
    return selectors.with_parse(
        Determination.objects.public().select_related("reviewer")
    ).prefetch_related(selectors.items_prefetch())


@extend_schema(parameters=FILTER_PARAMETERS, responses={200: DeterminationSerializer, 400: ERRORS})
class DeterminationList(generics.ListAPIView):
    """Letters with at least one item matching the browse filters (each letter once)."""

    serializer_class = DeterminationSerializer
    filter_backends = [BrowseFilterBackend]
    pagination_class = NewestFirstCursorPagination

    def get_queryset(self) -> QuerySet[Determination]:
        return _determinations()


class Withdrawn(exceptions.APIException):
    status_code = 410
    default_code = "withdrawn"


@extend_schema(
    responses={
        200: DeterminationSerializer,
        400: ERRORS,
        404: OpenApiResponse(ErrorsSerializer, description="No determination has this key."),
        410: OpenApiResponse(
            ErrorsSerializer, description="Withdrawn or removed: a short notice only."
        ),
    }
)
class DeterminationDetail(generics.RetrieveAPIView):
    """One letter with its reviewer profile, items and citations, in two queries."""

    serializer_class = DeterminationSerializer
    filter_backends = []
    queryset = Determination.objects.none()  # the lookup goes through selectors

    def get_object(self) -> Determination:
        _reject_any_parameter(self.request)
        key = self.kwargs["key"]
        determination = selectors.determination_get(key=key)
        if determination is None:
            if (canonical := keys.canonical_key(key)) != key:
                # ``cm17-0010420``: one key, one address, as the permalink's
                raise _Moved(reverse("api:determination", args=[canonical]))
            if PurgedLetter.objects.filter(key=key).exists():
                raise Withdrawn(f"Determination '{key}' was removed from the archive.")
            raise exceptions.NotFound(f"No determination with key '{key}'.")
        if determination.is_withdrawn:
            notice = f"Determination '{key}' has been withdrawn."
            if determination.withdrawn_reason:
                notice += f" {determination.withdrawn_reason}"
            raise Withdrawn(notice)
        return determination

    def handle_exception(self, exc):
        if isinstance(exc, _Moved):
            return HttpResponsePermanentRedirect(exc.target)
        if isinstance(exc, Http404):
            exc = exceptions.NotFound(str(exc))
        return super().handle_exception(exc)


def no_such_endpoint(request, *args, **kwargs) -> JsonResponse:
    """A path under /api/ that names no endpoint: the API's JSON 404."""
    message = f"No API endpoint at {request.path}: /api/ lists them."
    return JsonResponse({"errors": [message]}, status=404)


class _Moved(Exception):
    """The determination is at another address (its canonical key): a 301 there."""

    def __init__(self, target: str):
        super().__init__(target)
        self.target = target


@extend_schema(
    parameters=[
        *FILTER_PARAMETERS,
        OpenApiParameter(
            "limit",
            int,
            description=f"Keep the N largest values of each facet (1-{FACET_LIMIT_MAX}); "
            "selected values are always kept. Default: all values.",
        ),
        EXACT_PARAMETER,
    ],
    responses={200: FacetsSerializer, 400: ERRORS},
)
class FacetCounts(APIView):
    """The browse page's facet counts: matching items per value, each facet counted with every
    filter but its own."""

    def get(self, request):
        filterset = validated_filters(request, extra=("limit", "exact"))
        exact = exact_requested(request)
        raw = request.query_params.get("limit")
        limit = None
        if raw is not None:
            limit = whole_number(raw, 1, FACET_LIMIT_MAX)
            if limit is None:
                raise BadParameters(
                    [f"Parameter 'limit': a whole number from 1 to {FACET_LIMIT_MAX}."]
                )
        plan = plans.plan_for(filterset, estimates=not exact)
        counts = facets.facet_counts(filterset, limit=limit, plan=plan)
        return Response(
            {
                "filters": filterset.active,
                "facets": {
                    name: [
                        {
                            "value": value.value,
                            "label": value.label,
                            "count": value.count,
                            "selected": value.selected,
                            "estimated": value.estimated,
                            "interval": list(value.interval) if value.interval else None,
                        }
                        for value in values
                    ]
                    for name, values in counts.items()
                },
            }
        )


@extend_schema(
    parameters=[*FILTER_PARAMETERS, EXACT_PARAMETER, *CROSSTAB_PARAMETERS],
    responses={
        200: PolymorphicProxySerializer(
            component_name="StatsOrCrossTab",
            serializers=[StatsSerializer, CrossTabSerializer],
            resource_type_field_name=None,
        ),
        400: ERRORS,
    },
)
class Statistics(APIView):
    """Items, overturned items, overturn rate and 95% Wilson interval, overall and grouped by
    category, subcategory, service, guideline document, specialty, body region, year,
    priority, letter outcome, modified request and reviewer licensure; and matching letters by
    outcome. With 'by' (and 'over'), the cross-tab of that dimension over time instead: per
    cell the items, overturned, rate, interval and share of the period's items."""

    def get(self, request):
        filterset = ItemFilterSet(request.query_params)
        query, errors = crosstab.query_from(request.query_params)
        errors = filter_errors(filterset, extra=("exact", *crosstab.PARAMS)) + errors
        if errors:
            raise BadParameters(errors)
        plan = plans.plan_for(filterset, estimates=not exact_requested(request))
        if query.by is not None:
            table = crosstab.crosstab(filterset, query, plan=plan)
            return Response(
                {"filters": filterset.active, "measure": query.measure, **table.as_dict()}
            )
        result = stats.statistics(filterset, plan=plan)
        return Response({"filters": filterset.active, **result.as_dict()})


@extend_schema(
    parameters=[*COMPARE_PARAMETERS, EXACT_PARAMETER],
    responses={200: ComparisonSerializer, 400: ERRORS},
)
class Compare(APIView):
    """Two groups, each a browse query: their items, overturned items, overturn rate with its
    95% Wilson interval, letters and their median days to decision (from date assigned and from
    application received), and the difference of the rates (a - b) with its 95%
    interval by Newcombe's hybrid score method (which assumes independent groups)."""

    def get(self, request):
        filtersets, errors = compare.filtersets_from(request.query_params, extra=("exact",))
        if errors:
            raise BadParameters(errors)
        comparison = compare.compare(filtersets, estimates=not exact_requested(request))
        return Response(comparison.as_dict())


LETTER_TABLE_PARAMETERS = [
    OpenApiParameter(
        "by",
        str,
        enum=list(NAMES),
        description="Rows per value of this dimension: a letter under each value its matching "
        "items carry.",
    ),
    OpenApiParameter(
        "over",
        str,
        enum=list(crosstab.OVER),
        description="Rows per decision year, quarter (2017-Q3) or month (2017-07) of the "
        "letter; letters without a decision date are in no period ('undated_letters').",
    ),
]


class LetterTableSerializer(serializers.Serializer):
    filters = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    by = serializers.CharField(allow_null=True, help_text="The 'by' dimension, or null.")
    over = serializers.CharField(allow_null=True, help_text="year, quarter, month or null.")
    letters = serializers.DictField(help_text="The figures of every matching letter.")
    undated_letters = serializers.IntegerField(
        help_text="Matching letters without a decision date (0 without 'over')."
    )
    truncated = serializers.BooleanField(help_text="Only the dimension's largest values.")
    estimated = serializers.BooleanField(help_text="Counted over a fixed sample and scaled up.")
    rows = serializers.ListField(
        child=serializers.DictField(),
        help_text="By period, then value (largest first): period, value, label, filters and "
        "the figures, as in 'letters'.",
    )


def _letter_table_request(request):
    """The filters, ``by`` and ``over`` of a letter-level table, and its count plan."""
    filterset = ItemFilterSet(request.query_params)
    chosen, errors = crosstab.given_once(request.query_params, ("by", "over"))
    by, over = chosen.get("by"), chosen.get("over")
    errors = filter_errors(filterset, extra=("exact", "by", "over")) + errors
    errors += crosstab.period_errors(by, over)
    if errors:
        raise BadParameters(errors)
    plan = plans.plan_for(filterset, estimates=not exact_requested(request))
    return filterset, by, over, plan


@extend_schema(
    parameters=[*FILTER_PARAMETERS, EXACT_PARAMETER, *LETTER_TABLE_PARAMETERS],
    responses={200: LetterTableSerializer, 400: ERRORS},
)
class DecisionDays(APIView):
    """Time to decision of the matching letters: days from date assigned and from application
    received to the decision date; letters known, median and 90th percentile (nearest rank),
    shares over the 30-day (standard) and 3-day (expedited) limits, and a histogram; by
    period and/or dimension. Definitions: docs/api.md, "Time to decision"."""

    def get(self, request):
        filterset, by, over, plan = _letter_table_request(request)
        table = timing.table(filterset, by, over, plan=plan)
        return Response({"filters": filterset.active, **table.as_dict()})


@extend_schema(
    parameters=[*FILTER_PARAMETERS, EXACT_PARAMETER, *LETTER_TABLE_PARAMETERS],
    responses={200: LetterTableSerializer, 400: ERRORS},
)
class LetterOutcomes(APIView):
    """Matching letters fully upheld, fully overturned and partially overturned, with their
    shares, by period and/or dimension. Definitions: docs/api.md, "Letter outcomes"."""

    def get(self, request):
        filterset, by, over, plan = _letter_table_request(request)
        table = letters.outcomes(filterset, by, over, plan=plan)
        return Response({"filters": filterset.active, **table.as_dict()})


@extend_schema(
    parameters=[
        OpenApiParameter(
            "year", int, OpenApiParameter.PATH, description="Decision year, four digits."
        )
    ],
    responses={
        200: OpenApiResponse(
            OpenApiTypes.OBJECT,
            description="The year's tables: each with its title, what it counts, its browse, "
            "statistics and CSV addresses, its items and its rows (docs/api.md, Year report).",
        ),
        400: ERRORS,
        404: OpenApiResponse(
            ErrorsSerializer, description="The archive holds no letter decided that year."
        ),
    },
)
class YearReport(APIView):
    """The year report of one decision year: the Division's annual tables (shares by category,
    subcategory and drug class; overturn rate overall and by category; decisions per letter;
    letters fully upheld, fully and partially overturned; time to decision by month; outcomes by
    reviewer specialty and guideline source), over the letters the archive holds."""

    def get(self, request, year: int):
        _reject_any_parameter(request)
        report = reports.year_report(year)
        if report is None:
            raise exceptions.NotFound(f"The archive holds no letter decided in {year}.")
        return Response(report.as_dict())


GUIDELINE_PARTS = [
    OpenApiParameter(
        name,
        str,
        OpenApiParameter.PATH,
        description=f"The cited {name} as the reviewer's citation spells it, percent-encoded; a "
        "slash written ~2F and a tilde ~7E.",
    )
    for name in ("source", "document", "section")
]
GUIDELINE_RESPONSES = {
    200: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="One document's or section's figures: items, rate per decision year, "
        "specialties, reasons, sections, quoted passages (docs/api.md, Guidelines).",
    ),
    400: ERRORS,
    404: OpenApiResponse(ErrorsSerializer, description="No reviewer cites it."),
}


class GuidelineList(APIView):
    """Every guideline source, document and section the reviewers cite, with counts and overturn
    rates: the summaries' totals (over a fixed sample while they are stale on a large archive,
    ``sections_sample_every``)."""

    @extend_schema(
        operation_id="guidelines_list",
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="Every cited source, document and section with its items, "
                "overturned items, overturn rate and 95% interval (docs/api.md, Guidelines).",
            ),
            400: ERRORS,
        },
    )
    def get(self, request):
        _reject_any_parameter(request)
        return Response(guideline_pages.guideline_list().as_dict())


def guideline_found(source: str, document: str, section: str | None):
    """The cited guideline of a path, or the API's 400 (text no citation holds) or 404."""
    try:
        guideline = guideline_pages.guideline_from(source, document, section)
    except guideline_pages.BadGuideline as exc:
        raise BadParameters([str(exc)]) from exc
    except LookupError as exc:
        raise exceptions.NotFound(str(exc)) from exc
    if not guideline_pages.is_cited(guideline):
        raise exceptions.NotFound(f"No reviewer in the archive cites {guideline.label}.")
    return guideline


def _guideline_response(request, source: str, document: str, section: str | None):
    _reject_any_parameter(request)
    guideline = guideline_found(source, document, section)
    return Response(guideline_pages.page(guideline).as_dict())


class GuidelinePage(APIView):
    """One cited guideline document: the figures of its page."""

    @extend_schema(
        operation_id="guideline_retrieve",
        parameters=GUIDELINE_PARTS[:2],
        responses=GUIDELINE_RESPONSES,
    )
    def get(self, request, source: str, document: str):
        return _guideline_response(request, source, document, None)


class GuidelineSectionPage(APIView):
    """One section of a cited guideline document: the figures of its page."""

    @extend_schema(
        operation_id="guideline_section_retrieve",
        parameters=GUIDELINE_PARTS,
        responses=GUIDELINE_RESPONSES,
    )
    def get(self, request, source: str, document: str, section: str):
        return _guideline_response(request, source, document, section)


# --- the human-readable description ----------------------------------------------------------


@functools.cache
def openapi_document() -> dict:
    """The OpenAPI document, generated once per process (it only changes with the code)."""
    return SchemaGenerator().get_schema(request=None, public=True)


def _type(schema: dict, components: dict) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "allOf" in schema:
        return " & ".join(_type(part, components) for part in schema["allOf"])
    if "oneOf" in schema:
        return " or ".join(_type(part, components) for part in schema["oneOf"])
    kind = schema.get("type", "any")
    if kind == "array":
        kind = f"list of {_type(schema.get('items', {}), components)}"
    elif kind == "object" and "additionalProperties" in schema:
        extra = schema["additionalProperties"]
        kind = f"map of {_type(extra, components) if isinstance(extra, dict) else 'any'}"
    if schema.get("format"):
        kind += f" ({schema['format']})"
    if schema.get("nullable"):
        kind += ", or null"
    return kind


def _enum(schema: dict) -> list:
    return schema.get("enum") or schema.get("items", {}).get("enum") or []


def document_outline(document: dict) -> dict:
    """The OpenAPI document reduced to what a reader scans: operations, parameters, shapes."""
    components = document.get("components", {}).get("schemas", {})
    operations = []
    for path, methods in document.get("paths", {}).items():
        for method, operation in methods.items():
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "id": operation.get("operationId", ""),
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "where": p["in"],
                            "required": p.get("required", False),
                            "type": _type(p.get("schema", {}), components),
                            "enum": _enum(p.get("schema", {})),
                            "description": p.get("description", ""),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "responses": [
                        {
                            "code": code,
                            "description": response.get("description", ""),
                            "type": _type(
                                response.get("content", {})
                                .get("application/json", {})
                                .get("schema", {}),
                                components,
                            )
                            if response.get("content")
                            else "",
                        }
                        for code, response in operation.get("responses", {}).items()
                    ],
                }
            )
    shapes = [
        {
            "name": name,
            "description": schema.get("description", ""),
            "fields": [
                {
                    "name": field,
                    "type": _type(spec, components),
                    "enum": _enum(spec),
                    "description": spec.get("description", ""),
                }
                for field, spec in schema.get("properties", {}).items()
            ],
            "enum": schema.get("enum", []),
        }
        for name, schema in components.items()
    ]
    return {"info": document.get("info", {}), "operations": operations, "shapes": shapes}


@extend_schema(
    parameters=[
        OpenApiParameter(
            "request",
            str,
            required=True,
            description=f"A treatment request's text, at most {check.MAX_CHARS:,} characters.",
        )
    ],
    responses={
        200: OpenApiResponse(
            OpenApiTypes.OBJECT,
            description="The request as the parser reads it, the overturn rate of its service "
            "(or subcategory) with its 95% Wilson interval, by year, and the nearest past "
            "decisions (docs/api.md, Check a request). History, not advice or a prediction.",
        ),
        400: ERRORS,
    },
)
class Check(APIView):
    """The archive's history for a treatment request: what ``/check/`` shows, as JSON."""

    def get(self, request):
        text, errors = check.request_errors(request.query_params)
        if errors:
            raise BadParameters(errors)
        return Response(check.request_check(text).as_dict())


def api_index(request):
    """``/api/``: the API described in plain HTML, rendered on the server (works offline)."""
    return render(request, "api/index.html", {"outline": document_outline(openapi_document())})
