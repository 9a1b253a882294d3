"""Security: deploy checks, headers, escaping, access control and login throttling."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from determinations import services

from .builders import a_determination, a_parse, an_item

ROOT = Path(__file__).resolve().parent.parent


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "0",
        "IMR_TESTING": "0",
        "SECRET_KEY": "k3y-" + "x7Qp9zL2mN4vB8cR1tY6wE0uI5oA3sD" * 2,
        "DATABASE_URL": "postgres://imr:secret@db.invalid:5432/imr",
        "ALLOWED_HOSTS": "imr.example.org",
        "BEHIND_TLS_PROXY": "1",
        "SECURE_SSL_REDIRECT": "1",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_PRELOAD": "1",
        "IMR_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_pages_send_a_strict_content_security_policy(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_templates_carry_no_inline_script_or_style(client):
    determination = a_determination()
    for url in ("/", determination.get_absolute_url(), "/stats/", "/api/"):
        html = client.get(url).content.decode()
        assert "<style" not in html, url
        assert 'style="' not in html, url
        for chunk in html.split("<script")[1:]:
            assert "src=" in chunk.split(">", 1)[0], url


@pytest.mark.django_db
def test_letter_text_is_escaped_everywhere(client):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    determination = a_determination(
        a_parse(
            clinical_summary=f"Summary {payload}",
            items=[an_item(request=f"MRI {payload}", rationale=f"Because {payload}")],
        )
    )
    for url in ("/", determination.get_absolute_url(), "/?q=MRI", "/feed/"):
        body = client.get(url).content.decode()
        assert "<script>alert" not in body, url
        assert "<img src=x" not in body, url


@pytest.mark.django_db
def test_query_parameters_are_escaped_on_the_error_page(client):
    response = client.get("/", {"outcome": "<script>alert(1)</script>"})
    assert response.status_code == 400
    assert "<script>alert(1)</script>" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/admin/", "/admin/determinations/letter/"])
def test_anonymous_visitors_are_sent_to_the_admin_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_a_non_staff_user_cannot_use_the_admin(client):
    user = User.objects.create_user("reader", password="a-long-password-1")
    client.force_login(user)
    response = client.get("/admin/determinations/letter/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_originals_are_not_reachable_by_their_storage_path(client):
    determination = a_determination()
    sha = determination.letter.sha256
    for url in (f"/media/originals/{sha[:2]}/{sha}", f"/originals/{sha[:2]}/{sha}"):
        assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_a_withdrawn_letter_cannot_be_downloaded(client):
    determination = a_determination(a_parse(case_number="CM16-0000999"))
    services.determination_withdraw(determination=determination, reason="Error.")
    response = client.get(reverse("determinations:original", args=[determination.key]))
    assert response.status_code == 410


@pytest.mark.django_db
def test_repeated_failed_logins_lock_the_account_out(client, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    User.objects.create_superuser("admin", "admin@example.org", "correct-horse-battery")
    for _ in range(3):
        response = client.post(
            "/admin/login/", {"username": "admin", "password": "wrong"}, REMOTE_ADDR="10.0.0.9"
        )
    response = client.post(
        "/admin/login/",
        {"username": "admin", "password": "correct-horse-battery"},
        REMOTE_ADDR="10.0.0.9",
    )
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_failed_login_with_an_over_long_user_name_is_the_form_error_not_a_500(client, settings):
    """Axes recorded the name as typed in a 255-character column: a DataError, a 500."""
    settings.AXES_ENABLED = True
    response = client.post("/admin/login/", {"username": "a" * 100_000, "password": "x"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


def _login(client, password: str, **meta):
    client.post("/admin/login/", {"username": "admin", "password": password}, **meta)
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_behind_the_proxy_each_forwarded_client_is_throttled_on_its_own(settings):
    """nginx is every request's REMOTE_ADDR: keyed on it, one attacker locked every admin out."""
    from django.test import Client

    settings.AXES_ENABLED, settings.AXES_FAILURE_LIMIT = True, 3
    settings.TRUSTED_PROXY_COUNT = 1
    User.objects.create_superuser("admin", "admin@example.org", "correct-horse-battery")
    nginx = {"REMOTE_ADDR": "127.0.0.1"}
    attacker, admin = Client(), Client()
    for _ in range(3):
        assert not _login(attacker, "wrong", HTTP_X_FORWARDED_FOR="203.0.113.5", **nginx)
    # The attacker's own address is locked out, even with the right password...
    assert not _login(
        attacker, "correct-horse-battery", HTTP_X_FORWARDED_FOR="203.0.113.5", **nginx
    )
    # ...and a forged header left of the one nginx set does not get it a new bucket.
    forged = "198.51.100.7, 203.0.113.5"
    assert not _login(attacker, "correct-horse-battery", HTTP_X_FORWARDED_FOR=forged, **nginx)
    # The real admin, from another address through the same nginx, logs in.
    assert _login(admin, "correct-horse-battery", HTTP_X_FORWARDED_FOR="198.51.100.7", **nginx)


@pytest.mark.django_db
def test_with_no_trusted_proxy_a_forged_x_forwarded_for_does_not_change_the_address(
    client, settings
):
    settings.AXES_ENABLED, settings.AXES_FAILURE_LIMIT = True, 3
    assert settings.TRUSTED_PROXY_COUNT == 0  # the default
    User.objects.create_superuser("admin", "admin@example.org", "correct-horse-battery")
    for n in range(3):
        forged = {"HTTP_X_FORWARDED_FOR": f"192.0.2.{n}"}
        assert not _login(client, "wrong", REMOTE_ADDR="10.0.0.9", **forged)
    forged = {"HTTP_X_FORWARDED_FOR": "192.0.2.99"}
    assert not _login(client, "correct-horse-battery", REMOTE_ADDR="10.0.0.9", **forged)


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "192.0.2.1", "10.0.0.9"),  # no proxy trusted: the header is the client's own words
        (1, "192.0.2.1", "192.0.2.1"),
        (1, "198.51.100.7, 192.0.2.1", "192.0.2.1"),  # only the entry nginx set
        (2, "198.51.100.7, 192.0.2.1", "198.51.100.7"),
        (2, "192.0.2.1", "10.0.0.9"),  # fewer entries than proxies: not through them all
        (1, "", "10.0.0.9"),
        (1, "not-an-address", "10.0.0.9"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip_believes_x_forwarded_for_only_as_far_as_the_trusted_proxies(
    rf, settings, count, forwarded, expected
):
    from imr_archive.client_ip import client_ip

    settings.TRUSTED_PROXY_COUNT = count
    request = rf.get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/stats/",
        "/check/",
        "/guidelines/",
        "/reports/",
        "/feed/",
        "/export/items.csv",
        "/api/",
    ],
)
def test_public_pages_answer_head_and_refuse_other_methods_with_405(url):
    """HEAD was a 405 on every page (link checkers, monitors); a POST got the CSRF check's 403
    and the feed answered TRACE with its whole body."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    assert client.head(url).status_code == 200
    for method in ("post", "put", "delete", "trace"):
        response = client.generic(method.upper(), url)
        assert response.status_code == 405, (method, url)
        assert "HEAD" in response["Allow"]
