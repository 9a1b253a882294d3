"""Templates link through ``{% url %}`` and ``{% static %}``, never through hard-coded paths."""

import re
from pathlib import Path

import pytest

from .builders import a_determination, a_parse

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
LINK = re.compile(r'(?:href|src|action)="(/[^"]*)"')


def test_no_template_writes_a_site_path():
    for template in TEMPLATES.rglob("*.html"):
        assert LINK.findall(template.read_text()) == [], template


def test_every_link_follows_the_url_config(client, settings):
    settings.ROOT_URLCONF = "tests.prefixed_urls"
    key = a_determination(a_parse(case_number="CM16-0000999")).key
    # Not a filtered browse page: the view builds its chips' links (the last one to "/").
    pages = [
        "/archive/",
        "/archive/stats/",
        "/archive/stats/?outcome=upheld",
        "/archive/api/",
        f"/archive/determinations/{key}/",
        "/archive/nowhere/",
        "/archive/?year=99",
    ]
    ours = ("/archive/", settings.STATIC_URL)
    for page in pages:
        response = client.get(page)
        assert response.status_code in (200, 400, 404), page
        links = LINK.findall(response.content.decode())
        assert links, page
        assert [link for link in links if not link.startswith(ours)] == [], page
