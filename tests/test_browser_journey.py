"""A reader's journey across issue 19's pages in real headless Chromium: a permalink, its similar
decisions (fetched by static/js/similar.js), one of them followed to its permalink, its reviewer's
cited guideline followed to the guideline's page and its section's page, which list that decision
among those citing it with totals that browse agrees with. Also the permalink with its similar
decisions loaded (a state the every-page tests do not wait for) on a 390 px phone and under
axe-core. The archive is test_browser_similar's; every builder item cites ODG, Low Back, MRIs."""

from __future__ import annotations

import re

import pytest

from determinations import summaries

from .test_browser_pages import DESKTOP, PHONE, axe_problems, phone_problems, require_axe
from .test_browser_reports import browse_total
from .test_browser_similar import two_similar_letters

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BROWSER_CONTEXT = {"bypass_csp": True}  # axe-core is injected as an inline script
DOCUMENT = "/guidelines/ODG/Low%20Back/"


def similar_loaded(page, number: int):
    """The item's similar-decisions box once static/js/similar.js has replaced its link."""
    box = page.locator(f"#item-{number} .similar-body[data-similar-loaded]")
    box.wait_for()
    return box


def cited_items(page) -> int:
    """The guideline page's count of items whose reviewer cites it (exact: no ~)."""
    figure = page.locator("section[aria-labelledby='totals'] .stat-figures li strong").first
    text = figure.inner_text()
    assert not text.startswith("~"), text
    return int(text.replace(",", ""))


def citing_links(page) -> list[str]:
    return page.locator("section[aria-labelledby='decisions'] .result-title a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )


def test_from_a_similar_decision_to_its_guideline_and_back_to_browse(browser_page):
    keys = two_similar_letters()
    summaries.summaries_refresh()  # what the parse task queues after parsing
    near = f"/determinations/{keys['near']}/"
    page = browser_page
    page.set_viewport_size(DESKTOP)

    # The permalink's similar decisions, and one followed to its own permalink.
    page.goto(f"/determinations/{keys['target']}/")
    box = similar_loaded(page, 2)
    with page.expect_navigation():
        box.locator(f'a[href="{near}#item-2"]').click()
    assert page.url.endswith(f"{near}#item-2")

    # Its reviewer's cited document, followed to the guideline's page.
    item = page.locator("#item-2")
    with page.expect_navigation():
        item.locator(".citations").get_by_role("link", name="Low Back").click()
    assert page.url.endswith(DOCUMENT)
    assert page.get_by_role("heading", level=1).inner_text() == "ODG · Low Back"
    assert f"{near}#item-2" in citing_links(page)
    document_items = cited_items(page)
    assert document_items == 4  # both letters' two items cite it

    # Its "decisions citing it" are browse's, with the same total.
    with page.expect_navigation():
        page.get_by_role("link", name="Browse the decisions citing it").click()
    assert "guideline=ODG" in page.url
    assert browse_total(page) == document_items
    assert page.locator(f'#results a[href="{near}#item-2"]').count() == 1

    # Back on the decision, its cited section leads to the section's page.
    page.goto(near)
    with page.expect_navigation():
        page.locator("#item-2 .citations").get_by_role("link", name="MRIs").click()
    assert page.url.endswith(f"{DOCUMENT}MRIs/")
    assert re.match(r"MRIs\s*\(ODG · Low Back\)", page.get_by_role("heading", level=1).inner_text())
    assert f"{near}#item-2" in citing_links(page)
    section_items = cited_items(page)
    assert 1 <= section_items <= document_items
    # Its "decisions citing it" are browse's too, filtered by the section.
    with page.expect_navigation():
        page.get_by_role("link", name="Browse the decisions citing it").click()
    assert "guideline_section=ODG" in page.url
    assert browse_total(page) == section_items
    assert page.locator(f'#results a[href="{near}#item-2"]').count() == 1


def test_a_permalink_with_its_similar_decisions_fits_a_phone_and_passes_axe(browser_page):
    page = browser_page
    require_axe()
    keys = two_similar_letters()
    summaries.summaries_refresh()
    problems = []
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        page.goto(f"/determinations/{keys['target']}/")
        for number in (1, 2):
            similar_loaded(page, number)
        label = f"permalink with its similar decisions at {size['width']} px"
        if size is PHONE:
            problems += phone_problems(page, label)
        problems += axe_problems(page, label)
    assert problems == [], "\n".join(problems)
