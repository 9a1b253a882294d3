"""The guideline pages (issue 19): ``/guidelines/``, a document's and a section's page, their
JSON and CSV, against a small archive whose figures are worked out by hand below."""

from __future__ import annotations

import csv
import io
from urllib.parse import unquote

import pytest
from django.urls import resolve, reverse

from determinations import guideline_pages, services, stats, views_guidelines
from determinations.summaries import summaries_refresh

from .builders import a_determination, a_parse, a_reason, a_reviewer, an_item

pytestmark = pytest.mark.django_db

P1 = "MRI is recommended for patients with red flags or progressive neurologic deficit"
P2 = "Lumbar supports have not been shown to have any lasting benefit beyond acute phase"
SHORT = "not recommended for long-term use"  # under 40 characters: a phrase, not a passage


def basis(source: str, document: str, section: str | None) -> dict:
    citation = {"source": source, "document": document, "chapter": None, "section": section}
    return {
        "basis": "Decision based on ...",
        "citations": [citation | {"pages": None, "year": None}],
    }


@pytest.fixture
def archive():
    """Letter A (2017, orthopedic surgeon): A1 upheld (ODG Low Back, MRIs), A2 overturned (ODG
    Low Back, Lumbar supports). Letter B (2018, physiatrist): B1 overturned (ODG Low Back,
    MRIs), B2 upheld (MTUS Chronic Pain, Opioids). Letter C, withdrawn: C1 (ODG Low Back, MRIs)
    counts nowhere.

    ODG:Low Back: 3 items, 2 overturned (2017: 2 and 1; 2018: 1 and 1); MRIs 2 and 1; Lumbar
    supports 1 and 1. Quoted: P1 by A1, A2 (other case, spacing, typographic quotes) and B1
    (twice: counted once), P2 by B1; so P1 3 items (the latest, B1, linked), P2 1. Reasons:
    A1 not_recommended, A2 and B1 criteria_met, B2 functional_improvement_not_documented; so
    under Low Back criteria_met 2 items (2 overturned) and not_recommended 1 (0), under MRIs
    one each."""
    a = a_determination(
        a_parse(
            decision_date="2017-05-02",
            reviewer=a_reviewer("Orthopedic Surgery"),
            items=[
                an_item(
                    request="MRI lumbar",
                    outcome="upheld",
                    reviewer=basis("ODG", "Low Back", "MRIs"),
                    rationale=f'The guideline states "{P1}." No red flags here.',
                    reasons=[a_reason("not_recommended")],
                ),
                an_item(
                    request="Lumbar brace",
                    outcome="overturned",
                    reviewer=basis("ODG", "Low Back", "Lumbar supports"),
                    rationale="Per ODG, \u201c" + P1.upper().replace(" ", "  ") + "\u201d.",
                    reasons=[a_reason("criteria_met")],
                ),
            ],
        )
    )
    b = a_determination(
        a_parse(
            decision_date="2018-02-01",
            reviewer=a_reviewer("Physical Medicine & Rehabilitation"),
            items=[
                an_item(
                    request="Repeat MRI lumbar",
                    outcome="overturned",
                    reviewer=basis("ODG", "Low Back", "MRIs"),
                    rationale=f'"{P1}" and again "{P1}"; also "{P2}".',
                    reasons=[a_reason("criteria_met")],
                ),
                an_item(
                    request="Tramadol 50 mg",
                    outcome="upheld",
                    category="Pharmaceuticals",
                    subcategory="Opioids",
                    service="tramadol",
                    reviewer=basis("MTUS", "Chronic Pain Medical Treatment Guidelines", "Opioids"),
                    rationale=f'Opioids are "{SHORT}".',
                    reasons=[a_reason("functional_improvement_not_documented")],
                ),
            ],
        )
    )
    c = a_determination(
        a_parse(
            decision_date="2018-03-01",
            items=[an_item(outcome="overturned", reviewer=basis("ODG", "Low Back", "MRIs"))],
        )
    )
    services.determination_withdraw(determination=c, reason="test")
    return {"a": a, "b": b, "c": c}


@pytest.fixture(params=["live", "summaries"])
def counted(request, archive):
    """Every test twice: summaries stale (counted live) and fresh."""
    if request.param == "summaries":
        summaries_refresh(full=True)
    return archive


LOW_BACK = "/guidelines/ODG/Low%20Back/"
MRIS = "/guidelines/ODG/Low%20Back/MRIs/"


def figures(rate: dict) -> tuple:
    return rate["items"], rate["overturned"]


def test_the_list_counts_every_source_document_and_section(client, counted):
    body = client.get("/api/guidelines/").json()
    assert body["sections_sample_every"] is None
    sources = {s["source"]: s for s in body["sources"]}
    assert list(sources) == ["ODG", "MTUS"]  # most items first
    (low_back,) = sources["ODG"]["documents"]
    assert (low_back["document"], *figures(low_back)) == ("Low Back", 3, 2)
    assert [(s["section"], *figures(s)) for s in low_back["sections"]] == [
        ("MRIs", 2, 1),
        ("Lumbar supports", 1, 1),
    ]
    (chronic,) = sources["MTUS"]["documents"]
    assert [(s["section"], *figures(s)) for s in chronic["sections"]] == [("Opioids", 1, 0)]
    low, high = stats.wilson_interval(2, 3)
    assert (low_back["interval_low"], low_back["interval_high"]) == pytest.approx((low, high))

    html = client.get("/guidelines/").content.decode()
    assert f'href="{LOW_BACK}"' in html
    assert f'href="{MRIS}"' in html
    assert "Lumbar supports" in html


def test_a_documents_page_has_its_rates_sections_quotes_and_specialties(client, counted):
    response = client.get(LOW_BACK)
    assert response.status_code == 200
    page = response.context["page"]
    assert figures(page.total.as_dict()) == (3, 2)
    assert [(year, r.items, r.overturned) for year, r in page.years] == [
        ("2017", 2, 1),
        ("2018", 1, 1),
    ]
    assert [(r.guideline.section, r.rate.items) for r in page.sections] == [
        ("MRIs", 2),
        ("Lumbar supports", 1),
    ]
    assert [(r.value, r.items) for r in page.specialties] == [
        ("Orthopedic Surgery", 2),
        ("Physical Medicine & Rehabilitation", 1),
    ]
    b1 = counted["b"].key
    assert [(q.text, q.items, q.key, q.number) for q in page.quotes] == [
        (P1, 3, b1, 1),
        (P2, 1, b1, 1),
    ]
    assert page.quotes_scanned == 3
    html = response.content.decode()
    assert "Repeat MRI lumbar" in html and "Lumbar brace" in html  # the browse list's items
    assert "Tramadol" not in html
    assert "/stats/?guideline=ODG%3ALow+Back&amp;by=outcome&amp;over=year" in html
    assert f"/determinations/{b1}/#item-1" in html
    assert "Reasons reviewers give under it" in html  # the ``reason`` dimension


def test_a_sections_page_counts_its_own_items(client, counted):
    response = client.get(MRIS)
    assert response.status_code == 200
    page = response.context["page"]
    assert figures(page.total.as_dict()) == (2, 1)
    assert [(year, r.items, r.overturned) for year, r in page.years] == [
        ("2017", 1, 0),
        ("2018", 1, 1),
    ]
    assert [(r.value, r.items, r.overturned) for r in page.specialties] == [
        ("Orthopedic Surgery", 1, 0),
        ("Physical Medicine & Rehabilitation", 1, 1),
    ]
    assert [(q.text, q.items) for q in page.quotes] == [(P1, 2), (P2, 1)]
    assert [item.request for item in response.context["recent"]] == [
        "Repeat MRI lumbar",
        "MRI lumbar",
    ]
    assert page.sections == []
    html = response.content.decode()
    assert "Tramadol" not in html and "Lumbar brace" not in html  # its browse list is its own
    section = "guideline_section=ODG%3ALow+Back%7CMRIs"
    assert f"/stats/?{section}&amp;by=outcome&amp;over=year" in html
    assert f'href="/?{section}&amp;year=2018"' in html


def test_the_figures_are_the_summaries_while_fresh(client, archive, django_assert_max_num_queries):
    """Fresh summaries answer the list in one statement (the freshness check in it), and a
    page's statistics (its years too) in one more."""
    summaries_refresh(full=True)
    with django_assert_max_num_queries(1):
        listing = guideline_pages.guideline_list()
    assert listing.section_every is None
    response = client.get(MRIS)
    assert "statistics=summaries" in response["Server-Timing"]
    assert "crosstab" not in response["Server-Timing"]


def test_the_stale_lists_sampled_pass_counts_what_the_summaries_do(archive, monkeypatch):
    """Stale summaries: every item counted live, then every letter "sampled" (1 in 1: the
    generate_series walk), then the summaries once fresh: the same list."""
    live = guideline_pages.guideline_list()
    assert live.section_every is None
    monkeypatch.setattr(guideline_pages, "live_level", lambda: 1)
    sampled = guideline_pages.guideline_list()
    assert sampled.section_every == 1
    summaries_refresh(full=True)
    fresh = guideline_pages.guideline_list()
    assert live.as_dict()["sources"] == sampled.as_dict()["sources"] == fresh.as_dict()["sources"]


def test_a_large_stale_archive_lists_its_sample(archive, monkeypatch):
    """Over ``LIVE_ITEMS_UP_TO`` items the stale list reads the finest sample of at most
    ``SAMPLE_LETTERS_UP_TO`` letters (the planner's row counts: free)."""
    monkeypatch.setattr(guideline_pages, "LIVE_ITEMS_UP_TO", -1)
    assert guideline_pages.live_level() == min(guideline_pages.sampling.LEVELS)
    monkeypatch.setattr(guideline_pages, "SAMPLE_LETTERS_UP_TO", -1)
    assert guideline_pages.live_level() == max(guideline_pages.sampling.LEVELS)
    assert guideline_pages.guideline_list().section_every == max(guideline_pages.sampling.LEVELS)


def test_estimated_figures_are_scaled_and_marked(archive, monkeypatch):
    rate = guideline_pages._rate(3, 1, 16, squares=5)
    assert (rate.items, rate.overturned, rate.estimated) == (48, 16, True)
    assert rate.interval == pytest.approx(stats.wilson_interval(1, 3))
    assert rate.items_interval is not None


def test_quoted_passages_are_deduplicated_counted_and_ordered():
    rows = [
        ("K3", 1, f'"{P2}" and "{P1}"', ""),
        ("K2", 2, f"\u201c{P1.lower()}.\u201d and \u201c{P2}\u201d", ""),
        ("K1", 1, f'"{P1}"   "{SHORT}"', ""),
    ]
    quotes = guideline_pages.quoted_passages(rows)
    assert [(q.text, q.items, q.key) for q in quotes] == [(P1, 3, "K3"), (P2, 2, "K3")]
    assert [(q.items, q.key) for q in quotes] == [(3, "K3"), (2, "K3")]
    assert guideline_pages.quoted_passages([("K", 1, None, ""), ("K", 2, "", None)]) == []


def test_a_quotation_inside_a_quotation_stays_part_of_it():
    rationale = (
        'The guidelines also state "patients should be formally assessed after a "6 visit clinical'
        ' trial" to evaluate whether PT has resulted in positive impact, no impact, or negative'
        ' impact prior to continuing with or modifying the physical therapy." The ODG states,'
        " \u201cwhen treatment duration exceeds the guideline, \u201cexceptional factors\u201d"
        " should be noted.\u201d"
    )
    assert guideline_pages.quotations(rationale) == [
        'patients should be formally assessed after a "6 visit clinical trial" to evaluate whether'
        " PT has resulted in positive impact, no impact, or negative impact prior to continuing"
        " with or modifying the physical therapy.",
        "when treatment duration exceeds the guideline, \u201cexceptional factors\u201d should be"
        " noted.",
    ]


def test_a_quote_never_closed_does_not_swallow_the_quotations_after_it():
    passage = "a passage of the guideline that is long enough to count"
    assert guideline_pages.quotations(f'He wrote "6 visits, then "{passage}" here.') == [passage]
    far = "x" * (guideline_pages.QUOTE_MAX + 10)
    assert guideline_pages.quotations(f'"{far} "{passage}" and') == [passage]
    assert guideline_pages.quotations('no quotes, or one " alone') == []


def test_ties_keep_the_order_found():
    first, second = "a" * 45, "b" * 45
    quotes = guideline_pages.quoted_passages([("K1", 1, f'"{second}" "{first}"', "")])
    assert [q.text for q in quotes] == [second, first]


@pytest.mark.parametrize(
    "url",
    [
        "/guidelines/NOSUCH/Low%20Back/",
        "/guidelines/ODG/No%20Such%20Chapter/",
        "/guidelines/ODG/Low%20Back/No%20such%20section/",
        "/guidelines/ODG/Low~ZZBack/",
        "/guidelines/MTUS/Low%20Back/",  # ODG's chapter, not MTUS's
        "/api/guidelines/NOSUCH/Low%20Back/",
        "/api/guidelines/ODG/No%20Such%20Chapter/",
        "/api/guidelines/ODG/Low%20Back/No%20such%20section/",
    ],
)
def test_what_no_reviewer_cites_is_a_404(client, archive, url):
    response = client.get(url)
    assert response.status_code == 404


def test_a_withdrawn_items_citation_alone_is_not_cited(client, archive):
    knee = a_determination(a_parse(items=[an_item(reviewer=basis("ODG", "Knee", "Arthroscopy"))]))
    assert client.get("/guidelines/ODG/Knee/Arthroscopy/").status_code == 200
    services.determination_withdraw(determination=knee, reason="test")
    assert client.get("/guidelines/ODG/Knee/").status_code == 404
    assert client.get("/guidelines/ODG/Knee/Arthroscopy/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/guidelines/ODG/%20Low%20Back/",
        "/guidelines/ODG/Low%01Back/",
        "/guidelines/ODG/Low%20Back/" + "x" * 1001 + "/",
        "/guidelines/?page=2",
        "/guidelines/?format=xml",
        "/guidelines/ODG/Low%20Back/?format=csv",
        "/guidelines/ODG/Low%20Back/?format=csv&table=nope",
        "/guidelines/ODG/Low%20Back/?table=years",
        "/guidelines/ODG/Low%20Back/?format=csv&format=csv&table=years",
        "/api/guidelines/?x=1",
        "/api/guidelines/ODG/Low%01Back/",
        "/api/guidelines/ODG/Low%20Back/?format=csv",
    ],
)
def test_bad_input_is_a_400(client, archive, url):
    response = client.get(url)
    assert response.status_code == 400


def test_the_json_of_a_page(client, counted):
    body = client.get("/api/guidelines/ODG/Low%20Back/MRIs/").json()
    assert body["guideline"] == {"source": "ODG", "document": "Low Back", "section": "MRIs"}
    assert body["filter"] == {"guideline": "ODG:Low Back"}
    assert figures(body["items"]) == (2, 1)
    assert [(y["year"], *figures(y)) for y in body["years"]] == [("2017", 1, 0), ("2018", 1, 1)]
    assert body["quotes"][0]["items"] == 2
    assert [(r["value"], *figures(r)) for r in body["reasons"]] == [
        ("criteria_met", 1, 1),
        ("not_recommended", 1, 0),
    ]
    assert client.get("/api/guidelines/ODG/Low%20Back/").json()["sections"][0]["section"] == "MRIs"


@pytest.mark.parametrize("url", [LOW_BACK, MRIS])
def test_the_reasons_section_counts_the_items_reasons(client, counted, url):
    """The ``reason`` dimension's values of the page's items (from the summaries when fresh),
    each linking to the page's items giving it."""
    response = client.get(url)
    html = response.content.decode()
    assert "Reasons reviewers give under it" in html
    if url == LOW_BACK:
        expected = [("criteria_met", 2, 2), ("not_recommended", 1, 0)]
        assert "guideline=ODG%3ALow+Back&amp;reason=criteria_met" in html
    else:
        expected = [("criteria_met", 1, 1), ("not_recommended", 1, 0)]
        assert "guideline_section=ODG%3ALow+Back%7CMRIs&amp;reason=criteria_met" in html
    assert [(r.value, r.items, r.overturned) for r in response.context["page"].reasons] == expected
    assert "Guideline criteria met" in html  # the reason's label
    body = client.get("/api" + url).json()
    assert [(r["value"], r["items"]) for r in body["reasons"]] == [e[:2] for e in expected]
    rows = rows_of(client.get(url + "?format=csv&table=reasons"))
    assert [row[:3] for row in rows[1:]] == [[v, str(n), str(o)] for v, n, o in expected]


def rows_of(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_csv_tables(client, counted):
    rows = rows_of(client.get("/guidelines/?format=csv"))
    assert rows[0][:5] == ["source", "document", "section", "items", "overturned"]
    assert rows[1][:5] == ["ODG", "Low Back", "", "3", "2"]
    assert rows[2][:5] == ["ODG", "Low Back", "MRIs", "2", "1"]
    years = rows_of(client.get(LOW_BACK + "?format=csv&table=years"))
    assert [row[:3] for row in years] == [
        ["year", "items", "overturned"],
        ["2017", "2", "1"],
        ["2018", "1", "1"],
    ]
    specialties = rows_of(client.get(MRIS + "?format=csv&table=specialties"))
    assert specialties[1][:2] == ["Orthopedic Surgery", "1"]
    quotes = rows_of(client.get(MRIS + "?format=csv&table=quotes"))
    assert quotes[1][:2] == [P1, "2"]
    assert rows_of(client.get(MRIS + "?format=csv&table=reasons"))[0] == [
        "reason",
        "items",
        "overturned",
        "overturn_rate",
        "interval_low",
        "interval_high",
        "estimated",
    ]


def test_permalinks_link_the_reviewers_guidelines_to_their_pages(client, archive):
    html = client.get(archive["a"].get_absolute_url()).content.decode()
    assert f'<a href="{LOW_BACK}"' in html
    assert f'<a href="{MRIS}">MRIs</a>' in html
    assert 'href="/guidelines/ODG/Low%20Back/Lumbar%20supports/"' in html


def test_a_slash_in_a_document_survives_the_path(client, archive):
    a_determination(a_parse(items=[an_item(reviewer=basis("Other", "Drugs/Compounds", "A/B"))]))
    html = client.get("/guidelines/").content.decode()
    assert 'href="/guidelines/Other/Drugs~2FCompounds/"' in html
    assert 'href="/guidelines/Other/Drugs~2FCompounds/A~2FB/"' in html
    response = client.get("/guidelines/Other/Drugs~2FCompounds/A~2FB/")
    assert response.status_code == 200
    assert response.context["page"].total.items == 1


@pytest.mark.parametrize("section", ["MRIs", "A/B & C's ~x: 50% (é)", "~2F", "a+b=c?#"])
def test_the_lists_section_addresses_are_what_reverse_gives(section):
    document = reverse("determinations:guideline", args=["ODG", "Low Back"])
    expected = reverse("determinations:guideline_section", args=["ODG", "Low Back", section])
    assert views_guidelines.section_href(document, section) == expected
    assert resolve(unquote(expected)).kwargs["section"] == section  # a decoded path, as served


def test_the_navigation_lists_the_guidelines(client, archive):
    assert '<a href="/guidelines/">Guidelines</a>' in client.get("/").content.decode()


def test_an_items_own_request_quoted_back_is_not_a_passage():
    """An analyst audit: most "passages" of the Chronic Pain page were requests quoted back
    ("Decision for Pulsed Ultrasound 2 times a week for 4 weeks")."""
    passage = "Allow for fading of treatment frequency plus active self-directed home PT."
    rows = [
        (
            "K",
            1,
            f'"{passage}" Therefore, the "Decision for Pulsed Ultrasound 2 times a week for 4 '
            'weeks" is not medically necessary, and "Twelve physical therapy sessions for the '
            'right elbow" is not either.',
            "Twelve physical therapy sessions for the right elbow",
        )
    ]
    assert [q.text for q in guideline_pages.quoted_passages(rows)] == [passage]
