"""Staff-only views that live beside the admin."""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404

from .models import Letter


@staff_member_required
def letter_original(request, pk: int):
    """Any stored original (failed ones too), as an attachment that browsers will not sniff."""
    letter = get_object_or_404(Letter, pk=pk)
    response = FileResponse(
        letter.original.open("rb"),
        as_attachment=True,
        filename=letter.original_name.rsplit("/", 1)[-1] or letter.sha256,
        content_type=letter.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
