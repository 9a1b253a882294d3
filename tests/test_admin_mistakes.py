"""The admin's mistakes and safeguards: who may download originals, purging a letter uploaded by
mistake (and undoing it), withdrawing with a reason, the upload link on the admin home, and one
time zone on every admin page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from determinations import services
from determinations.models import (
    Determination,
    DisputedItem,
    GuidelineCitation,
    Letter,
    PurgedLetter,
    SummaryItem,
    UploadBatch,
    UploadResult,
)
from determinations.summaries import summaries_refresh
from determinations.uploads import Incoming
from tests.builders import a_determination, a_parse

pytestmark = pytest.mark.django_db

ASSETS = Path(__file__).parent / "assets" / "letters"
TEXTS = sorted(ASSETS.glob("*.txt"))
UPLOAD_URL = reverse("admin:determinations_uploadbatch_upload")
LETTERS_URL = reverse("admin:determinations_letter_changelist")
DETERMINATIONS_URL = reverse("admin:determinations_determination_changelist")
PURGED_URL = reverse("admin:determinations_purgedletter_changelist")
PASSWORD = "a long enough password 1"


def staff(username: str, *codenames: str) -> User:
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return User.objects.get(pk=user.pk)  # no stale permission cache


def numbered(text: Path, number: int) -> bytes:
    """A sample letter with its own case number."""
    return b"Case Number: CM16-%07d\n" % number + text.read_bytes()


@pytest.fixture
def root(client):
    user = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    client.force_login(user)
    return user


def upload(client, name: str, data: bytes):
    file = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    return client.post(UPLOAD_URL, {"files": [file]})


# Who may download an original ------------------------------------------------------------------

ROLES = {
    "anonymous": None,
    "staff without permissions": (),
    "staff with view_letter": ("view_letter",),
    "staff with change_letter": ("change_letter",),
    "staff with view and change_letter": ("view_letter", "change_letter"),
    "superuser": "superuser",
}
# What each role gets: (a normal letter's original, a withdrawn letter's original).
EXPECTED = {
    "anonymous": ("login", "login"),
    "staff without permissions": (403, 403),
    "staff with view_letter": (200, 403),
    "staff with change_letter": (200, 200),
    "staff with view and change_letter": (200, 200),
    "superuser": (200, 200),
}


@pytest.fixture
def two_letters():
    normal = a_determination(a_parse(case_number="CM16-0007001"))
    withdrawn = a_determination(a_parse(case_number="CM16-0007002"))
    services.determination_withdraw(determination=withdrawn, reason="Published in error.")
    return normal.letter, withdrawn.letter


@pytest.mark.parametrize("role", ROLES)
def test_the_admin_original_download_needs_view_letter_and_change_letter_when_withdrawn(
    client, two_letters, role
):
    permissions = ROLES[role]
    if permissions == "superuser":
        client.force_login(User.objects.create_superuser("boss", "b@example.org", PASSWORD))
    elif permissions is not None:
        client.force_login(staff("clerk", *permissions))
    for letter, expected in zip(two_letters, EXPECTED[role], strict=True):
        response = client.get(reverse("admin_letter_original", args=[letter.pk]))
        if expected == "login":
            assert response.status_code == 302 and "/admin/login/" in response["Location"]
        else:
            assert response.status_code == expected, (role, letter.original_name)
        if expected == 200:
            assert b"".join(response.streaming_content) == letter.original.open("rb").read()
            assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("role", [r for r, e in EXPECTED.items() if e[0] == 200])
def test_the_letter_page_offers_the_download_only_to_those_it_would_serve(
    client, two_letters, role
):
    permissions = ROLES[role]
    if permissions == "superuser":
        client.force_login(User.objects.create_superuser("boss", "b@example.org", PASSWORD))
    else:
        client.force_login(staff("clerk", *permissions))
    for letter, expected in zip(two_letters, EXPECTED[role], strict=True):
        page = client.get(reverse("admin:determinations_letter_change", args=[letter.pk]))
        link = reverse("admin_letter_original", args=[letter.pk])
        html = page.content.decode()
        assert (link in html) == (expected == 200), (role, letter.original_name)
        if expected == 403:
            assert "its original needs the change-letter permission" in html


def test_staff_without_view_letter_learn_nothing_of_which_letters_exist(client, two_letters):
    client.force_login(staff("clerk"))
    assert client.get(reverse("admin_letter_original", args=[999999])).status_code == 403


def test_the_public_download_never_serves_withdrawn_or_purged_letters(client, two_letters, root):
    normal, withdrawn = two_letters
    url = reverse("determinations:original", args=[normal.determination.key])
    assert client.get(url).status_code == 200
    response = client.get(reverse("determinations:original", args=[withdrawn.determination.key]))
    assert response.status_code == 410 and not hasattr(response, "streaming_content")
    services.letter_purge(letter=normal, user=root, reason="unredacted")
    response = client.get(url)
    assert response.status_code == 410 and not hasattr(response, "streaming_content")


# Purge -----------------------------------------------------------------------------------------


def purge_post(client, letters, **extra):
    data = {"action": "purge", "_selected_action": [letter.pk for letter in letters], **extra}
    return client.post(LETTERS_URL, data)


def test_only_superusers_are_offered_purge_and_others_cannot_post_it(client):
    letter = a_determination().letter
    clerk = staff("clerk", "view_letter", "change_letter", "delete_letter", "change_determination")
    client.force_login(clerk)
    assert 'value="purge"' not in client.get(LETTERS_URL).content.decode()
    purge_post(client, [letter], confirm="yes", reason="because")
    assert Letter.objects.filter(pk=letter.pk).exists()
    assert not PurgedLetter.objects.exists()
    assert client.get(PURGED_URL).status_code == 403  # nor can they see or undo purges


def test_purge_first_shows_what_will_be_removed_and_removes_nothing(client, root):
    determination = a_determination(a_parse(case_number="CM16-0007010"))
    letter = determination.letter
    assert 'value="purge"' in client.get(LETTERS_URL).content.decode()
    response = purge_post(client, [letter])
    assert response.status_code == 200
    html = response.content.decode()
    for shown in (letter.original_name, letter.sha256, "CM16-0007010", letter.original.name):
        assert shown in html
    assert "for good" in html and 'name="reason"' in html
    assert Letter.objects.filter(pk=letter.pk).exists()
    assert not PurgedLetter.objects.exists()


def test_purge_without_a_reason_is_refused(client, root):
    letter = a_determination().letter
    response = purge_post(client, [letter], confirm="yes", reason="   ")
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert Letter.objects.filter(pk=letter.pk).exists()
    with pytest.raises(ValueError):
        services.letter_purge(letter=letter, user=root, reason="")


def test_a_confirmed_purge_removes_letter_parse_and_file_and_leaves_a_tombstone(
    client, root, django_capture_on_commit_callbacks
):
    determination = a_determination(a_parse(case_number="CM16-0007020"))
    letter = determination.letter
    path = Path(letter.original.path)
    summaries_refresh(full=True)
    assert SummaryItem.objects.filter(letter=determination.pk).exists()
    assert GuidelineCitation.objects.filter(item__determination=determination).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = purge_post(client, [letter], confirm="yes", reason="Unredacted: patient name.")
    assert response.status_code == 302
    assert not Letter.objects.filter(pk=letter.pk).exists()
    assert not Determination.objects.filter(pk=determination.pk).exists()
    assert not DisputedItem.objects.filter(determination_id=determination.pk).exists()
    assert not GuidelineCitation.objects.filter(item__determination_id=determination.pk).exists()
    assert not path.exists()
    tombstone = PurgedLetter.objects.get()
    assert (tombstone.sha256, tombstone.original_name, tombstone.size) == (
        letter.sha256,
        letter.original_name,
        letter.size,
    )
    assert tombstone.purged_by == root and tombstone.purged_by_name == "root"
    assert tombstone.reason == "Unredacted: patient name." and tombstone.key == "CM16-0007020"
    assert LogEntry.objects.filter(action_flag=DELETION, object_id=str(letter.pk)).exists()
    # The summaries were refreshed after the commit: nothing of the letter is counted.
    assert not SummaryItem.objects.filter(letter=determination.pk).exists()

    page = client.get("/determinations/CM16-0007020/")
    assert page.status_code == 410
    html = page.content.decode()
    assert "removed" in html and "Unredacted" not in html and "root" not in html
    assert client.get("/determinations/CM16-0007020/json/").status_code == 410
    assert client.get(reverse("api:determination", args=["CM16-0007020"])).status_code == 410
    assert "CM16-0007020" not in client.get("/").content.decode()


def test_purged_bytes_are_refused_on_re_upload_with_when_who_and_why(client, root):
    data = numbered(TEXTS[0], 7030)
    upload(client, "first.txt", data)
    letter = Letter.objects.get()
    services.letter_purge(letter=letter, user=root, reason="a personal note")
    response = upload(client, "again.txt", data)
    assert response.status_code == 302
    assert not Letter.objects.exists()
    result = UploadResult.objects.get(name="again.txt")
    assert result.outcome == UploadResult.Outcome.REJECTED
    assert result.message.startswith("purged on ") and "by root" in result.message
    assert result.message.endswith(": a personal note")
    html = client.get(response["Location"]).content.decode()
    assert "a personal note" in html and "undo the purge" in html
    # The first upload's result says where its letter went instead of "lost".
    first = UploadResult.objects.get(name="first.txt")
    assert first.letter is None and first.message.startswith("purged: purged on ")
    first_page = reverse("admin:determinations_uploadbatch_change", args=[first.batch_id])
    assert "state-purged" in client.get(first_page).content.decode()


@pytest.mark.django_db(transaction=True)  # the command writes from its own threads
def test_purged_bytes_are_refused_by_ingest_letters_file_by_file(root, tmp_path, capsys):
    data = numbered(TEXTS[1], 7040)
    letter = services.letter_store(data=data, name="x.txt").letter
    services.letter_purge(letter=letter, user=root, reason="wrong claimant")
    (tmp_path / "again.txt").write_bytes(data)
    (tmp_path / "other.txt").write_bytes(numbered(TEXTS[1], 7041))
    call_command("ingest_letters", str(tmp_path), "--workers", "1", "--no-progress")
    out = capsys.readouterr().out
    assert f"refused {tmp_path / 'again.txt'}: purged on " in out
    assert "by root" in out and "wrong claimant" in out
    assert list(Letter.objects.values_list("original_name", flat=True)) == [
        str(tmp_path / "other.txt")
    ]
    with pytest.raises(ValueError, match="wrong claimant"):
        services.letter_store(data=data, name="y.txt")


def test_receipts_for_sorts_a_chunk_with_purges_in_one_query(root):
    stored = services.letter_store(data=b"stored letter\n", name="s.txt").letter
    gone = services.letter_store(data=b"purged letter\n", name="p.txt").letter
    services.letter_purge(letter=gone, user=root, reason="oops")
    files = [
        Incoming("s.txt", b"stored letter\n"),
        Incoming("p.txt", b"purged letter\n"),
        Incoming("n.txt", b"new letter\n"),
        Incoming("bad.bin", rejection="not a letter"),
    ]
    with CaptureQueriesContext(connection) as queries:
        receipts = services.receipts_for(files=files, batch=None)
    assert len(queries) == 1
    by_name = {receipt.incoming.name: receipt for receipt in receipts}
    assert by_name["s.txt"].letter.pk == stored.pk and not by_name["s.txt"].new
    assert by_name["p.txt"].rejection.endswith(": oops") and by_name["p.txt"].letter is None
    assert by_name["n.txt"].new and by_name["n.txt"].rejection is None
    assert by_name["bad.bin"].rejection == "not a letter"


def test_purging_a_letter_with_a_waiting_re_issue_gives_the_permalink_to_the_re_issue(client, root):
    upload(client, "first.txt", numbered(TEXTS[2], 7050))
    upload(client, "reissue.txt", numbered(TEXTS[2], 7050) + b"\nCorrected.\n")
    first, reissue = Letter.objects.order_by("pk")
    assert reissue.reissue_of == first.determination
    purge_post(client, [first], confirm="yes", reason="sent twice, first one wrong")
    reissue.refresh_from_db()
    assert reissue.reissue_of is None
    assert Determination.objects.get(key="CM16-0007050").letter == reissue
    assert client.get("/determinations/CM16-0007050/").status_code == 200


def test_purging_a_withdrawn_letter_does_not_publish_its_waiting_re_issue(client, root):
    upload(client, "first.txt", numbered(TEXTS[2], 7055))
    upload(client, "reissue.txt", numbered(TEXTS[2], 7055) + b"\nCorrected.\n")
    first, reissue = Letter.objects.order_by("pk")
    services.determination_withdraw(determination=first.determination, reason="Withdrawn.")
    purge_post(client, [first], confirm="yes", reason="should never have been here")
    assert Letter.objects.filter(pk=reissue.pk).exists()
    assert not Determination.objects.filter(key="CM16-0007055").exists()
    assert client.get("/determinations/CM16-0007055/").status_code == 410


def test_undo_purge_is_for_superusers_and_accepts_the_bytes_again(client, root):
    data = numbered(TEXTS[3], 7060)
    upload(client, "first.txt", data)
    services.letter_purge(letter=Letter.objects.get(), user=root, reason="mistake")
    tombstone = PurgedLetter.objects.get()
    listing = client.get(PURGED_URL).content.decode()
    assert "first.txt" in listing and 'value="undo_purge"' in listing
    assert 'value="delete_selected"' not in listing
    response = client.post(
        PURGED_URL, {"action": "undo_purge", "_selected_action": [tombstone.pk]}, follow=True
    )
    assert "upload the files again" in response.content.decode()
    assert not PurgedLetter.objects.exists()
    assert not Letter.objects.exists()  # nothing comes back by itself
    upload(client, "again.txt", data)
    assert Letter.objects.get().original_name == "again.txt"


def test_undo_purge_from_the_tombstone_page_goes_through_the_service(client, root):
    letter = a_determination().letter
    tombstone = services.letter_purge(letter=letter, user=root, reason="mistake")
    url = reverse("admin:determinations_purgedletter_delete", args=[tombstone.pk])
    response = client.post(url, {"post": "yes"}, follow=True)
    assert response.status_code == 200
    assert "upload the files again" in response.content.decode()
    assert not PurgedLetter.objects.exists()


# Withdrawal ------------------------------------------------------------------------------------


def withdraw_post(client, determinations, **extra):
    data = {"action": "withdraw", "_selected_action": [d.pk for d in determinations], **extra}
    return client.post(DETERMINATIONS_URL, data)


def test_withdrawal_asks_for_confirmation_and_a_reason_first(client, root):
    determination = a_determination(a_parse(case_number="CM16-0007070"))
    response = withdraw_post(client, [determination])
    assert response.status_code == 200
    html = response.content.decode()
    assert "CM16-0007070" in html and "410" in html and 'name="reason"' in html
    determination.refresh_from_db()
    assert not determination.is_withdrawn

    response = withdraw_post(client, [determination], confirm="yes", reason="")
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    determination.refresh_from_db()
    assert not determination.is_withdrawn


def test_a_confirmed_withdrawal_records_the_reason_and_shows_it_on_the_410_page(client, root):
    determination = a_determination(a_parse(case_number="CM16-0007080"))
    response = withdraw_post(
        client, [determination], confirm="yes", reason="Superseded by an amended decision."
    )
    assert response.status_code == 302
    determination.refresh_from_db()
    assert determination.is_withdrawn
    assert determination.withdrawn_reason == "Superseded by an amended decision."
    assert DisputedItem.objects.get(determination=determination).withdrawn
    assert LogEntry.objects.filter(object_id=str(determination.pk)).exists()
    page = client.get(determination.get_absolute_url())
    assert page.status_code == 410
    assert "Superseded by an amended decision." in page.content.decode()


def test_view_only_staff_cannot_withdraw(client):
    determination = a_determination()
    client.force_login(staff("viewer", "view_determination"))
    withdraw_post(client, [determination], confirm="yes", reason="no")
    determination.refresh_from_db()
    assert not determination.is_withdrawn


# The admin home --------------------------------------------------------------------------------


def test_the_admin_home_links_to_the_upload_page_for_those_who_may_upload(client):
    client.force_login(User.objects.create_superuser("boss", "b@example.org", PASSWORD))
    assert UPLOAD_URL in client.get(reverse("admin:index")).content.decode()
    client.force_login(staff("uploader", "add_letter"))
    assert UPLOAD_URL in client.get(reverse("admin:index")).content.decode()
    client.force_login(staff("viewer", "view_letter"))
    html = client.get(reverse("admin:index")).content.decode()
    assert html and UPLOAD_URL not in html


# One time zone ---------------------------------------------------------------------------------

UTC_TIME = dt.datetime(2026, 1, 15, 3, 30, tzinfo=dt.UTC)  # 2026-01-14 19:30 in Los Angeles


def test_every_admin_page_shows_times_in_the_sites_time_zone(client, root, settings):
    assert settings.USE_TZ and settings.TIME_ZONE == "America/Los_Angeles"
    upload(client, "tz.txt", numbered(TEXTS[4], 7090))
    batch = UploadBatch.objects.get()
    UploadBatch.objects.filter(pk=batch.pk).update(created_at=UTC_TIME)
    Letter.objects.update(uploaded_at=UTC_TIME)
    letter = Letter.objects.get()

    batch_page = client.get(
        reverse("admin:determinations_uploadbatch_change", args=[batch.pk])
    ).content.decode()
    assert f"Batch {batch.pk} (2026-01-14 19:30)" in batch_page  # the breadcrumb
    assert "Uploaded 2026-01-14 19:30" in batch_page  # the page
    assert "03:30" not in batch_page and "2026-01-15" not in batch_page

    listing = client.get(reverse("admin:determinations_uploadbatch_changelist")).content.decode()
    assert "(2026-01-14 19:30)" in listing and "03:30" not in listing
    change = client.get(
        reverse("admin:determinations_letter_change", args=[letter.pk])
    ).content.decode()
    # Django's own format of the same moment, in the same zone.
    assert "Jan. 14, 2026, 7:30 p.m." in change and "Jan. 15, 2026" not in change

    upload(client, "again.txt", numbered(TEXTS[4], 7090))
    duplicate = UploadResult.objects.get(name="again.txt")
    assert "(stored 2026-01-14)" in duplicate.message

    services.letter_purge(letter=letter, user=root, reason="tz")
    PurgedLetter.objects.update(purged_at=UTC_TIME)
    upload(client, "third.txt", numbered(TEXTS[4], 7090))
    assert "purged on 2026-01-14 19:30" in UploadResult.objects.get(name="third.txt").message
    assert "Jan. 14, 2026, 7:30 p.m." in client.get(PURGED_URL).content.decode()
