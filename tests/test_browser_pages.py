"""Every public page kind in real headless Chromium, on a desktop and on a 390 px phone: it
fits the phone's width (nothing scrolls sideways but a box of its own), its charts' text stays
readable, and axe-core finds no accessibility violation. Also the sort control from the
keyboard. The archive is the published letters the tests carry, plus a compound cream named
the way pharmacies write it (one long word) and a withdrawn letter."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

from determinations import services, summaries
from determinations.models import Determination

from .builders import a_determination, a_parse, an_item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REAL = Path(__file__).parent / "assets" / "letters" / "real"
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
COMPOUND = (
    "Compound: Flurbiprofen/Baclofen/Cyclobenzaprine/Gabapentin/Lidocaine/Prilocaine/"
    "Dexamethasone 20%/5%/2%/6%/2%/2%/0.2% in Lipoderm base, 240 grams, apply to the "
    "lumbar spine and bilateral knees three times a day"
)
WITHDRAWN = "CM16-0219557"
# axe-core is injected as an inline script, which the pages' Content Security Policy refuses.
BROWSER_CONTEXT = {"bypass_csp": True}

# (what, address, status): every public page kind. The letter with the longest request of
# the published ones is CM17-0006797 (150 characters, "decompression/acromioplasty");
# CM17-0014438 has the compounded creams, CM17-0005418 two items (a table of contents).
PAGES = [
    ("browse", "/", 200),
    ("search", "/?q=epidural+steroid+injection", 200),
    ("request-only search", "/?q=PT&field=request&sort=newest", 200),
    ("did-you-mean search", "/?q=gabapentn", 200),
    ("filtered browse", "/?category=Pharmaceuticals&outcome=upheld", 200),
    ("statistics", "/stats/", 200),
    ("filtered statistics", "/stats/?category=Pharmaceuticals", 200),
    ("cross-tab over year", "/stats/?by=category&over=year", 200),
    ("cross-tab shares over quarter", "/stats/?by=subcategory&over=quarter&measure=share", 200),
    ("permalink, longest request", "/determinations/CM17-0006797/", 200),
    ("permalink, compounded creams", "/determinations/CM17-0014438/", 200),
    ("permalink, compound in one word", "/determinations/CM17-0099001/", 200),
    ("permalink, two items", "/determinations/CM17-0005418/", 200),
    ("similar decisions", "/determinations/CM17-0005418/similar/1/", 200),
    ("check a request", "/check/?request=Norco+10%2F325mg+%2360", 200),
    ("API", "/api/", 200),
    ("guidelines", "/guidelines/", 200),
    ("guideline document", "/guidelines/ODG/Low%20Back/", 200),  # the builder's citation
    ("guideline section", "/guidelines/ODG/Low%20Back/MRIs/", 200),
    ("400", "/?colour=red&year=abc", 400),
    ("404", "/no/such/page/", 404),
    ("404 for a case number", "/determinations/CM17-0006798/", 404),
    ("410", f"/determinations/{WITHDRAWN}/", 410),
]
# axe-core takes about a second a page: one page of each template and state is enough.
AXE_PAGES = [
    page
    for page in PAGES
    if page[0] not in {"filtered browse", "filtered statistics"}
    and not page[0].startswith("permalink, compound")
]


def load_archive() -> None:
    for path in sorted(REAL.glob("*.pdf")):
        stored = services.letter_store(data=path.read_bytes(), name=path.name)
        services.letter_parse(letter=stored.letter)
    a_determination(
        a_parse(
            case_number="CM17-0099001",
            decision_date="2017-05-02",
            items=[
                an_item(
                    request=COMPOUND,
                    category="Pharmaceuticals",
                    subcategory="Topical Compounds",
                    service="flurbiprofen",
                    body_regions=["lumbar", "knee"],
                    outcome="upheld",
                )
            ],
        )
    )
    for year in (2013, 2014, 2015, 2018, 2019, 2020, 2021, 2022, 2023, 2024):  # a long trend
        a_determination(a_parse(decision_date=f"{year}-06-30", items=[an_item(outcome="upheld")]))
    services.determination_withdraw(
        determination=Determination.objects.get(case_number=WITHDRAWN),
        reason="Withdrawn at the Division's request.",
    )
    summaries.summaries_refresh()  # what the parse task queues after parsing


def visit(page, what: str, address: str, status: int) -> list[str]:
    response = page.goto(address)
    if response.status != status:
        return [f"{what} ({address}): status {response.status}, expected {status}"]
    return []


# The outermost elements that stick out of the screen: the ones whose parent does not.
WIDER_THAN_THE_SCREEN = """() => {
  const width = document.documentElement.clientWidth;
  const out = el => el.getBoundingClientRect().right > width + 0.5;
  const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    [...el.classList].map(c => "." + c).join("");
  return [...document.querySelectorAll("body *")]
    .filter(el => (out(el) && !out(el.parentElement)) ||
                  (!out(el) && el.scrollWidth > el.clientWidth + 1 && !el.children.length))
    .slice(0, 5)
    .map(el => name(el) + " (" + Math.round(el.getBoundingClientRect().right) + " px)");
}"""

# Each chart's visible text: its rendered font size and height, and the texts it overlaps.
CHART_TEXT = """() => [...document.querySelectorAll("svg")].flatMap(svg => {
  const texts = [...svg.querySelectorAll("text")]
    .map(t => ({text: t.textContent, box: t.getBoundingClientRect(),
                px: parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a}))
    .filter(t => t.box.width > 0);
  const meet = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 &&
                         a.top < b.bottom - 1 && b.top < a.bottom - 1;
  return texts.map(t => ({text: t.text, height: t.box.height, px: t.px,
    overlaps: texts.filter(o => o !== t && meet(t.box, o.box)).map(o => o.text)}));
})"""


def phone_problems(page, what: str) -> list[str]:
    """Sideways scrolling (with the elements that stick out) and chart text under 12 px."""
    problems = []
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > PHONE["width"]:
        wide = page.evaluate(WIDER_THAN_THE_SCREEN)
        problems.append(f"{what}: {scroll_width} px wide at 390 px; too wide: {wide}")
    texts = page.evaluate(CHART_TEXT)
    small = [
        f"{t['text']!r} ({t['px']:.1f} px, {t['height']:.1f} px high)"
        for t in texts
        if t["px"] < 12 or t["height"] < 12
    ]
    if small:
        problems.append(f"{what}: chart text under 12 px: {small[:5]}")
    overlapping = [f"{t['text']!r} over {t['overlaps']}" for t in texts if t["overlaps"]]
    if overlapping:
        problems.append(f"{what}: chart text overlaps: {overlapping[:5]}")
    return problems


def require_axe() -> None:
    """Skip (fail under CI, where make test installs it) when axe-core is not installed."""
    if not AXE.exists():
        message = f"{AXE} is missing: run `npm ci` (make test does when npm is installed)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def axe_problems(page, what: str) -> list[str]:
    """axe-core's violations on the page, one line each: rule, impact, the nodes it found."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{what}: {v['id']} ({v['impact']}) {v['help']}: "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:6])
        for v in result["violations"]
    ]


def unfold_the_filters(page) -> None:
    """The browse page with its filters open (folded at first on a phone) and every facet's
    "more" list open, with its filter box."""
    page.goto("/?category=Pharmaceuticals")
    page.evaluate("document.getElementById('filters').open = true")
    for more in page.locator("details.more > summary").all():
        more.click()


def test_every_public_page_fits_a_phone_with_readable_charts(browser_page):
    page = browser_page
    load_archive()
    page.set_viewport_size(PHONE)
    problems = []
    for what, address, status in PAGES:
        problems += visit(page, what, address, status) or phone_problems(page, what)
    # The browse page's filters, unfolded on the phone, fit too.
    unfold_the_filters(page)
    problems += phone_problems(page, "browse with every filter unfolded")
    assert problems == [], "\n".join(problems)
    # The statistics page had its charts to measure, the trend one over many years.
    page.goto("/stats/")
    assert page.locator("svg.chart-bars").count() >= 3
    assert page.locator("svg.chart-trend.chart-dense .chart-year-short").first.is_visible()


def test_every_public_page_has_no_accessibility_violations(browser_page):
    page = browser_page
    require_axe()
    load_archive()
    problems = []
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        for what, address, status in AXE_PAGES:
            label = f"{what} at {size['width']} px"
            problems += visit(page, label, address, status) or axe_problems(page, label)
        unfold_the_filters(page)
        problems += axe_problems(page, f"browse with every filter unfolded at {size['width']} px")
    assert problems == [], "\n".join(problems)


def test_the_sort_order_moves_with_the_arrow_keys_and_applies_on_enter(browser_page):
    page = browser_page
    load_archive()
    page.set_viewport_size(DESKTOP)
    page.goto("/?q=physical+therapy")
    start = page.url
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    sort = page.locator("#sort")
    assert sort.locator("option:checked").inner_text() == "Relevance"

    sort.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(300)  # a submission would have started by now
    assert navigations == [] and page.url == start
    chosen = sort.locator("option:checked").inner_text()
    assert chosen != "Relevance"
    assert page.get_by_role("button", name="Sort", exact=True).is_visible()

    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "sort=" in page.url and page.url != start
    assert page.locator("#sort option:checked").inner_text() == chosen
    assert page.evaluate("document.activeElement.id") == "sort"  # focus kept its place

    # Picked with a pointer, an order still applies at once.
    with page.expect_navigation():
        page.locator("#sort").select_option(label="Relevance")
    assert page.locator("#sort option:checked").inner_text() == "Relevance"
