"""Staff-only views that live beside the admin: original downloads, uploading, batch progress."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from . import batches, services
from .models import Letter, UploadBatch, UploadResult
from .responses import original_unavailable
from .uploads import Limits, human_size

UPLOAD_PERMISSION = "determinations.add_letter"
VIEW_ORIGINAL_PERMISSIONS = ("determinations.view_letter", "determinations.change_letter")
WITHDRAWN_ORIGINAL_PERMISSION = "determinations.change_letter"
ACCEPT = ".pdf,.txt,.zip,application/pdf,text/plain,application/zip"


@staff_member_required
def letter_original(request, pk: int):
    """Any stored original (failed ones too), as an attachment that browsers will not sniff.

    Needs the view-letter permission (or change, which implies it, as everywhere in the
    admin); a withdrawn determination's original only the change-letter permission: being
    staff is not enough (keys are sequential).
    """
    if not any(request.user.has_perm(perm) for perm in VIEW_ORIGINAL_PERMISSIONS):
        raise PermissionDenied  # before the look-up: which letters exist is not told either
    letter = get_object_or_404(Letter.objects.select_related("determination"), pk=pk)
    determination = getattr(letter, "determination", None)
    withdrawn = determination is not None and determination.is_withdrawn
    if withdrawn and not request.user.has_perm(WITHDRAWN_ORIGINAL_PERMISSION):
        raise PermissionDenied
    try:
        handle = letter.original.open("rb")
    except OSError as exc:
        return original_unavailable(request, letter, exc)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=letter.original_name.rsplit("/", 1)[-1] or letter.sha256,
        content_type=letter.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_http_methods(["GET", "POST"])
def upload_letters(request, *, admin_site):
    """The "Upload letters" page: keep the files as sent, unpack, store and parse them in the
    background (``services.batch_stage``), show the batch.

    Wrapped by ``admin_site.admin_view`` (staff login and CSRF); uploading also needs the
    add-letter permission.
    """
    if not request.user.has_perm(UPLOAD_PERMISSION):
        raise PermissionDenied
    limits = Limits.from_settings()
    if request.method == "POST":
        uploaded = request.FILES.getlist("files")
        if uploaded:
            try:
                batch = services.batch_stage(
                    files=[(getattr(f, "given_name", f.name), f) for f in uploaded],
                    user=request.user,
                )
            except services.StagingError as exc:
                messages.error(request, f"Nothing was uploaded: {exc}.")
            else:
                return HttpResponseRedirect(
                    reverse("admin:determinations_uploadbatch_change", args=[batch.pk])
                )
        else:
            messages.error(request, "Choose at least one file (PDF, text or ZIP) to upload.")
    context = {
        **admin_site.each_context(request),
        "title": "Upload letters",
        "opts": UploadBatch._meta,
        "accept": ACCEPT,
        "limits": {
            "file": human_size(limits.max_file_bytes),
            "upload": human_size(limits.max_upload_bytes or 0),
            "files": settings.DATA_UPLOAD_MAX_NUMBER_FILES,
            "members": limits.max_zip_members,
            "uncompressed": human_size(limits.max_zip_uncompressed_bytes),
            "ratio": limits.max_zip_ratio,
        },
    }
    return render(request, "admin/determinations/upload.html", context)


def batch_page(request, *, batch: UploadBatch, admin_site):
    """One batch's progress and per-file results; refreshes itself while work is left, and says
    so when that work has not moved for minutes (no worker running, or its tasks lost)."""
    counts = batches.batch_counts(batch)
    pending, new = counts["pending"], counts["new"]
    receiving = batch.state == "receiving"
    context = {
        **admin_site.each_context(request),
        "title": f"Upload batch {batch.pk}",
        "opts": UploadBatch._meta,
        "batch": batch,
        "rows": [_row(result) for result in batches.batch_results(batch)],
        "rows_cut": counts["files"] > batches.ROWS_SHOWN,
        "rows_shown": batches.ROWS_SHOWN,
        "counts": counts,
        "pending": pending,
        "receiving": receiving,
        "waiting": receiving or pending,
        "stall": batches.batch_stall(batch, pending=pending),
        "done_percent": round(100 * (new - pending) / new) if new else 100,
    }
    return render(request, "admin/determinations/batch.html", context)


def _row(result: UploadResult) -> dict:
    """What one file's line says: its state in words (``batches.result_state``), the reason, and
    where to go next."""
    state = batches.result_state(result)
    row = {
        "name": result.name,
        "outcome": result.outcome,
        "state": state.state,
        "label": state.label,
        "reason": state.reason,
    }
    letter = result.letter
    if letter is None:  # rejected, purged, lost, or a duplicate of a file of this batch
        return row
    row["letter_url"] = reverse("admin:determinations_letter_change", args=[letter.pk])
    determination = getattr(letter, "determination", None)
    if determination is not None and not determination.is_withdrawn:
        row["permalink"] = determination.get_absolute_url()
    return row
