"""Year reports (issue 18) and the statistics pages' filter controls, against figures computed
by hand on a small fixture archive."""

import csv
import html
import io
import math
import re

import pytest

from determinations import plans, reports, services, summaries

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
        "specialty_outcomes",
        "guideline_source_outcomes",
    ]
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
