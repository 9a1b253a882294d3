"""Issue 17's filters: ``priority``, ``letter_outcome``, ``modified``, ``licensure`` (dimensions:
facets with counts) and the ``decided_from`` / ``decided_to`` range, on every surface (browse,
statistics, API, export, feed), against counts worked out by hand on three letters."""

import csv
import html
import importlib
import io
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest
from django.db import connection

from determinations import services, summaries
from determinations.models import DisputedItem, Letter, SummaryChange

from .builders import a_determination, a_modified_item, a_parse, a_reviewer, an_item

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def three_letters() -> dict:
    """Four items in three letters (and a withdrawn fourth letter that counts nowhere):

    ==========  ==========  =========  ==================  ========  ===================
    letter      decided     priority   letter outcome      items     reviewer licensure
    ==========  ==========  =========  ==================  ========  ===================
    spine       2017-03-15  standard   partially overt.    2 (one    California, Oregon
                                                           modified)
    knee        2018-06-30  expedited  overturned          1         California
    undated     (none)      standard   upheld              1         Nevada
    ==========  ==========  =========  ==================  ========  ===================
    """
    spine = a_determination(
        a_parse(
            decision_date="2017-03-15",
            reviewer=a_reviewer("Orthopedic Surgery", licensure=("California", "Oregon")),
            items=[
                a_modified_item("Physical therapy x 12", request="Physical therapy x 6"),
                an_item(request="Lumbar MRI", outcome="overturned"),
            ],
        )
    )
    knee = a_determination(
        a_parse(
            decision_date="2018-06-30",
            priority="expedited",
            reviewer=a_reviewer("Orthopedic Surgery"),
            items=[an_item(request="Knee MRI", outcome="overturned", body_regions=["knee"])],
        )
    )
    undated = a_determination(
        a_parse(
            decision_date=None,
            reviewer=a_reviewer("Pain Medicine", licensure=("Nevada",)),
            items=[an_item(request="Cervical MRI", body_regions=["cervical"])],
        )
    )
    gone = a_determination(
        a_parse(
            decision_date="2017-05-01",
            priority="expedited",
            reviewer=a_reviewer("Neurosurgery", licensure=("Oregon",)),
            items=[a_modified_item("Fusion L3-S1", request="Fusion L4-5", outcome="overturned")],
        )
    )
    services.determination_withdraw(determination=gone, reason="Issued in error.")
    return {"spine": spine, "knee": knee, "undated": undated, "gone": gone}


@pytest.fixture
def letters():
    return three_letters()


@pytest.fixture(params=["fresh", "stale"])
def counted(request, letters):
    """Both ways of counting: from fresh summaries, and live while they are stale."""
    summaries.summaries_refresh()
    if request.param == "stale":
        SummaryChange.objects.create(txid=1, determination_id=0)
    return request.param


def facets_of(client, query=""):
    response = client.get(f"/api/facets/?{query}")
    assert response.status_code == 200, response.content
    return {
        name: {v["value"]: v["count"] for v in values if v["count"]}
        for name, values in response.json()["facets"].items()
    }


# The copies on the items ----------------------------------------------------------------------


def test_the_services_copy_priority_letter_outcome_licensure_and_modified_onto_items(letters):
    spine = {item.number: item for item in letters["spine"].items.all()}
    assert {item.priority for item in spine.values()} == {"standard"}
    assert {item.letter_outcome for item in spine.values()} == {"partially_overturned"}
    assert spine[1].licensure == ["California", "Oregon"]
    assert (spine[1].modified, spine[2].modified) == ("true", None)
    (knee,) = letters["knee"].items.all()
    assert (knee.priority, knee.letter_outcome, knee.licensure) == (
        "expedited",
        "overturned",
        ["California"],
    )


def test_a_reparse_rewrites_the_copies(letters):
    letter = letters["knee"].letter
    parse = a_parse(
        case_number=letters["knee"].case_number,
        priority="standard",
        reviewer=a_reviewer("Orthopedic Surgery", licensure=("Arizona", "Arizona", "Utah")),
        items=[an_item(outcome="upheld"), a_modified_item("Knee brace x 2", outcome="overturned")],
    )
    services.determination_save(letter=letter, parsed=parse)
    items = list(DisputedItem.objects.filter(determination__letter=letter).order_by("number"))
    assert [i.priority for i in items] == ["standard", "standard"]
    assert [i.letter_outcome for i in items] == ["partially_overturned"] * 2
    assert items[0].licensure == ["Arizona", "Utah"]  # each state once, in the order stated
    assert [i.modified for i in items] == [None, "true"]


def test_the_bulk_import_writes_the_copies_too():
    """``ingest_letters``' path (``letters_create_parsed``) builds items like the one-letter
    save."""
    parse = a_parse(
        priority="expedited",
        reviewer=a_reviewer("Pain Medicine", licensure=("Oregon", "California")),
        items=[an_item(outcome="upheld"), a_modified_item("Brace x 2", outcome="overturned")],
    )
    letter = Letter(sha256="ab" * 32, original_name="bulk.txt", size=1, content_type="text/plain")
    letter.original.name = f"originals/ab/{'ab' * 32}"
    services.letters_create_parsed(parsed_letters=[(letter, parse)])
    items = list(DisputedItem.objects.filter(determination__letter=letter).order_by("number"))
    assert [i.priority for i in items] == ["expedited", "expedited"]
    assert [i.letter_outcome for i in items] == ["partially_overturned"] * 2
    assert [i.licensure for i in items] == [["Oregon", "California"]] * 2
    assert [i.modified for i in items] == [None, "true"]


def test_the_migration_fills_the_copies_in_batches_and_marks_the_summaries_stale(letters):
    migration = importlib.import_module(
        "determinations.migrations.0015_item_priority_outcome_modified_licensure"
    )
    summaries.summaries_refresh()
    written = {
        item.pk: (item.priority, item.letter_outcome, item.licensure, item.modified)
        for item in DisputedItem.objects.all()
    }
    DisputedItem.objects.update(priority=None, letter_outcome=None, licensure=[], modified=None)
    editor = SimpleNamespace(connection=connection)
    assert migration.fill_copies(None, editor, batch=2) == len(written)  # withdrawn ones too
    assert {
        item.pk: (item.priority, item.letter_outcome, item.licensure, item.modified)
        for item in DisputedItem.objects.all()
    } == written
    assert migration.fill_copies(None, editor, batch=2) == 0  # a rerun has nothing left
    summaries.summaries_refresh()
    migration.summaries_stale(None, editor)
    assert not summaries.is_fresh()
    assert summaries.summaries_refresh()["full"] is True
    assert summaries.is_fresh()


# Facets with counts, on the browse page and the API --------------------------------------------


def test_every_new_facet_counts_the_public_items(client, counted):
    found = facets_of(client)
    assert found["priority"] == {"standard": 3, "expedited": 1}
    assert found["letter_outcome"] == {"partially_overturned": 2, "overturned": 1, "upheld": 1}
    assert found["modified"] == {"true": 1}  # the withdrawn letter's modified item not counted
    assert found["licensure"] == {"California": 3, "Oregon": 2, "Nevada": 1}


def test_the_browse_page_lists_the_new_facets_with_labels_and_counts(client, letters):
    page = client.get("/").content.decode()
    for label in (
        "Priority",
        "Letter outcome",
        "Partially overturned",
        "Modified request",
        "Modified by the claims administrator",
        "Reviewer licensure",
        "Oregon",
    ):
        assert label in page
    assert 'name="letter_outcome" value="partially_overturned"' in page
    assert 'name="modified" value="true"' in page


@pytest.mark.parametrize(
    "query, items",
    [
        ("priority=expedited", 1),
        ("priority=standard", 3),
        ("letter_outcome=partially_overturned", 2),
        ("letter_outcome=upheld&letter_outcome=overturned", 2),
        ("modified=true", 1),
        ("licensure=Oregon", 2),
        ("licensure=Nevada&licensure=Oregon", 3),
        ("modified=true&licensure=Oregon&priority=standard", 1),
        ("decided_from=2017-01-01&decided_to=2017-12-31", 2),
        ("decided_from=2018-06-30&decided_to=2018-06-30", 1),  # both bounds inclusive
        ("decided_from=2018-07-01", 0),
        ("decided_to=2100-01-01", 3),  # the undated letter matches no bound
        ("decided_from=2000-01-01&priority=expedited", 1),
        ("decided_to=2017-03-15&letter_outcome=partially_overturned&modified=true", 1),
    ],
)
def test_each_filter_gives_the_same_items_on_every_surface(client, counted, query, items):
    browse = client.get(f"/?{query}")
    assert browse.status_code == 200
    assert browse.context["results"].total == items
    api_items = client.get(f"/api/items/?{query}&page_size=100").json()["results"]
    assert len(api_items) == items
    api_stats = client.get(f"/api/stats/?{query}").json()
    assert api_stats["items"]["items"] == items
    stats_page = client.get(f"/stats/?{query}")
    assert stats_page.status_code == 200
    assert stats_page.context["result"].total.items == items
    exported = client.get(f"/export/items.csv?{query}")
    text = b"".join(exported.streaming_content).decode("utf-8-sig")
    assert len(list(csv.DictReader(io.StringIO(text, newline="")))) == items
    feed = ET.fromstring(client.get(f"/feed/?{query}").content)  # noqa: S314 (our own output)
    assert len(feed.findall(f"{ATOM}entry")) == items
    found = facets_of(client, query)
    assert sum(found["outcome"].values()) == items  # outcome facet: every matching item once


def test_a_date_range_narrows_every_facet_count(client, counted):
    found = facets_of(client, "decided_from=2017-01-01&decided_to=2017-12-31")
    assert found["year"] == {"2017": 2}
    assert found["priority"] == {"standard": 2}
    assert found["letter_outcome"] == {"partially_overturned": 2}
    assert found["licensure"] == {"California": 2, "Oregon": 2}
    # A facet's own filter is left out of its count, the date range never is.
    found = facets_of(client, "decided_from=2017-01-01&priority=standard")
    assert found["priority"] == {"standard": 2, "expedited": 1}
    assert found["modified"] == {"true": 1}


def test_the_statistics_group_by_the_new_dimensions(client, counted):
    groups = client.get("/api/stats/").json()["groups"]
    by = {
        name: {g["filters"][name]: (g["items"], g["overturned"]) for g in groups[name]["groups"]}
        for name in ("priority", "letter_outcome", "modified", "licensure")
    }
    assert by["priority"] == {"standard": (3, 1), "expedited": (1, 1)}
    assert by["letter_outcome"] == {
        "partially_overturned": (2, 1),
        "overturned": (1, 1),
        "upheld": (1, 0),
    }
    assert by["modified"] == {"true": (1, 0)}
    assert by["licensure"] == {"California": (3, 2), "Oregon": (2, 1), "Nevada": (1, 0)}
    page = client.get("/stats/?decided_from=2017-01-01").content.decode()
    assert "Overturn rate by letter outcome" in page
    assert "Partially overturned" in page


# The browse page's date inputs and chips --------------------------------------------------------


def test_the_browse_page_has_labelled_date_inputs_and_chips_for_the_range(client, letters):
    page = client.get("/?decided_from=2017-01-01&decided_to=2017-12-31").content.decode()
    assert '<label for="decided_from">' in page and '<label for="decided_to">' in page
    assert 'id="decided_from" name="decided_from" value="2017-01-01"' in page
    assert 'id="decided_to" name="decided_to" value="2017-12-31"' in page
    assert "Decided from:</span> 2017-01-01" in page
    assert "Decided to:</span> 2017-12-31" in page
    # Removing one bound keeps the other.
    assert 'href="?decided_to=2017-12-31"' in page
    empty = client.get("/?decided_from=&decided_to=&q=")
    assert empty.status_code == 200 and empty.context["results"].total == 4


def test_a_letter_outcome_chip_shows_its_label(client, letters):
    page = client.get("/?letter_outcome=partially_overturned").content.decode()
    assert "Letter outcome:</span> Partially overturned" in page


# Bad input: a clear 400, never a 500 -------------------------------------------------------------


@pytest.mark.parametrize(
    "query, message",
    [
        ("modified=false", "Parameter 'modified': 'false' is not one of its values (true)."),
        ("modified=yes", "Parameter 'modified'"),
        ("priority=urgent", "'urgent' is not one of its values (standard, expedited)."),
        (
            "letter_outcome=partially+overturned",
            "(upheld, overturned, partially_overturned)",
        ),
        ("decided_from=2017-13-01", "Enter a date as YYYY-MM-DD"),
        ("decided_to=31%2F12%2F2017", "Enter a date as YYYY-MM-DD"),
        ("decided_from=2018-01-01&decided_to=2017-12-31", "is before decided_from (2018-01-01)"),
        ("decided_from=2017-01-01&decided_from=2018-01-01", "give one date, not 2"),
        ("licensure=" + "x" * 61, "Parameter 'licensure'"),
        # at most 50 values a parameter, a closed vocabulary's too, a value repeated each time
        ("&".join(["outcome=upheld"] * 51), "Parameter 'outcome': At most 50 values"),
        ("&".join(["priority=standard"] * 51), "Parameter 'priority': At most 50 values"),
        ("&".join(["licensure=Nevada"] * 51), "Parameter 'licensure': At most 50 values"),
        ("q=mri&" + "&".join(["field=request"] * 51), "Parameter 'field': At most 50 values"),
    ],
)
def test_bad_values_are_a_clear_400_everywhere(client, letters, query, message):
    for path in ("/", "/stats/"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, path
        assert message in html.unescape(response.content.decode()), path
    for path in ("/api/items/", "/api/facets/", "/api/stats/", "/api/determinations/"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, path
        assert any(message in error for error in response.json()["errors"]), path
    for path in ("/export/items.csv", "/feed/"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, path
        assert message in response.content.decode(), path


def test_fifty_values_of_a_closed_vocabulary_are_still_a_question(client, letters):
    query = "&".join(["outcome=upheld"] * 49 + ["outcome=overturned"])
    assert client.get(f"/?{query}").status_code == 200
    assert client.get(f"/api/items/?{query}").status_code == 200


def test_the_openapi_document_describes_the_date_range(client):
    document = client.get("/api/openapi.json").json()
    for path in ("/api/items/", "/api/determinations/", "/api/facets/", "/api/stats/"):
        operation = next(iter(document["paths"][path].values()))
        params = {p["name"]: p for p in operation["parameters"]}
        for name in ("decided_from", "decided_to"):
            assert params[name]["schema"] == {"type": "string", "format": "date"}
            assert "inclusive" in params[name]["description"]


def test_the_sampled_total_honours_the_date_range(letters):
    """The browse total of many matches is estimated from SummaryItem's sample: the range is a
    condition on its rows' decision dates (here a "sample" of every letter, so exact)."""
    summaries.summaries_refresh()
    active = {"decided_from": ["2017-01-01"], "decided_to": ["2017-12-31"], "modified": ["true"]}
    assert summaries.matching_in_sample(active, 1).value == 1
    assert summaries.matching_in_sample({"decided_to": ["2100-01-01"]}, 1).value == 3
