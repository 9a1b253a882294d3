"""Year reports (issue 18) and the statistics pages' filter controls, against figures computed
by hand on a small fixture archive."""

import csv
import html
import io
import math
import re

import pytest

from determinations import plans, reports, services, summaries, timing

from .builders import CHRONIC_PAIN, ODG_LOW_BACK, a_basis, a_determination, a_parse, a_reviewer
from .builders import an_item as item

pytestmark = pytest.mark.django_db

# 3 of 6 (p = 0.5, n = 6, z^2 = 3.8416): centre = (0.5 + 0.320133) / 1.640267 = 0.5,
# half = 1.96 * sqrt(0.041667 + 0.026678) / 1.640267 = 0.312389.
THREE_OF_SIX = (0.18761, 0.81239)


def build_year_archive() -> None:
    """Six public items decided in 2018 in three letters, one item in 2017, and a withdrawn
    2018 letter that must never count.

    | item | letter | category / subcategory           | outcome    | reviewer cites |
    | a, b | R1     | Pharmaceuticals / Opioids        | over, up   | MTUS           |
    | c    | R1     | Pharmaceuticals / Muscle Relaxant| upheld     | MTUS           |
    | d    | R2     | Rehabilitation / Acupuncture     | overturned | ODG            |
    | e    | R2     | Pharmaceuticals / Topical Analg. | overturned | MTUS, ODG      |
    | f    | R3     | Diagnostic Testing / Imaging     | upheld     | ODG            |
    R1: Pain Medicine; R2: Orthopedic Surgery and Pain Medicine; R3: PM&R.
    """

    def drug(subcategory, outcome, *citations):
        return item(
            category="Pharmaceuticals",
            subcategory=subcategory,
            service="a drug",
            outcome=outcome,
            reviewer=a_basis(*citations),
        )

    a_determination(
        a_parse(
            decision_date="2018-02-10",
            reviewer=a_reviewer("Pain Medicine"),
            items=[
                drug("Opioids", "overturned", CHRONIC_PAIN),
                drug("Opioids", "upheld", CHRONIC_PAIN),
                drug("Muscle Relaxant", "upheld", CHRONIC_PAIN),
            ],
        )
    )
    a_determination(
        a_parse(
            decision_date="2018-07-01",
            reviewer=a_reviewer("Orthopedic Surgery", "Pain Medicine"),
            items=[
                item(
                    category="Rehabilitation",
                    subcategory="Acupuncture",
                    service="Acupuncture",
                    outcome="overturned",
                    reviewer=a_basis(ODG_LOW_BACK),
                ),
                drug("Topical Analgesics", "overturned", CHRONIC_PAIN, ODG_LOW_BACK),
            ],
        )
    )
    a_determination(
        a_parse(
            decision_date="2018-11-30",
            reviewer=a_reviewer("Physical Medicine & Rehabilitation"),
            items=[item(outcome="upheld", reviewer=a_basis(ODG_LOW_BACK))],
        )
    )
    a_determination(a_parse(decision_date="2017-05-05", items=[item(outcome="overturned")]))
    gone = a_determination(a_parse(decision_date="2018-03-03", items=[item(outcome="overturned")]))
    services.determination_withdraw(determination=gone, reason="Issued in error.")


@pytest.fixture(params=["summaries", "live"])
def counted(request):
    """Each test runs over fresh summaries and over stale ones (counted live)."""
    build_year_archive()
    summaries.summaries_refresh()
    if request.param == "live":
        a_determination(a_parse(decision_date="2030-01-01", items=[]))  # stale, no item
    return request.param


def tables_of(report) -> dict:
    return {table.name: table for table in report.tables}


def rows(table) -> list[tuple]:
    return [(c.rate.label, c.rate.items, c.rate.overturned, c.share) for c in table.cells]


def close(interval, expected) -> bool:
    return all(math.isclose(a, b, abs_tol=5e-5) for a, b in zip(interval, expected, strict=True))


def test_the_year_report_has_the_divisions_tables_computed_by_hand(counted):
    recorded, token = plans.recording()
    try:
        report = reports.year_report(2018)
    finally:
        plans.stop_recording(token)
    (plan,) = recorded
    used = "summaries" if counted == "summaries" else "live"
    assert ("statistics", used) in plan.notes
    assert (report.total.items, report.total.overturned, report.letters.letters) == (6, 3, 3)
    tables = tables_of(report)
    assert list(tables) == [
        "category_share",
        "subcategory_share",
        "drug_class_share",
        "overturn_rate",
        "items_per_letter",
        "letter_outcomes",
        "time_to_decision",
        "specialty_outcomes",
        "guideline_source_outcomes",
    ]
    assert ("letters", used) in plan.notes  # both letter tables: one count
    assert rows(tables["category_share"]) == [
        ("Pharmaceuticals", 4, 2, 4 / 6),
        ("Diagnostic Testing", 1, 0, 1 / 6),
        ("Rehabilitation", 1, 1, 1 / 6),
    ]
    assert rows(tables["subcategory_share"]) == [
        ("Pharmaceuticals / Opioids", 2, 1, 2 / 6),
        ("Diagnostic Testing / Imaging/Radiology", 1, 0, 1 / 6),
        ("Pharmaceuticals / Muscle Relaxant", 1, 0, 1 / 6),
        ("Pharmaceuticals / Topical Analgesics", 1, 1, 1 / 6),
        ("Rehabilitation / Acupuncture", 1, 1, 1 / 6),
    ]
    drugs = tables["drug_class_share"]
    assert rows(drugs) == [
        ("Opioids", 2, 1, 0.5),
        ("Muscle Relaxant", 1, 0, 0.25),
        ("Topical Analgesics", 1, 1, 0.25),
    ]
    assert drugs.total.items == 4 and "Of the 4 Pharmaceuticals items decided in 2018" in (
        drugs.counts
    )
    rate = tables["overturn_rate"]
    assert (rate.overall.items, rate.overall.overturned, rate.overall.rate) == (6, 3, 0.5)
    assert close(rate.overall.interval, THREE_OF_SIX)
    assert [(c.rate.label, c.rate.rate) for c in rate.cells] == [
        ("Pharmaceuticals", 0.5),
        ("Diagnostic Testing", 0.0),
        ("Rehabilitation", 1.0),
    ]
    per_letter = tables["items_per_letter"]
    assert (per_letter.letters.letters, per_letter.letters.items_per_letter) == (3, 2.0)
    # Array dimensions: an item counts under each specialty of its reviewer, each source cited.
    assert rows(tables["specialty_outcomes"])[:3] == [
        ("Pain Medicine", 5, 3, 5 / 6),
        ("Orthopedic Surgery", 2, 2, 2 / 6),
        ("Physical Medicine & Rehabilitation", 1, 0, 1 / 6),
    ]
    assert rows(tables["guideline_source_outcomes"]) == [
        ("MTUS", 4, 2, 4 / 6),
        ("ODG", 3, 2, 3 / 6),
    ]


def test_each_table_names_its_browse_query_cross_tab_and_csv(counted):
    tables = tables_of(reports.year_report(2018))
    drugs = tables["drug_class_share"]
    assert drugs.browse_url == "/?year=2018&category=Pharmaceuticals"
    assert drugs.stats_url == "/stats/?year=2018&category=Pharmaceuticals&by=subcategory"
    assert drugs.csv_url == drugs.stats_url + "&format=csv"
    assert drugs.row_url(drugs.cells[0].rate) == (
        "/?category=Pharmaceuticals&subcategory=Opioids&year=2018"
    )
    per_letter = tables["items_per_letter"]
    assert (per_letter.stats_url, per_letter.csv_url) == ("/stats/?year=2018", None)
    assert tables["specialty_outcomes"].stats_url == "/stats/?year=2018&by=specialty"


def test_the_tables_agree_with_their_browse_queries_and_csv(client, counted):
    tables = tables_of(reports.year_report(2018))
    for name in ("category_share", "drug_class_share", "specialty_outcomes"):
        table = tables[name]
        assert client.get(table.browse_url).context["results"].total == table.total.items
        for cell in table.cells:
            page = client.get(table.row_url(cell.rate))
            assert page.context["results"].total == cell.rate.items, (name, cell.rate.label)
        body = client.get(table.csv_url).content.decode("utf-8-sig")
        found = [(row["value"], int(row["items"])) for row in csv.DictReader(io.StringIO(body))]
        prefix = "Pharmaceuticals / " if name == "drug_class_share" else ""
        assert found == [(f"{prefix}{c.rate.value}", c.rate.items) for c in table.cells]
    # The drug classes' CSV is the subcategory cross-tab of the year's Pharmaceuticals items.
    body = client.get(tables["drug_class_share"].csv_url).content.decode("utf-8-sig")
    found = {row["value"]: row for row in csv.DictReader(io.StringIO(body))}
    opioids = found["Pharmaceuticals / Opioids"]
    assert (opioids["items"], opioids["overturned"], float(opioids["share"])) == ("2", "1", 0.5)


def test_the_page_says_what_it_covers_and_shows_every_table(client, counted):
    response = client.get("/reports/2018/")
    assert response.status_code == 200
    body = html.unescape(response.content.decode())
    assert "These tables count the letters this archive holds that were decided in 2018" in body
    assert "not every Independent Medical Review" in body
    for title in (
        "Share of disputed items by category",
        "Share of disputed items by subcategory",
        "Share of pharmaceutical items by drug class",
        "Overturn rate, overall and by category",
        "Decisions per letter",
        "Letters fully upheld, fully overturned and partially overturned",
        "Time to decision, by month",
        "Outcomes by reviewer specialty",
        "Outcomes by guideline source",
    ):
        assert f">{title}</h2>" in body
    assert "Of the 6 disputed items decided in 2018, the share in each category" in body
    assert '<a href="/?category=Pharmaceuticals&subcategory=Opioids&year=2018">Opioids</a>' in body
    assert 'href="/stats/?year=2018&category=Pharmaceuticals&by=subcategory&format=csv"' in body
    assert "66.7%" in body and "50.0%" in body and "2.00" in body
    assert "18.8% to 81.2%" in body  # the overall rate's interval
    # The years' list and the navigation link here; the statistics page links the list.
    assert 'href="/reports/"' in body
    assert 'href="/reports/"' in client.get("/stats/").content.decode()


def test_the_list_has_the_years_the_archive_holds_newest_first(client, counted):
    body = client.get("/reports/").content.decode()
    assert re.findall(r'href="/reports/(\d{4})/"', body) == ["2018", "2017"]
    assert [y.year for y in reports.report_years()] == [2018, 2017]


@pytest.mark.parametrize("path", ["/reports/2016/", "/reports/1999/"])
def test_a_year_without_letters_is_a_404_that_says_so(client, counted, path):
    response = client.get(path)
    assert response.status_code == 404
    year = path.split("/")[2]
    assert f"The archive holds no letter decided in {year}" in response.content.decode()
    api = client.get(f"/api{path}")
    assert api.status_code == 404
    assert api.json() == {"errors": [f"detail: The archive holds no letter decided in {year}."]}


@pytest.mark.parametrize(
    "path",
    ["/reports/abcd/", "/reports/18/", "/reports/20188/", "/reports/2018x/", "/reports/3018/"],
)
def test_a_path_that_is_no_year_is_a_404(client, path):
    assert client.get(path).status_code == 404
    assert client.get(f"/api{path}").status_code == 404


def test_parameters_are_a_400_naming_them(client, counted):
    response = client.get("/reports/2018/?category=Surgery")
    assert response.status_code == 400
    assert "Unknown parameter 'category'" in html.unescape(response.content.decode())
    assert client.get("/reports/?x=1").status_code == 400
    api = client.get("/api/reports/2018/?category=Surgery")
    assert api.status_code == 400 and "category" in api.json()["errors"][0]


def test_the_json_has_every_table_with_its_addresses(client, counted):
    data = client.get("/api/reports/2018/").json()
    assert data["year"] == 2018 and data["letters"] == 3 and data["estimated"] is False
    assert data["scope"].startswith("These tables count the letters this archive holds")
    assert (data["items"]["items"], data["items"]["overturned"]) == (6, 3)
    tables = {table["name"]: table for table in data["tables"]}
    drugs = tables["drug_class_share"]
    assert drugs["filters"] == {"year": "2018", "category": "Pharmaceuticals"}
    assert (
        drugs["csv_url"] == "/stats/?year=2018&category=Pharmaceuticals&by=subcategory&format=csv"
    )
    assert [(r["label"], r["items"], r["share"]) for r in drugs["rows"]] == [
        ("Opioids", 2, 0.5),
        ("Muscle Relaxant", 1, 0.25),
        ("Topical Analgesics", 1, 0.25),
    ]
    assert drugs["rows"][0]["browse_url"] == (
        "/?category=Pharmaceuticals&subcategory=Opioids&year=2018"
    )
    overall = tables["overturn_rate"]["overall"]
    assert (overall["overturn_rate"], round(overall["interval_low"], 4)) == (0.5, 0.1876)
    assert tables["items_per_letter"]["items_per_letter"] == 2.0
    assert "rows" not in tables["items_per_letter"]
    document = client.get("/api/openapi.json").json()
    assert "/api/reports/{year}/" in document["paths"]


# --- the letter-level tables: letter outcomes and time to decision ------------------------------


def build_dated_year() -> None:
    """Five public letters decided in 2019 with their dates (days from date assigned ``a`` and
    from application received ``r``; nc: decided before it, ?: not stated), a withdrawn 2019
    letter and a 2018 one, neither counted.

    | letter | assigned   | received   | decided    | a  | r  | priority  | items      | letter  |
    | S1     | 2019-01-02 | 2018-12-20 | 2019-01-10 | 8  | 21 | standard  | up, up     | upheld  |
    | S2     | 2019-01-05 | 2018-12-01 | 2019-02-20 | 46 | 81 | standard  | up         | upheld  |
    | S3     | 2019-02-01 | 2019-01-31 | 2019-02-04 | 3  | 4  | expedited | over       | over    |
    | S4     | 2019-02-10 | -          | 2019-03-01 | 19 | ?  | expedited | over, up   | partial |
    | S5     | 2019-03-15 | 2019-03-01 | 2019-03-10 | nc | 9  | standard  | up         | upheld  |
    """
    letters = [
        ("2019-01-02", "2018-12-20", "2019-01-10", "standard", ["upheld", "upheld"]),
        ("2019-01-05", "2018-12-01", "2019-02-20", "standard", ["upheld"]),
        ("2019-02-01", "2019-01-31", "2019-02-04", "expedited", ["overturned"]),
        ("2019-02-10", None, "2019-03-01", "expedited", ["overturned", "upheld"]),
        ("2019-03-15", "2019-03-01", "2019-03-10", "standard", ["upheld"]),
    ]
    for assigned, received, decided, priority, outcomes in letters:
        a_determination(
            a_parse(
                date_assigned=assigned,
                application_received=received,
                decision_date=decided,
                priority=priority,
                items=[item(outcome=outcome) for outcome in outcomes],
            )
        )
    gone = a_determination(a_parse(decision_date="2019-02-02", items=[item(outcome="upheld")]))
    services.determination_withdraw(determination=gone, reason="Issued in error.")
    a_determination(a_parse(decision_date="2018-02-02", items=[item(outcome="upheld")]))


@pytest.fixture(params=["summaries", "live"])
def dated(request):
    """The 2019 letters over fresh summaries and over stale ones (counted live)."""
    build_dated_year()
    summaries.summaries_refresh()
    if request.param == "live":
        a_determination(a_parse(decision_date="2030-01-01", items=[]))  # stale, no item
    return request.param


def basis_figures(basis: timing.Basis) -> tuple:
    return (
        basis.known,
        basis.median,
        basis.p90,
        (basis.over_standard, basis.standard),
        (basis.over_expedited, basis.expedited),
    )


def test_the_letter_outcomes_of_the_year_computed_by_hand(dated):
    table = tables_of(reports.year_report(2019))["letter_outcomes"]
    outcomes = table.outcomes
    assert (outcomes.letters, outcomes.upheld, outcomes.overturned) == (5, 3, 1)
    assert (outcomes.partially_overturned, outcomes.without_outcome) == (1, 0)
    assert [(r["value"], r["label"], r["letters"], r["share"]) for r in table.outcome_rows] == [
        ("upheld", "Fully upheld", 3, 3 / 5),
        ("overturned", "Fully overturned", 1, 1 / 5),
        ("partially_overturned", "Partially overturned", 1, 1 / 5),
    ]
    assert table.outcome_rows[0]["browse_url"] == "/?letter_outcome=upheld&year=2019"
    assert (table.stats_url, table.csv_url) == (
        "/stats/letters/?year=2019",
        "/stats/letters/?year=2019&format=csv",
    )


def test_the_time_to_decision_of_the_year_and_each_month_computed_by_hand(dated):
    table = tables_of(reports.year_report(2019))["time_to_decision"]
    year = table.timing.total
    assert year.letters == 5
    # Assigned: 8, 46, 3, 19 known (S5 not computable): 3, 8, 19, 46; the median is the 2nd
    # (8), the 90th percentile the 4th (46); standard S1 8, S2 46: 1 of 2 over 30 days;
    # expedited S3 3, S4 19: 1 of 2 over 3 days.
    assert basis_figures(year.assigned) == (4, 8, 46, (1, 2), (1, 2))
    assert year.assigned.not_computable == 1
    # Received: 21, 81, 4, 9 known (S4 not stated): 4, 9, 21, 81: median 9, p90 81; standard
    # S1 21, S2 81, S5 9: 1 of 3 over 30; expedited S3 4: 1 of 1 over 3.
    assert basis_figures(year.received) == (4, 9, 81, (1, 3), (1, 1))
    assert year.received.unknown == 1
    assert [
        (row.period, row.letters, basis_figures(row.assigned), basis_figures(row.received))
        for row in table.timing.rows
    ] == [
        ("2019-01", 1, (1, 8, 8, (0, 1), (0, 0)), (1, 21, 21, (0, 1), (0, 0))),
        # S2 46 and S3 3: the 1st of 2 (3) and the 2nd (46); received 81 and 4.
        ("2019-02", 2, (2, 3, 46, (1, 1), (0, 1)), (2, 4, 81, (1, 1), (1, 1))),
        # S4 19 (S5 not computable); received S5 9 (S4 not stated).
        ("2019-03", 2, (1, 19, 19, (0, 0), (1, 1)), (1, 9, 9, (0, 1), (0, 0))),
    ]
    assert [label for label, _, _ in table.timing_rows] == [
        "Whole year",
        "2019-01",
        "2019-02",
        "2019-03",
    ]
    assert table.period_url("2019-02") == (
        "/?decided_from=2019-02-01&decided_to=2019-02-28&year=2019"
    )
    assert (table.stats_url, table.csv_url) == (
        "/stats/decision-days/?year=2019&over=month",
        "/stats/decision-days/?year=2019&over=month&format=csv",
    )


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("2019", ("2019-01-01", "2019-12-31")),
        ("2019-Q1", ("2019-01-01", "2019-03-31")),
        ("2020-Q4", ("2020-10-01", "2020-12-31")),
        ("2020-02", ("2020-02-01", "2020-02-29")),
        ("2019-02", ("2019-02-01", "2019-02-28")),
    ],
)
def test_a_periods_first_and_last_day(period, expected):
    assert reports.period_range(period) == expected


def test_the_letter_tables_agree_with_their_browse_queries_and_csv(client, dated):
    tables = tables_of(reports.year_report(2019))
    outcomes = tables["letter_outcomes"]
    items = {"upheld": 4, "overturned": 1, "partially_overturned": 2}  # S1+S2+S5, S3, S4
    for row in outcomes.outcome_rows:
        assert client.get(row["browse_url"]).context["results"].total == items[row["value"]]
    body = client.get(outcomes.csv_url).content.decode("utf-8-sig")
    (found,) = csv.DictReader(io.StringIO(body))
    assert (found["letters"], found["upheld"], found["overturned"]) == ("5", "3", "1")
    assert (found["partially_overturned"], float(found["upheld_share"])) == ("1", 0.6)
    days = tables["time_to_decision"]
    for label, url, _ in days.timing_rows[1:]:
        page = client.get(url).context["results"].total
        assert page == {"2019-01": 2, "2019-02": 2, "2019-03": 3}[label]
    body = client.get(days.csv_url).content.decode("utf-8-sig")
    found = {(r["period"], r["basis"]): r for r in csv.DictReader(io.StringIO(body))}
    for row in days.timing.rows:
        for basis in (row.assigned, row.received):
            cells = found[(row.period, basis.name)]
            assert (cells["letters"], cells["known"]) == (str(row.letters), str(basis.known))
            assert (cells["median_days"], cells["p90_days"]) == (str(basis.median), str(basis.p90))
    assert len(found) == 2 * len(days.timing.rows)


def test_the_page_shows_the_letter_tables(client, dated):
    body = html.unescape(client.get("/reports/2019/").content.decode())
    assert '<a href="/?letter_outcome=upheld&year=2019">Fully upheld</a>' in body
    assert "60.0%" in body and "20.0%" in body
    assert 'href="/stats/letters/?year=2019&format=csv"' in body
    assert 'href="/stats/decision-days/?year=2019&over=month&format=csv"' in body
    assert ">On the time to decision page</a>" in body
    section = body.split('id="time_to_decision"')[1].split("</section>")[0]
    assert '<a href="/?decided_from=2019-02-01&decided_to=2019-02-28&year=2019">2019-02</a>' in (
        section
    )
    cells = re.findall(r'<td class="num"(?: rowspan="2")?>([^<]*)', section)
    # The whole year: 5 letters; assigned 4 known, median 8, p90 46, 50.0% of 2 standard,
    # 50.0% of 2 expedited; received 4 known, median 9, p90 81, 33.3% of 3, 100.0% of 1.
    assert [c.strip() for c in cells[:13]] == [
        "5",
        "4",
        "8",
        "46",
        "50.0%",
        "50.0%",
        "4",
        "9",
        "81",
        "33.3%",
        "100.0%",
        "1",
        "1",
    ]


def test_the_json_has_the_letter_tables_as_the_others(client, dated):
    data = client.get("/api/reports/2019/").json()
    tables = {table["name"]: table for table in data["tables"]}
    outcomes = tables["letter_outcomes"]
    assert outcomes["kind"] == "letter_outcomes"
    assert outcomes["csv_url"] == "/stats/letters/?year=2019&format=csv"
    assert outcomes["letters"]["letters"] == 5 and outcomes["letters"]["upheld"] == 3
    assert outcomes["letters"]["estimated"] is False
    assert [(r["value"], r["letters"], r["share"]) for r in outcomes["rows"]] == [
        ("upheld", 3, 0.6),
        ("overturned", 1, 0.2),
        ("partially_overturned", 1, 0.2),
    ]
    api = client.get("/api/stats/letters/?year=2019").json()["letters"]
    assert outcomes["letters"] == api  # the letter outcomes API's figures
    days = tables["time_to_decision"]
    assert (days["kind"], days["over"]) == ("time_to_decision", "month")
    api = client.get("/api/stats/decision-days/?year=2019&over=month").json()
    assert days["letters"] == api["letters"]
    assert [{k: v for k, v in r.items() if k != "browse_url"} for r in days["rows"]] == api["rows"]
    assert days["letters"]["assigned"]["median_days"] == 8
    assert days["letters"]["received"]["share_over_standard_limit"] == pytest.approx(1 / 3)
    assert days["rows"][1]["browse_url"] == (
        "/?decided_from=2019-02-01&decided_to=2019-02-28&year=2019"
    )
    assert tables["overturn_rate"]["kind"] == "rate"


# --- the statistics pages' filter controls ------------------------------------------------------


def test_the_statistics_pages_fold_the_browse_filters_with_the_browse_counts(client, counted):
    browse = client.get("/?year=2018").content.decode()
    page = client.get("/stats/?year=2018").content.decode()
    assert '<details class="refine" id="filters">' in page  # folded
    assert 'action="/stats/"' in page

    def counts(body):
        return re.findall(
            r'name="(\w+)" value="([^"]*)"( checked)?><span class="facet-label">[^<]*</span>'
            r'<span class="count">([^<]*)</span>',
            body,
        )

    assert counts(page) == counts(browse) and ("year", "2018", " checked", "6") in counts(page)


def test_the_cross_tabs_filters_keep_its_dimension_periods_measure_and_search(client, counted):
    page = client.get("/stats/?by=category&over=quarter&measure=share&q=lumbar").content.decode()
    hidden = re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page)
    assert hidden == [
        ("by", "category"),
        ("over", "quarter"),
        ("measure", "share"),
        ("q", "lumbar"),
    ]
    assert '<details class="refine" id="filters">' in page
    # Submitting the form with a value ticked is the same cross-tab for the new cut.
    response = client.get("/stats/?by=category&over=quarter&measure=share&q=lumbar&year=2018")
    assert response.status_code == 200
