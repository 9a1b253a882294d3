"""The analyst's report pages in real headless Chromium (issue 18): the year report's journey
(a table's row to its browse query, back, its CSV), and the analysis pages on a 390 px phone
and under axe-core. The archive is test_browser_pages' (the published letters the tests carry,
a long trend of one-item years, a withdrawn letter)."""

from __future__ import annotations

import csv
import io
import re

import pytest

from .test_browser_pages import (
    DESKTOP,
    PHONE,
    axe_problems,
    load_archive,
    phone_problems,
    require_axe,
    visit,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BROWSER_CONTEXT = {"bypass_csp": True}  # axe-core is injected as an inline script
YEAR = 2017  # the published letters' decision year

ANALYSIS_PAGES = [
    ("cross-tab by category over year", "/stats/?by=category&over=year"),
    ("letter outcomes", "/stats/letters/"),
    ("letter outcomes by category and year", "/stats/letters/?by=category&over=year"),
    ("time to decision", "/stats/decision-days/"),
    ("time to decision by priority and year", "/stats/decision-days/?by=priority&over=year"),
    (
        "compare",
        "/compare/?a=category%3DPharmaceuticals&b=category%3DRehabilitation%26year%3D2017",
    ),
    ("year reports", "/reports/"),
    ("year report", f"/reports/{YEAR}/"),
]


def report_rows(page, table: str) -> list[dict]:
    """A report table's rows as shown: label, the link's address, items and share."""
    rows = page.locator(f"section[aria-labelledby='{table}'] tbody tr")
    found = []
    for row in rows.all():
        link = row.locator("th a")
        cells = row.locator("td").all_inner_texts()
        found.append(
            {
                "label": link.inner_text(),
                "href": link.get_attribute("href"),
                "items": int(cells[0].replace(",", "")),
                "share": cells[1],
            }
        )
    return found


def browse_total(page) -> int:
    summary = page.locator("#results .summary").inner_text()
    match = re.match(r"([\d,]+) matching items?\b", summary.strip())
    assert match, summary  # an exact count, not "About ..."
    return int(match.group(1).replace(",", ""))


def test_an_analyst_follows_a_year_report_table_to_browse_and_downloads_its_csv(
    browser_page, tmp_path
):
    load_archive()
    page = browser_page
    page.set_viewport_size(DESKTOP)
    page.goto("/reports/")
    with page.expect_navigation():
        page.get_by_role("link", name=f"{YEAR} report").click()
    assert page.url.endswith(f"/reports/{YEAR}/")
    assert "not every Independent Medical Review" in page.locator(".scope").inner_text()

    # The contents lead to the table; its rows are the year's categories, largest first.
    page.get_by_role("link", name="Share of disputed items by category").click()
    assert page.url.endswith("#category_share")
    rows = report_rows(page, "category_share")
    assert len(rows) >= 2
    assert [r["items"] for r in rows] == sorted((r["items"] for r in rows), reverse=True)

    # A row's link is its browse query, whose total is the row's items.
    first = rows[0]
    with page.expect_navigation():
        page.locator("section[aria-labelledby='category_share'] tbody th a").first.click()
    assert f"year={YEAR}" in page.url and "category=" in page.url
    assert browse_total(page) == first["items"]
    chips = page.locator(".chip").all_inner_texts()
    assert any(first["label"] in chip for chip in chips), chips

    # "Browse these items" is the whole table's query: all the year's items.
    page.go_back()
    assert page.url.split("#")[0].endswith(f"/reports/{YEAR}/")
    table_items = sum(r["items"] for r in rows)  # one category per item
    section = page.locator("section[aria-labelledby='category_share']")
    with page.expect_navigation():
        section.get_by_role("link", name="Browse these items").click()
    assert browse_total(page) == table_items
    page.go_back()

    # The table's CSV (its link) holds the same rows: value, items and share.
    section = page.locator("section[aria-labelledby='category_share']")
    with page.expect_download() as download:
        section.get_by_role("link", name="Download this table (CSV)").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name == "imr-category.csv"
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, like every CSV download
    found = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [(r["value"], int(r["items"])) for r in found] == [
        (r["label"], r["items"]) for r in rows
    ]
    assert [f"{float(r['share']) * 100:.1f}%" for r in found] == [r["share"] for r in rows]
    assert {r["period"] for r in found} == {""} and {r["estimated"] for r in found} == {"false"}

    # The drug classes' CSV: the year's Pharmaceuticals items by subcategory, same rows.
    drugs = report_rows(page, "drug_class_share")
    section = page.locator("section[aria-labelledby='drug_class_share']")
    with page.expect_download() as download:
        section.get_by_role("link", name="Download this table (CSV)").click()
    body = download.value.path().read_bytes().decode("utf-8-sig")
    found = list(csv.DictReader(io.StringIO(body)))
    assert [(r["value"], int(r["items"])) for r in found] == [
        (f"Pharmaceuticals / {r['label']}", r["items"]) for r in drugs
    ]
    assert [f"{float(r['share']) * 100:.1f}%" for r in found] == [r["share"] for r in drugs]
    page.screenshot(path=tmp_path / "report.png", full_page=True)


def test_the_analysis_pages_fit_a_phone_and_have_no_accessibility_violations(browser_page):
    page = browser_page
    require_axe()
    load_archive()
    problems = []
    page.set_viewport_size(PHONE)
    for what, address in ANALYSIS_PAGES:
        problems += visit(page, what, address, 200) or phone_problems(page, what)
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        for what, address in ANALYSIS_PAGES:
            label = f"{what} at {size['width']} px"
            problems += visit(page, label, address, 200) or axe_problems(page, label)
    # The statistics page's filter controls, unfolded, on a phone.
    page.goto("/stats/?by=category&over=year")
    page.evaluate("document.getElementById('filters').open = true")
    for more in page.locator("#filters details.more > summary").all():
        more.click()
    problems += phone_problems(page, "cross-tab with its filters unfolded")
    problems += axe_problems(page, "cross-tab with its filters unfolded at 390 px")
    assert problems == [], "\n".join(problems)
