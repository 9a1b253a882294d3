"""The Atom feed: well-formed, one entry per matching item, the browse filters, 400s."""

import xml.etree.ElementTree as ET

import pytest

from .test_stats import build_archive

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def archive():
    return build_archive()


def feed(client, query=""):
    response = client.get(f"/feed/{query}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)  # noqa: S314 (our own output)


def test_the_feed_is_valid_atom_with_required_elements(client, archive):
    root = feed(client)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{name}").text
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 5
    for entry in entries:
        assert entry.find(f"{ATOM}id").text
        assert entry.find(f"{ATOM}title").text
        assert entry.find(f"{ATOM}updated").text
        assert entry.find(f"{ATOM}link").get("href").startswith("http://testserver/determinations/")


def test_the_feed_follows_the_browse_filters_and_links_to_item_anchors(client, archive):
    root = feed(client, "?service=Acupuncture&outcome=overturned")
    [entry] = root.findall(f"{ATOM}entry")
    key = archive["l2"].key
    assert (
        entry.find(f"{ATOM}link").get("href") == f"http://testserver/determinations/{key}/#item-1"
    )
    assert entry.find(f"{ATOM}title").text == f"Overturned: Acupuncture x 6 ({key} #1)"
    assert "outcome Overturned" in root.find(f"{ATOM}title").text
    self_link = next(link for link in root.findall(f"{ATOM}link") if link.get("rel") == "self")
    assert "service=Acupuncture" in self_link.get("href")


def test_the_feed_leaves_out_withdrawn_letters(client, archive):
    titles = [e.find(f"{ATOM}title").text for e in feed(client).findall(f"{ATOM}entry")]
    assert titles
    assert all(archive["withdrawn"].key not in title for title in titles)


def entry_keys(root) -> list[str]:
    """The case number of each entry, in feed order (from its link)."""
    return [e.find(f"{ATOM}link").get("href").split("/")[-2] for e in root.findall(f"{ATOM}entry")]


def test_entries_come_in_the_order_letters_entered_the_archive_not_by_decision_date(client):
    from .builders import a_determination, a_parse, an_item

    a_determination(a_parse(case_number="CM18-0000001", decision_date="2018-06-01"))
    a_determination(a_parse(case_number="CM14-0000002", decision_date="2014-02-03"))  # backfill
    a_determination(
        a_parse(
            case_number="CM16-0000003",
            decision_date="2016-01-01",
            items=[an_item(number=1), an_item(number=2)],
        )
    )
    assert entry_keys(feed(client)) == [
        "CM16-0000003", "CM16-0000003", "CM14-0000002", "CM18-0000001",
    ]  # fmt: skip


def test_undated_letters_are_never_first(client):
    from .builders import a_determination, a_parse

    a_determination(a_parse(case_number="CM17-0000001", decision_date="2017-06-01"))
    a_determination(a_parse(case_number="CM17-0000002", decision_date=None))  # the latest added
    a_determination(a_parse(case_number="CM17-0000003", decision_date="2017-01-02"))
    assert entry_keys(feed(client)) == ["CM17-0000003", "CM17-0000001", "CM17-0000002"]


def test_sample_letters_never_appear_in_the_feed(client):
    from determinations import services

    from .builders import a_determination, a_parse

    a_determination(a_parse(case_number="CM17-0000001"))
    sample = a_determination(a_parse(case_number=None, decision_date=None))
    services.letter_mark_sample(letter=sample.letter)
    assert entry_keys(feed(client)) == ["CM17-0000001"]
    assert entry_keys(feed(client, "?q=MRI")) == ["CM17-0000001"]


def test_each_entry_has_an_author_and_when_it_was_published_in_the_archive(client):
    import datetime as dt

    from .builders import a_determination, a_parse, a_reviewer

    determination = a_determination(
        a_parse(decision_date="2015-03-04", reviewer=a_reviewer("Orthopedic Surgery"))
    )
    root = feed(client)
    assert root.find(f"{ATOM}author/{ATOM}name").text == "IMR Determinations Archive"
    [entry] = root.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}author/{ATOM}name").text == "IMR reviewer (Orthopedic Surgery)"
    published = dt.datetime.fromisoformat(entry.find(f"{ATOM}published").text)
    assert published == determination.created_at
    assert published.date() != dt.date(2015, 3, 4)


def test_the_feed_is_two_queries_at_most(client, archive, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        feed(client, "?outcome=upheld")


def test_the_feed_escapes_text_once(client):
    from .builders import a_determination, a_parse, an_item

    a_determination(a_parse(items=[an_item(request="Heat & ice <pack>")]))
    [entry] = feed(client).findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text.startswith("Upheld: Heat & ice <pack>")


def test_bad_filters_get_a_400(client):
    response = client.get("/feed/?outcome=maybe&colour=red")
    assert response.status_code == 400
    assert "outcome" in response.content.decode()
    assert "colour" in response.content.decode()


@pytest.mark.parametrize("value", ["%EF%BF%BE", "%EF%BF%BF"])
def test_characters_xml_cannot_hold_get_a_400_not_a_broken_feed(client, value):
    response = client.get(f"/feed/?q={value}")
    assert response.status_code == 400
    assert "control characters" in response.content.decode()


def test_the_feed_follows_a_search(client, archive):
    titles = [e.find(f"{ATOM}title").text for e in feed(client, "?q=norco").findall(f"{ATOM}entry")]
    assert len(titles) == 2
    assert all("Norco" in title for title in titles)


def test_a_search_with_many_hits_walks_the_entry_order_and_gives_the_same_entries(
    client, monkeypatch
):
    """Walking (no fence) is chosen when the sample says the hits are dense; the entries and
    their order are the fence's."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from determinations import sampling, selectors, summaries

    from .builders import a_determination, a_parse, an_item

    for number in range(6):
        a_determination(
            a_parse(
                case_number=f"CM17-000001{number}",
                decision_date=None if number == 2 else f"2017-0{number + 1}-01",
                items=[an_item(request="Norco #60"), an_item(request="MRI lumbar")],
            )
        )
    with CaptureQueriesContext(connection) as queries:
        fenced = entry_keys(feed(client, "?q=norco"))
    # The fence keeps only the first entries of each segment (dated, undated), not every hit.
    fences = [q["sql"] for q in queries.captured_queries if "OFFSET 0" in q["sql"]]
    assert len(fences) == 2
    assert all("ORDER BY determination_id DESC, number DESC LIMIT" in sql for sql in fences)
    monkeypatch.setattr(sampling, "LEVELS", (1,))  # every letter is in the sample
    monkeypatch.setattr(selectors, "FENCE_UP_TO", 0)
    monkeypatch.setattr(selectors, "WALK_UP_TO", 10**9)
    with CaptureQueriesContext(connection) as queries:
        walked = entry_keys(feed(client, "?q=norco"))
    assert walked == fenced and len(walked) == 6
    assert walked[-1] == "CM17-0000012"  # the undated letter last
    assert any("enable_bitmapscan" in q["sql"] for q in queries.captured_queries)
    assert not any("OFFSET 0" in q["sql"] for q in queries.captured_queries)
    with CaptureQueriesContext(connection) as queries:  # a date range: never walked
        in_range = entry_keys(feed(client, "?q=norco&decided_from=2017-01-01"))
    assert in_range == walked[:-1]
    assert any("OFFSET 0" in q["sql"] for q in queries.captured_queries)
    summaries.summaries_refresh()  # a year: walked over its letters, its items counted
    with CaptureQueriesContext(connection) as queries:
        assert entry_keys(feed(client, "?q=norco&year=2017")) == walked[:-1]
    assert not any("OFFSET 0" in q["sql"] for q in queries.captured_queries)
    assert any("EXTRACT(YEAR FROM" in q["sql"] for q in queries.captured_queries)
    with CaptureQueriesContext(connection) as queries:  # several years: a walk each
        assert entry_keys(feed(client, "?q=norco&year=2016&year=2017")) == walked[:-1]
    assert not any("OFFSET 0" in q["sql"] for q in queries.captured_queries)
    assert any(") AS walks" in q["sql"] for q in queries.captured_queries)


def test_a_years_feed_reads_its_letters_through_their_year(client, archive):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from determinations.feeds import ENTRY_ORDER
    from determinations.models import DisputedItem

    expected = list(
        DisputedItem.objects.public()
        .filter(decision_year=2018, determination__withdrawn_at__isnull=True)
        .order_by(*ENTRY_ORDER)
        .values_list("determination__key", flat=True)
    )
    with CaptureQueriesContext(connection) as queries:
        of_2018 = entry_keys(feed(client, "?year=2018"))
    assert of_2018 == expected and len(expected) == 3
    assert any("EXTRACT(YEAR FROM" in q["sql"] for q in queries.captured_queries)
