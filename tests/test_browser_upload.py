"""One whole journey in headless Chromium: an admin uploads a ZIP and opens a parsed letter."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from django.contrib.auth.models import User

ASSETS = Path(__file__).parent / "assets" / "letters"


@pytest.mark.browser
def test_an_admin_uploads_a_zip_watches_the_batch_finish_and_opens_a_permalink(
    browser_page, tmp_path
):
    User.objects.create_superuser("curator", "curator@example.org", "correct horse battery")
    archive = tmp_path / "letters.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for number, path in enumerate(sorted(ASSETS.glob("*.txt"))[:3]):
            zf.writestr(
                path.name, b"Case Number: CM16-%07d\n" % (4200 + number) + path.read_bytes()
            )
        zf.writestr("../escape.txt", b"climbing out")

    page = browser_page
    page.goto("/admin/login/?next=/admin/determinations/letter/")
    page.fill("#id_username", "curator")
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
    page.click("text=Upload letters")
    page.set_input_files("#id_files", str(archive))
    page.click("#upload-form input[type=submit]")

    page.wait_for_url("**/admin/determinations/uploadbatch/*/change/")
    page.wait_for_selector("#batch-progress[data-pending='0']")
    assert "Finished" in page.inner_text("#batch-progress")
    assert page.inner_text("#count-parsed") == "3"
    results = page.inner_text("#batch-results")
    assert "letters.zip/../escape.txt" in results and "'..'" in results

    page.click("#batch-results a.permalink >> nth=0")
    page.wait_for_url("**/determinations/CM16-*/")
    assert page.title()
    assert "CM16-000420" in page.content()
