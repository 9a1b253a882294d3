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

from .builders import a_determination, a_parse, a_reviewer, an_item

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
    (twice: counted once), P2 by B1; so P1 3 items (the latest, B1, linked), P2 1."""
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
                ),
                an_item(
                    request="Lumbar brace",
                    outcome="overturned",
                    reviewer=basis("ODG", "Low Back", "Lumbar supports"),
                    rationale="Per ODG, \u201c" + P1.upper().replace(" ", "  ") + "\u201d.",
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
                ),
                an_item(
                    request="Tramadol 50 mg",
                    outcome="upheld",
                    category="Pharmaceuticals",
                    subcategory="Opioids",
                    service="tramadol",
                    reviewer=basis("MTUS", "Chronic Pain Medical Treatment Guidelines", "Opioids"),
                    rationale=f'Opioids are "{SHORT}".',
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
    assert [item.request for item in page.recent] == ["Repeat MRI lumbar", "MRI lumbar"]
    assert page.sections == []


def test_the_sampled_pass_counts_what_the_exact_one_does(client, archive, monkeypatch):
    """Every letter "sampled" (1 in 1): the generate_series walk finds the same items."""
    exact = guideline_pages.page(guideline_pages.Guideline("ODG", "Low Back", "MRIs"))
    listing = guideline_pages.guideline_list()
    monkeypatch.setattr(guideline_pages, "list_level", lambda: 1)
    monkeypatch.setattr(guideline_pages, "EXACT_DOCUMENT_ITEMS_UP_TO", -1)
    sampled = guideline_pages.page(guideline_pages.Guideline("ODG", "Low Back", "MRIs"))
    assert sampled.every == 1
    assert figures(sampled.total.as_dict()) == figures(exact.total.as_dict())
    assert sampled.quotes == exact.quotes
    assert guideline_pages.guideline_list().as_dict()["sources"] == listing.as_dict()["sources"]


def test_estimated_figures_are_scaled_and_marked(archive, monkeypatch):
    rate = guideline_pages._rate(3, 1, 16, squares=5)
    assert (rate.items, rate.overturned, rate.estimated) == (48, 16, True)
    assert rate.interval == pytest.approx(stats.wilson_interval(1, 3))
    assert rate.items_interval is not None


def test_quoted_passages_are_deduplicated_counted_and_ordered():
    rows = [
        ("K3", 1, f'"{P2}" and "{P1}"'),
        ("K2", 2, f"\u201c{P1.lower()}.\u201d and \u201c{P2}\u201d"),
        ("K1", 1, f'"{P1}"   "{SHORT}"'),
    ]
    quotes = guideline_pages.quoted_passages(rows)
    assert [(q.text, q.items, q.key) for q in quotes] == [(P1, 3, "K3"), (P2, 2, "K3")]
    assert [(q.items, q.key) for q in quotes] == [(3, "K3"), (2, "K3")]
    assert guideline_pages.quoted_passages([("K", 1, None), ("K", 2, "")]) == []


def test_ties_keep_the_order_found():
    first, second = "a" * 45, "b" * 45
    quotes = guideline_pages.quoted_passages([("K1", 1, f'"{second}" "{first}"')])
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
    assert body["reasons"] == []  # these items give no reasons
    assert client.get("/api/guidelines/ODG/Low%20Back/").json()["sections"][0]["section"] == "MRIs"


@pytest.mark.parametrize("url", [LOW_BACK, MRIS])
def test_the_reasons_section_lights_up_with_a_reason_dimension(client, counted, monkeypatch, url):
    """Until the ``reason`` dimension exists, the reviewer's licensure stands in for it: the
    same generic dimension code counts it (from the summaries for a document)."""
    monkeypatch.setattr(
        guideline_pages, "reason_dimension", lambda: guideline_pages.BY_NAME["licensure"]
    )
    response = client.get(url)
    html = response.content.decode()
    assert "Reasons reviewers give under it" in html
    expected = (3, 2) if url == LOW_BACK else (2, 1)
    assert [(r.value, r.items, r.overturned) for r in response.context["page"].reasons] == [
        ("California", *expected)
    ]
    assert "licensure=California" in html
    body = client.get("/api" + url).json()
    assert [(r["value"], r["items"]) for r in body["reasons"]] == [("California", expected[0])]
    rows = rows_of(client.get(url + "?format=csv&table=reasons"))
    assert rows[1][:3] == ["California", str(expected[0]), str(expected[1])]


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
    assert rows_of(client.get(MRIS + "?format=csv&table=reasons")) == [
        [
            "reason",
            "items",
            "overturned",
            "overturn_rate",
            "interval_low",
            "interval_high",
            "estimated",
        ]
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
