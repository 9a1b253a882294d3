"""Time to decision and letter outcomes (issue 18) against figures computed by hand."""

import csv
import html
import importlib
import io
import json

import pytest
from django.db import connection
from django.http import QueryDict
from django.utils import timezone

from determinations import letters, plans, summaries, timing
from determinations.choices import (
    DECISION_DAYS_BOUNDS,
    DecisionDays,
    decision_days_sql,
    decision_days_value,
)
from determinations.filters import ItemFilterSet
from determinations.models import PeriodDaysCount, PeriodLetterCount

from .builders import a_determination, a_parse, an_item

pytestmark = pytest.mark.django_db


def _pharma(outcome="upheld"):
    return an_item(
        outcome=outcome, category="Pharmaceuticals", subcategory="Opioids", service="oxycodone"
    )


def _surgery(outcome="overturned"):
    return an_item(outcome=outcome, category="Surgery", subcategory="Spine", service="Fusion")


def build_timing_archive() -> dict:
    """Seven public letters and a withdrawn one (never counted); days from date assigned (a)
    and from application received (r) to the decision (nc: not computable, ?: unknown).

    | letter | assigned   | received   | decided    | a      | r   | priority  | items         |
    | L1     | 2017-01-01 | 2016-12-25 | 2017-01-05 | 4      | 11  | standard  | P up          |
    | L2     | 2017-01-01 | 2016-12-20 | 2017-01-21 | 20     | 32  | standard  | P over, S up  |
    | L3     | 2017-02-01 | -          | 2017-03-15 | 42     | ?   | expedited | S over        |
    | L4     | 2017-03-01 | 2017-02-27 | 2017-03-03 | 2      | 4   | expedited | P up          |
    | L5     | 2018-05-10 | 2018-04-01 | 2018-05-01 | -9 nc  | 30  | standard  | S over        |
    | L6     | 2016-01-01 | 2015-12-01 | 2018-02-01 | 762    | 366 | standard  | P up          |
    | L7     | 2017-01-01 | 2016-12-20 | -          | ?      | ?   | standard  | P up          |

    P: a Pharmaceuticals item, S: a Surgery item; 762 days count as 366 (more than 365).
    Letters: upheld L1, L4, L6, L7; partially overturned L2; overturned L3, L5.
    """
    rows = {
        "l1": ("2017-01-01", "2016-12-25", "2017-01-05", "standard", [_pharma()]),
        "l2": (
            "2017-01-01",
            "2016-12-20",
            "2017-01-21",
            "standard",
            [_pharma("overturned"), _surgery("upheld")],
        ),
        "l3": ("2017-02-01", None, "2017-03-15", "expedited", [_surgery()]),
        "l4": ("2017-03-01", "2017-02-27", "2017-03-03", "expedited", [_pharma()]),
        "l5": ("2018-05-10", "2018-04-01", "2018-05-01", "standard", [_surgery()]),
        "l6": ("2016-01-01", "2015-12-01", "2018-02-01", "standard", [_pharma()]),
        "l7": ("2017-01-01", "2016-12-20", None, "standard", [_pharma()]),
    }
    made = {}
    for name, (assigned, received, decided, priority, items) in rows.items():
        made[name] = a_determination(
            a_parse(
                date_assigned=assigned,
                application_received=received,
                decision_date=decided,
                priority=priority,
                date_of_injury="2014-06-01" if name in ("l1", "l2") else "2015-03-02",
                items=items,
            )
        )
    withdrawn = a_determination(a_parse(items=[_pharma()]))
    from determinations import services

    services.determination_withdraw(determination=withdrawn, reason="test")
    return made


@pytest.fixture
def archive():
    return build_timing_archive()


@pytest.fixture(params=["summaries", "live"])
def counted(request, archive):
    """Each test runs over fresh summaries and over stale ones (counted live)."""
    summaries.summaries_refresh()
    if request.param == "live":
        a_determination(a_parse(decision_date="2030-01-01", items=[]))  # stale, no item
    return request.param


def _filters(query: str = ""):
    filterset = ItemFilterSet(QueryDict(query))
    assert filterset.is_valid(), filterset.errors
    return filterset, plans.plan_for(filterset)


def _figures(basis: timing.Basis) -> tuple:
    return (
        basis.letters,
        basis.known,
        basis.unknown,
        basis.not_computable,
        basis.median,
        basis.p90,
        (basis.over_standard, basis.standard),
        (basis.over_expedited, basis.expedited),
    )


def test_summary_of_every_letter(counted):
    filterset, plan = _filters()
    result = timing.summary(filterset, plan=plan)
    assert result.letters == 7
    # Assigned: known 2, 4, 20, 42, 366 (n = 5): median the 3rd (20), p90 the 5th (366).
    assert _figures(result.assigned) == (7, 5, 1, 1, 20, 366, (1, 3), (1, 2))
    # Received: known 4, 11, 30, 32, 366: median 30; standard 11, 32, 30, 366 (2 over 30).
    assert _figures(result.received) == (7, 5, 2, 0, 30, 366, (2, 4), (1, 1))
    assert [n for _, _, n in result.assigned.histogram] == [2, 0, 1, 1, 0, 1]
    assert [n for _, _, n in result.received.histogram] == [1, 1, 1, 1, 0, 1]
    data = result.as_dict()
    assert data["assigned"]["share_over_standard_limit"] == pytest.approx(1 / 3)
    assert data["assigned"]["share_over_expedited_limit"] == 0.5
    assert data["estimated"] is False
    assert json.loads(json.dumps(data)) == data
    assert any(part == "letters" for part, _ in plan.notes)


def test_summary_with_one_filter_and_with_two(counted):
    filterset, plan = _filters("category=Pharmaceuticals")
    result = timing.summary(filterset, plan=plan)
    # L1, L2, L4, L6, L7: known 2, 4, 20, 366: median the 2nd (4), p90 the 4th (366).
    assert _figures(result.assigned) == (5, 4, 1, 0, 4, 366, (1, 3), (0, 1))
    filterset, plan = _filters("category=Pharmaceuticals&year=2017")
    result = timing.summary(filterset, plan=plan)
    # L1, L2, L4: 2, 4, 20: median the 2nd (4), p90 the 3rd (20).
    assert _figures(result.assigned) == (3, 3, 0, 0, 4, 20, (0, 2), (0, 1))


def test_table_over_year_and_by_category(counted):
    filterset, plan = _filters()
    result = timing.table(filterset, over="year", plan=plan)
    assert result.undated == 1 and result.total.letters == 7
    assert [(r.period, r.letters, r.assigned.median, r.assigned.p90) for r in result.rows] == [
        ("2017", 4, 4, 42),
        ("2018", 2, 366, 366),
    ]
    assert result.rows[1].assigned.not_computable == 1
    result = timing.table(filterset, by="category", plan=plan)
    assert [(r.label, r.letters, r.assigned.median) for r in result.rows] == [
        ("Pharmaceuticals", 5, 4),
        ("Surgery", 3, 20),  # L2 20, L3 42, L5 not computable: the 1st of 2 (20)
    ]
    result = timing.table(filterset, by="category", over="year", plan=plan)
    assert [(r.period, r.label, r.letters) for r in result.rows] == [
        ("2017", "Pharmaceuticals", 3),
        ("2017", "Surgery", 2),
        ("2018", "Pharmaceuticals", 1),
        ("2018", "Surgery", 1),
    ]


def test_summaries_hold_the_letter_tables(archive):
    summaries.summaries_refresh()
    every = PeriodLetterCount.objects.filter(facet="").order_by("month", "outcome")
    assert sum(row.letters for row in every) == 6  # dated letters only
    days = PeriodDaysCount.objects.filter(facet="", basis="assigned")
    assert sorted(row.days for row in days) == [letters.NOT_COMPUTABLE, 2, 4, 20, 42, 366]


def test_incremental_refresh_subtracts_the_old_days(archive):
    summaries.summaries_refresh()
    from determinations.models import Determination

    l1 = archive["l1"]
    Determination.objects.filter(pk=l1.pk).update(
        decision_date="2017-01-11", updated_at=timezone.now()
    )
    from determinations import services

    services.determination_withdraw(determination=archive["l4"], reason="test")
    refreshed = summaries.summaries_refresh()
    assert refreshed["full"] is False
    filterset, plan = _filters()
    result = timing.summary(filterset, plan=plan)
    # L1 now 10 days (its items' copies are the old ones: the letter's own dates count), L4 gone.
    rows = PeriodDaysCount.objects.filter(facet="", basis="assigned")
    assert sorted(r.days for r in rows for _ in range(r.letters)) == [-1, 10, 20, 42, 366]
    assigned = result.assigned
    assert (assigned.known, assigned.not_computable) == (4, 1)
    assert (assigned.median, assigned.p90) == (20, 366)  # 2nd and 4th of 10, 20, 42, 366
    assert not PeriodDaysCount.objects.filter(letters=0).exists()


def _outcomes(row) -> tuple:
    return (row.label, row.letters, row.upheld, row.overturned, row.partially_overturned)


def test_letter_outcomes(counted):
    filterset, plan = _filters()
    result = letters.outcomes(filterset, plan=plan)
    assert _outcomes(result.total) == ("All matching letters", 7, 4, 2, 1)
    assert result.total.as_dict()["upheld_share"] == pytest.approx(4 / 7)
    result = letters.outcomes(filterset, over="year", plan=plan)
    assert result.grouped.undated == 1
    assert [_outcomes(r) for r in result.rows] == [("2017", 4, 2, 1, 1), ("2018", 2, 1, 1, 0)]
    result = letters.outcomes(filterset, by="category", plan=plan)
    assert [_outcomes(r) for r in result.rows] == [
        ("Pharmaceuticals", 5, 4, 0, 1),
        ("Surgery", 3, 0, 2, 1),  # L2 counts under both its items' categories
    ]
    assert result.as_dict()["rows"][0]["filters"] == {"category": "Pharmaceuticals"}


def test_letter_outcomes_with_filters(counted):
    filterset, plan = _filters("year=2018")
    result = letters.outcomes(filterset, by="category", plan=plan)
    assert [_outcomes(r) for r in result.rows] == [
        ("Pharmaceuticals", 1, 1, 0, 0),
        ("Surgery", 1, 0, 1, 0),
    ]
    filterset, plan = _filters("service=oxycodone")  # one pass over SummaryItem, or live
    assert _outcomes(letters.outcomes(filterset, plan=plan).total)[1:] == (5, 4, 0, 1)
    assert _outcomes(letters.outcomes(filterset, over="month", plan=plan).rows[0]) == (
        "2017-01",
        2,
        1,
        0,
        1,
    )
    filterset, plan = _filters("q=lumbar")  # a search: live
    assert letters.outcomes(filterset, plan=plan).total.letters == 7


def test_csv_round_trip(client, counted):
    response = client.get("/stats/decision-days/?over=year&format=csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    first = next(r for r in rows if r["period"] == "2017" and r["basis"] == "assigned")
    assert (first["letters"], first["median_days"], first["p90_days"]) == ("4", "4", "42")


def test_pages_and_api_agree(client, counted):
    page = client.get("/stats/decision-days/?by=category&over=year")
    assert page.status_code == 200
    text = page.content.decode()
    assert "<svg" in text and "Time to decision, by category, by year" in text
    data = client.get("/api/stats/decision-days/?by=category&over=year").json()
    assert data["letters"]["assigned"]["median_days"] == 20
    assert data["undated_letters"] == 1
    assert [(r["period"], r["value"], r["letters"]) for r in data["rows"]] == [
        ("2017", "Pharmaceuticals", 3),
        ("2017", "Surgery", 2),
        ("2018", "Pharmaceuticals", 1),
        ("2018", "Surgery", 1),
    ]
    assert data["rows"][0]["filters"] == {"category": "Pharmaceuticals"}
    assert client.get("/stats/letters/?over=year").status_code == 200
    data = client.get("/api/stats/letters/?by=category").json()
    assert [
        (r["value"], r["upheld"], r["overturned"], r["partially_overturned"]) for r in data["rows"]
    ] == [
        ("Pharmaceuticals", 4, 0, 1),
        ("Surgery", 0, 2, 1),
    ]
    stats_page = client.get("/stats/").content.decode()
    assert "/stats/decision-days/?over=month" in stats_page
    assert "/stats/letters/?over=year" in stats_page


def test_letter_outcomes_csv_round_trip(client, counted):
    response = client.get("/stats/letters/?by=category&format=csv")
    assert response.status_code == 200
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="imr-letter-outcomes-by-category.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["value"], r["letters"], r["upheld"], r["partially_overturned"]) for r in rows] == [
        ("Pharmaceuticals", "5", "4", "1"),
        ("Surgery", "3", "0", "1"),
    ]
    assert float(rows[0]["upheld_share"]) == pytest.approx(0.8)


@pytest.mark.parametrize(
    "query, message",
    [
        ("by=nope", "Parameter 'by': one of"),
        ("over=week", "Parameter 'over': one of year, quarter, month"),
        ("over=year&over=month", "Parameter 'over': give it once."),
        ("format=xlsx", "Parameter 'format': csv"),
        ("measure=rate", "Unknown parameter 'measure'"),
        ("category=Nope", "category"),
    ],
)
@pytest.mark.parametrize("path", ["/stats/decision-days/", "/stats/letters/"])
def test_bad_parameters_are_400s(client, path, query, message):
    page = client.get(f"{path}?{query}")
    assert page.status_code == 400
    assert message in html.unescape(page.content.decode())
    if not query.startswith("format"):
        api = client.get(f"/api{path}?{query}")
        assert api.status_code == 400
        assert any(message in error for error in api.json()["errors"])


# --- the decision_days buckets: the migration's SQL copy is choices' ----------------------------

# Every bucket edge, a day either side of it, and what is in no bucket (negative, NULL).
BUCKET_EDGE_DAYS = sorted(
    {
        days
        for first, last in DECISION_DAYS_BOUNDS
        for edge in (first, last if last is not None else first + 365)
        for days in (edge - 1, edge, edge + 1)
    }
    | {-30}
)


def test_the_migrations_bucket_sql_is_choices_on_every_edge():
    """Migration 0019 fills ``decision_days`` with its own copy of the bucket SQL (a migration
    must not change with the code); it must give what ``choices.decision_days_sql`` and
    ``decision_days_value`` give, so that old and new rows never disagree."""
    migration = importlib.import_module(
        "determinations.migrations.0019_item_decision_days_injury_year"
    )
    days = [*BUCKET_EDGE_DAYS, None]
    copy = migration.COPIES["decision_days"]  # over d.decision_date - d.date_assigned
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT v.n, {copy}, {decision_days_sql('v.n')} "  # noqa: S608 (the code's SQL)
            "FROM unnest(%s::integer[]) WITH ORDINALITY AS v(n, i) "
            "CROSS JOIN LATERAL (SELECT date '2020-01-01' AS date_assigned, "
            "date '2020-01-01' + v.n AS decision_date) AS d ORDER BY v.i",
            [days],
        )
        found = cursor.fetchall()
    assert [n for n, _, _ in found] == days
    expected = [(n, decision_days_value(n), decision_days_value(n)) for n in days]
    assert found == expected
    assert {bucket for _, bucket, _ in found} == {*DecisionDays.values, None}  # every bucket
    assert (found[days.index(30)][1], found[days.index(31)][1]) == ("15-30", "31-45")


@pytest.mark.parametrize("over", ["year", "quarter", "month"])
@pytest.mark.parametrize("by", [None, "category"])
def test_the_summaries_and_the_live_count_give_the_same_periods(archive, over, by):
    """The summaries group the day counts by the period's first day and format it once a row;
    the live count formats each letter's date: the same periods and figures either way."""
    from determinations.models import SummaryChange

    def rows():
        filterset, plan = _filters()
        result = timing.table(filterset, by=by, over=over, plan=plan)
        return plan.notes, [
            (r.period, r.label, r.letters, _figures(r.assigned), _figures(r.received))
            for r in result.rows
        ]

    summaries.summaries_refresh()
    fresh_notes, fresh = rows()
    SummaryChange.objects.create(txid=1, determination_id=0)  # stale: the same letters, live
    live_notes, live = rows()
    assert ("letters", "summaries") in fresh_notes and ("letters", "summaries") not in live_notes
    assert fresh == live and len(fresh) >= 2
    if over == "quarter":
        assert fresh[0][0] == "2017-Q1"


def test_one_service_s_letters_are_counted_in_one_pass_of_the_sample_the_summaries_choose(
    archive, monkeypatch
):
    """A service's letters are not in the period summaries: they are counted over SummaryItem,
    in the sample chosen from the summaries' count of the service's letters (one pass, not a
    first pass over the coarsest sample to decide)."""
    from django.test.utils import CaptureQueriesContext

    from determinations import sampling

    summaries.summaries_refresh()
    filterset, plan = _filters("service=oxycodone")
    exact = timing.summary(filterset, plan=plan)
    monkeypatch.setattr(sampling, "LEVELS", (4, 1))  # 1 in 1: every letter, "sampled"
    monkeypatch.setattr(sampling, "LIVE_COUNT_UP_TO", -1)
    filterset, plan = _filters("service=oxycodone")
    with CaptureQueriesContext(connection) as queries:
        result = timing.summary(filterset, plan=plan)
    passes = [q for q in queries.captured_queries if "FROM determinations_summaryitem" in q["sql"]]
    assert len(passes) == 1
    assert ("letters", "SummaryItem, sample 1/1") in plan.notes
    assert _figures(result.assigned) == _figures(exact.assigned)
