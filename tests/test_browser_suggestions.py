"""Typo tolerance in real headless Chromium: a misspelt search offers "did you mean", and a
facet's values narrow as the reader types in its filter box (static/js/facet-filter.js)."""

from __future__ import annotations

import re

import pytest

from determinations import summaries

from .builders import a_determination, a_parse, an_item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Six services with two items (the facet's top six), six with one (its "more" list).
TOP = ["gabapentin", "tramadol", "naproxen", "omeprazole", "cyclobenzaprine", "oxycodone"]
MORE = ["tizanidine", "baclofen", "meloxicam", "duloxetine", "pregabalin", "zolpidem"]


def load_archive() -> None:
    for service in TOP + TOP + MORE:
        a_determination(
            a_parse(
                items=[
                    an_item(
                        request=f"{service.capitalize()} #60",
                        category="Pharmaceuticals",
                        subcategory="Other",
                        service=service,
                        body_regions=[],
                    )
                ]
            )
        )
    summaries.summaries_refresh()  # what the parse task queues after parsing


def test_a_reader_follows_a_suggestion_and_filters_a_facet_list(browser_page, tmp_path):
    load_archive()
    page = browser_page
    problems = []
    # Script errors, Content Security Policy refusals, and failed requests (bar the favicon).
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on(
        "console",
        lambda m: (
            m.type == "error"
            and not m.text.startswith("Failed to load resource")
            and problems.append(m.text)
        ),
    )
    page.on(
        "response",
        lambda r: r.status >= 400 and "favicon" not in r.url and problems.append(r.url),
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/")

    # A misspelt drug finds nothing, and the page offers the archive's own word.
    box = page.get_by_label("Search requests, rationales and clinical summaries")
    box.fill("gabapentn")
    with page.expect_navigation():
        box.press("Enter")
    assert page.locator(".result").count() == 0
    offer = page.locator(".did-you-mean a").first
    assert offer.inner_text() == "gabapentin"
    page.screenshot(path=tmp_path / "did-you-mean.png", full_page=True)
    offer.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert re.search(r"[?&]q=gabapentin(&|$)", page.url)
    assert page.locator(".result").count() == 2
    assert page.locator(".did-you-mean").count() == 0

    # The service facet's filter box: labelled, over its top values and its "more" list, and
    # keeps near matches; the "more" list opens for a match in it.
    page.goto("/")
    facet = page.locator('.facet:has(input[name="service"])')
    more = facet.locator("details.more")
    assert more.get_attribute("open") is None
    filter_box = page.get_by_label("Filter the service values")
    assert filter_box.is_visible()
    filter_box.focus()
    page.keyboard.type("tizanidne")
    assert more.get_attribute("open") is not None
    visible = facet.locator("li:visible .facet-label")
    assert visible.all_inner_texts() == ["tizanidine"]
    assert facet.locator(".facet-filter-status").inner_text() == "1 of 12 shown"
    page.screenshot(path=tmp_path / "facet-filter.png", full_page=True)
    page.keyboard.press("Enter")  # does not submit the form
    assert page.url.endswith("/")
    page.keyboard.press("Escape")  # clears the box: every value is back
    assert facet.locator("li:visible").count() == len(TOP) + len(MORE)
    page.keyboard.type("gabapentn")  # a top value is found too
    assert visible.all_inner_texts() == ["gabapentin"]
    page.keyboard.press("Escape")
    page.keyboard.type("zolp")
    assert visible.all_inner_texts() == ["zolpidem"]

    # Choosing the value left applies the filter, as any facet checkbox does.
    with page.expect_navigation():
        more.get_by_label(re.compile(r"^zolpidem")).check()
    assert "service=zolpidem" in page.url
    assert page.locator(".result").count() == 1
    assert problems == []
