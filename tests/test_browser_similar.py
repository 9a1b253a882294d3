"""Similar decisions in real headless Chromium: a permalink fetches each item's five nearest
decisions (static/js/similar.js) and a reader follows one to its item's anchor; without
JavaScript the plain link leads to the page listing them. Also the /check/ form."""

from __future__ import annotations

import pytest

from .builders import a_determination, a_parse, an_item
from .test_browser_pages import BROWSER_CONTEXT  # noqa: F401  (bypass_csp, as the pages' tests)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def two_similar_letters() -> dict[str, str]:
    target = a_determination(
        a_parse(
            items=[
                an_item(
                    request="Physical therapy x 12",
                    service="Physical therapy",
                    category="Rehabilitation",
                    subcategory="PT/OT",
                ),
                an_item(request="MRI of the lumbar spine without contrast"),
            ]
        )
    )
    near = a_determination(
        a_parse(
            items=[
                an_item(
                    request="Acupuncture x 6",
                    service="Acupuncture",
                    category="Rehabilitation",
                    subcategory="Acupuncture",
                ),
                an_item(request="MRI lumbar spine without contrast", outcome="overturned"),
            ],
            decision_date="2017-04-03",
        )
    )
    return {"target": target.key, "near": near.key}


def test_follow_a_similar_decision_to_its_item(browser_page):
    keys = two_similar_letters()
    page = browser_page
    page.goto(f"/determinations/{keys['target']}/")
    box = page.locator("#item-2 .similar-body[data-similar-loaded]")
    box.wait_for()
    link = box.locator(f'a[href="/determinations/{keys["near"]}/#item-2"]')
    assert link.count() == 1
    assert "Overturned" in box.inner_text() and "2017-04-03" in box.inner_text()
    link.click()
    page.wait_for_url(f"**/determinations/{keys['near']}/#item-2")
    assert page.locator("#item-2 h3").inner_text().endswith("MRI lumbar spine without contrast")
    # The item's anchor is where the reader lands: its heading is on the screen.
    assert page.evaluate("document.getElementById('item-2').getBoundingClientRect().top") < 100


def test_without_javascript_the_link_lists_them(chromium, live_server):
    keys = two_similar_letters()
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"/determinations/{keys['target']}/")
        page.locator("#item-2 .similar-body a").click()
        page.wait_for_url(f"**/determinations/{keys['target']}/similar/2/")
        assert page.locator(f'a[href="/determinations/{keys["near"]}/#item-2"]').count() == 1
    finally:
        context.close()


def test_check_form(browser_page):
    two_similar_letters()
    page = browser_page
    page.goto("/")
    page.get_by_role("link", name="Check a request").click()
    page.get_by_label("Treatment request").fill("MRI of the lumbar spine")
    page.get_by_role("button", name="Check").click()
    page.wait_for_url("**/check/?request=MRI*")
    assert page.get_by_role("heading", name="How often MRI was overturned").is_visible()
    assert "not a prediction" in page.inner_text("main")
