"""A superuser purges a letter uploaded by mistake, through the confirmation page, in Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User

from determinations import services
from determinations.models import Letter, PurgedLetter

ASSETS = Path(__file__).parent / "assets" / "letters"


@pytest.mark.browser
def test_a_superuser_purges_a_letter_after_confirming_with_a_reason(browser_page):
    User.objects.create_superuser("curator", "curator@example.org", "correct horse battery")
    data = b"Case Number: CM16-0008801\n" + sorted(ASSETS.glob("*.txt"))[0].read_bytes()
    letter = services.letter_parse(letter=services.letter_store(data=data, name="oops.txt").letter)
    original = Path(letter.original.path)
    assert letter.determination.key == "CM16-0008801" and original.exists()

    page = browser_page
    page.goto("/admin/login/?next=/admin/determinations/letter/")
    page.fill("#id_username", "curator")
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
    page.check(f"input[name=_selected_action][value='{letter.pk}']")
    page.select_option("select[name=action]", "purge")
    page.click("button[name=index]")

    page.wait_for_selector("#confirm-form")
    rows = page.inner_text("#confirm-rows")
    assert "oops.txt" in rows and letter.sha256 in rows and "CM16-0008801" in rows
    assert Letter.objects.filter(pk=letter.pk).exists()  # nothing removed before confirming
    page.fill("#id_reason", "Unredacted letter: the claimant's name is visible.")
    page.click("#confirm-submit")

    page.wait_for_url("**/admin/determinations/letter/")
    assert "Purged 1 letter" in page.inner_text(".messagelist")
    assert not Letter.objects.filter(pk=letter.pk).exists()
    assert not original.exists()
    assert PurgedLetter.objects.get().purged_by_name == "curator"

    response = page.goto("/determinations/CM16-0008801/")
    assert response.status == 410
    assert "removed" in page.inner_text("h1")
    assert "claimant" not in page.content()
