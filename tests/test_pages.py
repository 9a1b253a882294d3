"""The permalink's JSON version and original download (pages: test_browse, test_permalink)."""

import json

import pytest
from django.urls import reverse

from .builders import a_determination, a_parse

pytestmark = pytest.mark.django_db


def test_the_json_version_has_the_contract_shape(client):
    determination = a_determination(a_parse(case_number="CM16-0000777"))
    response = client.get(reverse("determinations:detail_json", args=[determination.key]))
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["key"] == "CM16-0000777"
    assert data["items"][0]["reviewer"]["citations"][0]["document"] == "Low Back"


def test_the_original_is_served_as_an_attachment_that_is_not_sniffed(client):
    determination = a_determination(a_parse(case_number="CM16-0000888"), data=b"letter text")
    response = client.get(reverse("determinations:original", args=[determination.key]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"letter text"
