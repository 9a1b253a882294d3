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
    assert "outcome overturned" in root.find(f"{ATOM}title").text
    self_link = next(link for link in root.findall(f"{ATOM}link") if link.get("rel") == "self")
    assert "service=Acupuncture" in self_link.get("href")


def test_the_feed_lists_the_newest_decisions_first_and_leaves_out_withdrawn_ones(client, archive):
    titles = [e.find(f"{ATOM}title").text for e in feed(client).findall(f"{ATOM}entry")]
    assert titles[0].startswith("Upheld: Norco")  # 2018-05-02, the newest public letter
    assert all(archive["withdrawn"].key not in title for title in titles)


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


def test_the_feed_follows_a_search(client, archive):
    titles = [e.find(f"{ATOM}title").text for e in feed(client, "?q=norco").findall(f"{ATOM}entry")]
    assert len(titles) == 2
    assert all("Norco" in title for title in titles)
