"""The archive's reads: querysets for pages, the API and exports."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from .models import Determination, DisputedItem, GuidelineCitation


def items_list() -> QuerySet[DisputedItem]:
    """Public disputed items, newest decision first, with their letter key loaded."""
    return (
        DisputedItem.objects.public()
        .select_related("determination")
        .only(
            "id",
            "number",
            "request",
            "outcome",
            "category",
            "subcategory",
            "service",
            "body_regions",
            "decision_date",
            "guideline_documents",
            "specialties",
            "determination__key",
        )
        .order_by("-decision_date", "-id")
    )


def determination_get(*, key: str) -> Determination | None:
    """One determination with its reviewer, letter, items and citations in four queries."""
    return (
        Determination.objects.select_related("reviewer", "letter")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=DisputedItem.objects.order_by("number").prefetch_related(
                    Prefetch(
                        "citations",
                        queryset=GuidelineCitation.objects.order_by("cited_by", "position"),
                    )
                ),
            )
        )
        .filter(key=key)
        .first()
    )
