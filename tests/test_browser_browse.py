"""The analyst's journey in real headless Chromium: filter, search, open the permalink."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .builders import a_determination, a_parse, an_item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LETTERS = Path(__file__).parent / "assets" / "letters"
DATES = ["2016-03-14", "2016-11-02", "2017-02-21", "2017-08-09", "2018-01-30"]


def load_archive() -> None:
    """The sample letters' expected parses (real wording) plus a few lumbar MRIs."""
    for path, date in zip(sorted(LETTERS.glob("*.expected.json")), DATES, strict=False):
        parse = json.loads(path.read_text())
        parse["decision_date"] = date
        a_determination(parse, data=path.with_name(path.name.replace(".expected.json", ".txt"))
                        .read_bytes())  # fmt: skip
    for n, outcome in enumerate(["overturned", "upheld", "overturned"]):
        a_determination(
            a_parse(
                case_number=f"CM17-00{n + 1:05d}",
                decision_date=f"2017-0{n + 3}-15",
                clinical_summary="The injured worker reports low back pain radiating to the "
                "right leg after lifting a pallet.",
                items=[
                    an_item(
                        request="Physical therapy 2 times a week for 6 weeks, lumbar spine",
                        category="Rehabilitation",
                        subcategory="PT/OT",
                        service="Physical therapy",
                        outcome="upheld",
                    ),
                    an_item(
                        outcome=outcome,
                        rationale="Radicular pain persists despite conservative care; an MRI "
                        "of the lumbar spine is indicated to plan treatment.",
                    ),
                ],
            )
        )


def facet_count(page, facet: str, value: str) -> int:
    label = page.locator(f'.facet input[name="{facet}"][value="{value}"] ~ .count')
    return int(label.inner_text().replace(",", ""))


def test_an_analyst_filters_searches_and_opens_a_permalink(browser_page, tmp_path):
    load_archive()
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/")
    assert page.locator(".result").count() == 16
    overturned_everywhere = facet_count(page, "outcome", "overturned")

    # Choosing a category applies at once and re-counts the other facets.
    with page.expect_navigation():
        page.get_by_label(re.compile(r"^Diagnostic Testing")).check()
    assert "category=Diagnostic+Testing" in page.url
    assert facet_count(page, "outcome", "overturned") == 2 < overturned_everywhere
    assert facet_count(page, "category", "Diagnostic Testing") == 4

    with page.expect_navigation():
        page.get_by_label(re.compile(r"^Overturned")).check()
    assert page.locator(".result").count() == 2
    assert page.locator(".chip").count() == 2
    page.screenshot(path=tmp_path / "browse-filtered.png", full_page=True)

    # A phrase search keeps the filters and highlights the words found.
    page.get_by_label("Search requests, rationales and clinical summaries").fill(
        '"conservative care"'
    )
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".result").count() == 2
    assert page.locator(".result-snippet mark").first.inner_text().lower() == "conservative"
    # A new search is ranked by relevance (the sort control did not send "newest").
    assert "sort=newest" not in page.url
    assert page.locator("#sort option:checked").inner_text() == "Relevance"

    # The result opens the permalink at its item.
    first = page.locator(".result-title a").first
    href = first.get_attribute("href")
    assert href.endswith("#item-2")
    first.click()
    page.wait_for_url(re.compile(r"/determinations/CM17-\d+/#item-2$"))
    section = page.locator("section#item-2")
    assert section.is_visible()
    assert section.locator(".item-outcome .badge-overturned").is_visible()
    page.screenshot(path=tmp_path / "permalink.png")

    # The same journey's pages on a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=tmp_path / "permalink-phone.png", full_page=True)
    page.goto("/?category=Rehabilitation")
    page.screenshot(path=tmp_path / "browse-phone.png", full_page=True)
    assert page.locator("#filters").evaluate("el => el.open") is False


def test_a_reader_finds_a_case_by_its_number(browser_page):
    load_archive()
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/")
    box = page.get_by_label("Search requests, rationales and clinical summaries")

    # Typed as people type it: lower case, no dash, spaces around.
    box.fill("  cm170000002 ")
    with page.expect_navigation():
        box.press("Enter")
    page.wait_for_url(re.compile(r"/determinations/CM17-0000002/$"))
    assert page.locator("h1").inner_text() == "CM17-0000002"

    # A permalink typed in lower case lands on the canonical one; a number not in the archive
    # is a 404 that offers the nearest numbers and a case-number box.
    page.goto("/determinations/cm17-0000003/")
    assert page.url.endswith("/determinations/CM17-0000003/")
    response = page.goto("/determinations/cm17-0000009/")
    assert response.status == 404
    nearest = page.locator(".nearest-keys a")
    assert nearest.all_inner_texts() == ["CM17-0000001", "CM17-0000002", "CM17-0000003"]
    lookup = page.get_by_label("Find a case number")
    lookup.fill("CM17-0000001")
    with page.expect_navigation():
        lookup.press("Enter")
    page.wait_for_url(re.compile(r"/determinations/CM17-0000001/$"))

    # A case number the archive does not have is searched as words, like any search.
    page.goto("/?q=CM17-0000009")
    assert page.locator(".result").count() == 0


def test_a_researcher_searches_the_requests_only_with_an_abbreviation(browser_page):
    load_archive()
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/")
    page.get_by_label("Search requests, rationales and clinical summaries").fill("PT")
    page.get_by_label("request", exact=True).check()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "field=request" in page.url
    assert page.get_by_label("request", exact=True).is_checked()
    titles = page.locator(".result-title a").all_inner_texts()
    assert len(titles) >= 3
    assert all(re.search(r"physical therapy|\bPT\b", t, re.I) for t in titles), titles

    # The control fits a phone's width.
    page.set_viewport_size({"width": 390, "height": 844})
    bar = page.locator(".searchbar")
    assert bar.evaluate("el => el.scrollWidth <= el.clientWidth")
    assert bar.bounding_box()["width"] <= 390
