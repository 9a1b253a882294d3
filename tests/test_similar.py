"""Similar decisions (determinations/similar.py): order by tier and text on a small archive, what
is left out, and the fragment and page that show them."""

from __future__ import annotations

import re

import pytest

from determinations import services, similar
from determinations.models import DisputedItem

from .builders import a_determination, a_parse, an_item

pytestmark = pytest.mark.django_db

LUMBAR = "There are no red flags or progressive neurologic deficits documented in the lumbar spine."


def _mri(request: str, rationale: str = LUMBAR, **overrides) -> dict:
    return an_item(request=request, rationale=rationale, **overrides)


@pytest.fixture
def archive() -> dict[str, str]:
    """Letters named by role; the target is MRI-lumbar, its own letter has a second MRI item."""
    made = {
        "target": a_parse(
            items=[
                _mri("MRI of the lumbar spine without contrast"),
                _mri("MRI of the lumbar spine with contrast", outcome="overturned"),
            ],
            outcome="partially overturned",
        ),
        # Same service, nearly the same words: first.
        "close": a_parse(items=[_mri("MRI lumbar spine without contrast")]),
        # Same service, other words: after it.
        "far": a_parse(
            items=[
                _mri(
                    "MRI of the right shoulder",
                    rationale="Rotator cuff tear suspected after failed conservative care.",
                    body_regions=["shoulder"],
                    outcome="overturned",
                )
            ],
            decision_date="2017-03-01",
        ),
        # Same category, another service.
        "category": a_parse(
            items=[_mri("CT scan of the lumbar spine", service="CT scan")],
            decision_date="2017-02-01",
        ),
        # Another category.
        "other": a_parse(
            items=[
                an_item(
                    request="Physical therapy for the lumbar spine x 12",
                    category="Rehabilitation",
                    subcategory="PT/OT",
                    service="Physical therapy",
                    quantity=12,
                    rationale=LUMBAR,
                )
            ]
        ),
        # Same service and words, but withdrawn: never listed.
        "withdrawn": a_parse(items=[_mri("MRI of the lumbar spine without contrast")]),
    }
    keys = {}
    for role, parse in made.items():
        keys[role] = a_determination(parse).key
    withdrawn = services.Determination.objects.get(key=keys["withdrawn"])
    services.determination_withdraw(determination=withdrawn, reason="Published in error.")
    return keys


def _item(key: str, number: int = 1) -> DisputedItem:
    return DisputedItem.objects.get(determination__key=key, number=number)


def test_same_service_first_then_category_then_any(archive):
    found = similar.similar_to_item(_item(archive["target"]), limit=10)
    keys = [s.item.determination.key for s in found]
    assert keys == [archive[r] for r in ("close", "far", "category", "other")]
    assert [s.tier for s in found] == ["same service", "same service", "same category", "other"]


def test_the_same_request_comes_before_a_closer_rationale_of_another_body_part():
    """An analyst audit: "MRI of the lumbar spine" listed five shoulder MRIs and the identical
    request 19th, because the OR of every rationale word outweighed the request's words."""
    target = a_determination(a_parse(items=[_mri("MRI of the lumbar spine")])).key
    shoulder = a_determination(
        a_parse(items=[_mri("MRI of the right shoulder", rationale=LUMBAR + " " + LUMBAR)])
    ).key
    same = a_determination(
        a_parse(items=[_mri("MRI of the lumbar spine", rationale="Imaging is not indicated.")])
    ).key
    found = [s.item.determination.key for s in similar.similar_to_item(_item(target))]
    assert found.index(same) < found.index(shoulder)


def test_within_the_category_the_same_subcategory_comes_first():
    """Norco's nearest were a topical patch and a muscle relaxant before the other opioids."""

    def drug(request, service, subcategory, rationale="Opioids need documented improvement."):
        return an_item(
            request=request,
            category="Pharmaceuticals",
            subcategory=subcategory,
            service=service,
            rationale=rationale,
        )

    norco = a_determination(
        a_parse(items=[drug("Norco 10/325 #90", "hydrocodone/acetaminophen", "Opioids")])
    ).key
    patch = a_determination(
        a_parse(items=[drug("Salonpas pad #90", "methyl salicylate", "Topical Analgesics")])
    ).key
    ultram = a_determination(
        a_parse(items=[drug("Ultram 50mg #60", "tramadol", "Opioids", rationale="Not indicated.")])
    ).key
    found = [s.item.determination.key for s in similar.similar_to_item(_item(norco))]
    assert found.index(ultram) < found.index(patch)


def test_leaves_out_its_own_letter_and_withdrawn_letters(archive):
    keys = {s.item.determination.key for s in similar.similar_to_item(_item(archive["target"]))}
    assert archive["target"] not in keys
    assert archive["withdrawn"] not in keys


def test_limit_and_stable_order(archive):
    first = similar.similar_to_item(_item(archive["target"]), limit=2)
    again = similar.similar_to_item(_item(archive["target"]), limit=2)
    assert [s.item.id for s in first] == [s.item.id for s in again]
    assert [s.item.determination.key for s in first] == [archive["close"], archive["far"]]


def test_an_item_without_service_starts_at_its_category(archive):
    parse = a_parse(items=[_mri("Imaging of the lumbar spine", service=None)])
    item = _item(a_determination(parse).key)
    found = similar.similar_to_item(item, limit=10)
    assert found[0].tier == "same category"
    assert found[-1].item.determination.key == archive["other"]


def test_text_query_ranks_by_words(archive):
    found = similar.similar_to_text(
        "MRI lumbar spine without contrast", service="MRI", category="Diagnostic Testing"
    )
    assert found[0].item.determination.key in (archive["close"], archive["target"])
    assert archive["withdrawn"] not in {s.item.determination.key for s in found}


def test_permalink_links_each_item_to_its_similar_decisions(client, archive):
    html = client.get(f"/determinations/{archive['target']}/").content.decode()
    for number in (1, 2):
        fragment = f"/determinations/{archive['target']}/similar/{number}/fragment/"
        assert f'data-similar-fragment="{fragment}"' in html
        assert f'href="/determinations/{archive["target"]}/similar/{number}/"' in html
    assert "js/similar" in html


def test_fragment_lists_five_with_outcome_date_and_anchor(client, archive):
    response = client.get(f"/determinations/{archive['target']}/similar/1/fragment/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    links = re.findall(r'href="(/determinations/[^"]+#item-\d+)"', html)
    assert links[0] == f"/determinations/{archive['close']}/#item-1"
    assert len(links) == 4
    assert 'badge-overturned">Overturned' in html  # the "far" item's outcome
    assert '<time datetime="2017-03-01">' in html
    assert f'href="/determinations/{archive["target"]}/similar/1/"' in html  # see more


def test_similar_page_lists_them(client, archive):
    response = client.get(f"/determinations/{archive['target']}/similar/1/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"/determinations/{archive['close']}/#item-1" in html
    assert f"/determinations/{archive['withdrawn']}/" not in html


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/determinations/{target}/similar/9/", 404),
        ("/determinations/{target}/similar/9/fragment/", 404),
        ("/determinations/CM99-0000001/similar/1/", 404),
        ("/determinations/{withdrawn}/similar/1/fragment/", 410),
    ],
)
def test_missing_items_and_withdrawn_letters(client, archive, path, status):
    assert client.get(path.format(**archive)).status_code == status


@pytest.mark.parametrize("page", ["similar/1/", "similar/1/fragment/"])
def test_another_spelling_of_the_key_redirects_to_the_same_items_page(client, archive, page):
    key = archive["target"]
    response = client.get(f"/determinations/{key.lower()}/{page}")
    assert response.status_code == 301
    assert response["Location"] == f"/determinations/{key}/{page}"


def test_a_sample_letter_is_badged_in_the_list(client, archive):
    """The browse list badged the shipped samples; the similar lists and /check/ did not."""
    from determinations.models import Letter

    Letter.objects.filter(determination__key=archive["close"]).update(is_sample=True)
    html = client.get(f"/determinations/{archive['target']}/similar/1/").content.decode()
    listed = html.split(f"/determinations/{archive['close']}/#item-1", 1)[1]
    assert listed.split("</li>", 1)[0].count("badge-sample") == 1
    assert html.count("badge-sample") == 1
