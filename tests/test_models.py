"""The database keeps the data's rules even when code forgets them."""

import pytest
from django.db import IntegrityError, transaction

from determinations.models import Determination, DisputedItem, Reviewer
from determinations.services import reviewer_for

from .builders import a_determination, a_parse, an_item

pytestmark = pytest.mark.django_db


def _insert_fails(**changes):
    determination = a_determination()
    item = determination.items.get()
    for field, value in changes.items():
        setattr(item, field, value)
    with pytest.raises(IntegrityError), transaction.atomic():
        item.save()


def test_it_rejects_a_subcategory_from_another_category():
    _insert_fails(category="Surgery", subcategory="Imaging/Radiology")


def test_it_rejects_an_unknown_body_region():
    _insert_fails(body_regions=["lumbar", "spleen"])


def test_it_rejects_item_number_zero():
    _insert_fails(number=0)


def test_it_rejects_an_authorized_part_without_an_original_request():
    _insert_fails(authorized="6 sessions", original_request=None)


def test_it_rejects_two_items_with_the_same_number_in_one_letter():
    determination = a_determination(a_parse(items=[an_item(number=1), an_item(number=2)]))
    with pytest.raises(IntegrityError), transaction.atomic():
        DisputedItem.objects.filter(determination=determination, number=2).update(number=1)


def test_it_rejects_an_empty_permalink_key():
    determination = a_determination()
    with pytest.raises(IntegrityError), transaction.atomic():
        Determination.objects.filter(pk=determination.pk).update(key="")


def test_it_rejects_an_implausible_patient_age():
    determination = a_determination()
    with pytest.raises(IntegrityError), transaction.atomic():
        Determination.objects.filter(pk=determination.pk).update(patient_age=400)


def test_identical_reviewer_profiles_are_one_row():
    profile = {
        "role": "physician reviewer",
        "specialties": ["Orthopedic Surgery"],
        "board_certified": True,
        "licensure": ["California"],
    }
    first = reviewer_for(profile)
    second = reviewer_for(dict(profile))
    third = reviewer_for({**profile, "board_certified": None})
    assert first.pk == second.pk
    assert third.pk != first.pk
    assert Reviewer.objects.count() == 2


def test_the_facet_columns_are_copied_onto_the_item():
    determination = a_determination(a_parse(decision_date="2015-06-30"))
    item = determination.items.get()
    assert item.decision_year == 2015
    assert item.specialties == ["Physical Medicine & Rehabilitation"]
    assert item.guideline_sources == ["ODG"]
    assert item.guideline_documents == ["ODG:Low Back"]  # with its source (issue 17)
    assert item.guideline_labels == ["ODG \u00b7 Low Back"]
    assert item.search_vector is not None


def test_the_item_permalink_points_at_its_anchor():
    determination = a_determination(a_parse(case_number="CM16-0213037"))
    item = determination.items.get()
    assert item.get_absolute_url() == "/determinations/CM16-0213037/#item-1"


def test_the_database_choices_agree_with_the_parser_vocabularies():
    from determinations.choices import BodyRegion, Category
    from determinations.parsing.vocab.classify import SUBCATEGORIES
    from determinations.parsing.vocab.regions import REGIONS

    assert Category.values == list(SUBCATEGORIES)
    assert BodyRegion.values == list(REGIONS)
