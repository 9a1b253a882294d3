"""The permalink page ``/determinations/<key>/``: the whole letter, item anchors, links back."""

from __future__ import annotations

import re
from html import unescape

import pytest

from determinations import services

from .builders import CHRONIC_PAIN, ODG_LOW_BACK, a_determination, a_parse, an_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def letter():
    return a_determination(
        a_parse(
            case_number="CM16-0213037",
            patient={"age": 52, "sex": "female"},
            priority="expedited",
            items=[
                an_item(),
                an_item(
                    request="Acupuncture x 6",
                    original_request="Acupuncture x 12",
                    authorized="Acupuncture x 6",
                    category="Rehabilitation",
                    subcategory="Acupuncture",
                    service="Acupuncture",
                    body_regions=["lumbar", "cervical"],
                    quantity=6,
                    outcome="overturned",
                    rationale="Functional improvement was documented after the first sessions.",
                ),
            ],
        )
    )


def page(client, determination) -> str:
    response = client.get(determination.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_the_header_panel_shows_case_dates_priority_outcome_and_patient(client, letter):
    html = page(client, letter)
    for text in (
        "<h1>CM16-0213037</h1>",
        '<time datetime="2017-01-10">2017-01-10</time>',
        "2016-12-07",  # assigned
        "2016-12-01",  # application received
        "2016-11-30",  # UR denial
        "2015-03-02",  # injury
        "Expedited",
        "badge-partially-overturned",
        "52-year-old female",
    ):
        assert text in html, text


def test_the_reviewer_and_clinical_summary_are_shown(client, letter):
    html = page(client, letter)
    assert "expert reviewer" in html
    assert 'href="/?specialty=Physical%20Medicine%20%26%20Rehabilitation"' in html
    assert "California" in html
    assert "chronic low back pain" in html


def test_each_item_is_a_section_with_its_anchor(client, letter):
    html = page(client, letter)
    assert re.search(r'<section class="item" id="item-1"', html)
    assert re.search(r'<section class="item" id="item-2"', html)
    assert 'href="#item-2"' in html  # the table of contents and the item's own link
    item2 = html.split('id="item-2"')[1]
    for text in (
        "Acupuncture x 12",  # original request
        "Authorized by the claims administrator",
        "badge-overturned",
        'href="/?region=cervical"',
        'href="/?service=Acupuncture"',
        'href="/?category=Rehabilitation&amp;subcategory=Acupuncture"',
        "<dd>6</dd>",  # quantity
        "Functional improvement was documented",
    ):
        assert text in item2, text


def test_both_guideline_bases_show_their_parsed_citations(client, letter):
    item1 = page(client, letter).split('id="item-1"')[1].split('id="item-2"')[0]
    assert "Claims administrator's guideline" in unescape(item1)
    assert "MTUS: Chronic Pain Medical Treatment Guidelines" in item1
    assert "Reviewer's guideline (MAXIMUS)" in unescape(item1)
    low_back = '<a href="/guidelines/ODG/Low%20Back/" title="The guideline\'s page: its decisions, '
    assert low_back in item1
    assert '>Low Back</a>, <a href="/guidelines/ODG/Low%20Back/MRIs/">MRIs</a>' in item1
    assert '<a href="/?guideline_source=ODG">ODG</a>' in item1


def test_the_cite_line_has_case_date_item_outcome_and_url(client, letter):
    html = unescape(page(client, letter))
    assert (
        "IMR CM16-0213037, decided 2017-01-10, item 2 (Acupuncture x 6): Overturned. "
        "http://testserver/determinations/CM16-0213037/#item-2"
    ) in html


def test_the_page_links_original_json_and_canonical(client, letter):
    html = page(client, letter)
    assert '<link rel="canonical" href="http://testserver/determinations/CM16-0213037/">' in html
    assert 'href="/determinations/CM16-0213037/original/"' in html
    assert 'href="/determinations/CM16-0213037/json/"' in html


def test_letter_text_is_escaped_on_the_permalink(client):
    determination = a_determination(
        a_parse(
            clinical_summary="<script>alert('summary')</script>",
            items=[an_item(request="<img src=x onerror=alert(1)>", rationale="<b>bold</b>")],
        )
    )
    html = page(client, determination)
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>bold" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_the_permalink_page_and_json_run_two_queries(client, django_assert_num_queries):
    """The letter with its reviewer and parse, then its items with their citations: every column
    either shows is loaded (a deferred one would cost a query an item)."""
    items = [an_item(number=n) for n in range(1, 8)]
    items.append(an_item(number=8, claims_administrator={"basis": "", "citations": []}))
    determination = a_determination(a_parse(items=items))
    with django_assert_num_queries(2):
        page(client, determination)
    with django_assert_num_queries(2):
        assert client.get(f"/determinations/{determination.key}/json/").status_code == 200


def test_citations_keep_their_basis_and_letter_order_and_an_empty_basis_has_no_list(client):
    second = {**ODG_LOW_BACK, "document": "Knee & Leg", "section": "Arthroscopy"}
    determination = a_determination(
        a_parse(
            items=[
                an_item(
                    claims_administrator={"basis": "", "citations": []},
                    reviewer={"basis": "ODG.", "citations": [ODG_LOW_BACK, second, CHRONIC_PAIN]},
                )
            ]
        )
    )
    html = unescape(page(client, determination))
    administrator, reviewer = html.split("Reviewer's guideline (MAXIMUS)")
    administrator = administrator.split("Claims administrator's guideline")[1]
    assert "Not stated." in administrator and "citations" not in administrator
    listed = reviewer.split('<ul class="citations">')[1].split("</ul>")[0]
    positions = [listed.index(text) for text in ("MRIs", "Arthroscopy", "Chronic Pain")]
    assert positions == sorted(positions)
    body = client.get(f"/determinations/{determination.key}/json/").json()
    cited = body["items"][0]["reviewer"]["citations"]
    assert [c["document"] for c in cited] == ["Low Back", "Knee & Leg", CHRONIC_PAIN["document"]]
    assert cited[1] == {k: second[k] for k in cited[1]}
    assert body["items"][0]["claims_administrator"] == {"basis": "", "citations": []}


def test_a_letter_without_case_number_uses_its_hash_key(client):
    determination = a_determination(a_parse(case_number=None, decision_date=None))
    html = page(client, determination)
    assert f"<h1>{determination.key}</h1>" in html
    assert "(date not stated)" in html


def test_an_unknown_key_is_404(client):
    response = client.get("/determinations/CM99-9999999/")
    assert response.status_code == 404
    assert "Not found" in response.content.decode()


def test_a_withdrawn_determination_is_410_and_leaves_browse(client):
    determination = a_determination(a_parse(case_number="CM16-0000410"))
    services.determination_withdraw(determination=determination, reason="Published in error.")
    response = client.get(determination.get_absolute_url())
    assert response.status_code == 410
    assert "Published in error." in response.content.decode()
    assert "CM16-0000410" not in client.get("/").content.decode()


def test_the_permalink_says_which_fields_the_archive_assigned_and_gives_the_parses_warnings(
    client,
):
    from .builders import a_determination, a_parse, an_item

    parse = a_parse(items=[an_item(service=None)])
    parse["warnings"] = ["item 1: the letter ends inside its rationale (cut off?)"]
    determination = a_determination(parse)
    html = client.get(determination.get_absolute_url()).content.decode()
    assert "are assigned by the archive's parser (version " in html
    assert "no service in the vocabulary" in html
    data = client.get(f"{determination.get_absolute_url()}json/").json()
    assert data["parse"]["warnings"] == parse["warnings"]
    assert data["parse"]["parser_version"]
    api = client.get(f"/api/determinations/{determination.key}/").json()
    assert api["parse"] == data["parse"]
