"""Admin: read-mostly views of every model, with the actions admins need."""

from __future__ import annotations

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from . import services
from .models import (
    Determination,
    DisputedItem,
    GuidelineCitation,
    Letter,
    Reviewer,
    UploadBatch,
    UploadResult,
)


class ReadOnlyMixin:
    """Parsed data comes from letters: it is changed by re-parsing, not by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CitationInline(ReadOnlyMixin, admin.TabularInline):
    model = GuidelineCitation
    extra = 0
    fields = ["cited_by", "position", "source", "document", "chapter", "section", "pages", "year"]


class ItemInline(ReadOnlyMixin, admin.StackedInline):
    model = DisputedItem
    extra = 0
    show_change_link = True
    fields = [
        "number",
        "request",
        "original_request",
        "authorized",
        "outcome",
        ("category", "subcategory", "service"),
        ("body_regions", "quantity"),
        "claims_administrator_basis",
        "reviewer_basis",
        "rationale",
    ]


@admin.register(Determination)
class DeterminationAdmin(admin.ModelAdmin):
    list_display = ["key", "decision_date", "outcome", "priority", "withdrawn_at"]
    list_filter = ["outcome", "priority", ("withdrawn_at", admin.EmptyFieldListFilter)]
    search_fields = ["key", "case_number"]
    date_hierarchy = "decision_date"
    list_select_related = ["reviewer"]
    raw_id_fields = ["letter", "reviewer"]
    readonly_fields = [
        f.name for f in Determination._meta.fields if f.name not in ("withdrawn_reason",)
    ] + ["permalink"]
    inlines = [ItemInline]
    actions = ["withdraw", "restore"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Permalink")
    def permalink(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.get_absolute_url())

    @admin.action(description="Withdraw: take out of the public archive (permalink answers 410)")
    def withdraw(self, request, queryset):
        for determination in queryset:
            services.determination_withdraw(determination=determination)
        self.message_user(request, f"Withdrew {queryset.count()} determination(s).")

    @admin.action(description="Restore withdrawn determinations")
    def restore(self, request, queryset):
        for determination in queryset:
            services.determination_restore(determination=determination)
        self.message_user(request, f"Restored {queryset.count()} determination(s).")


@admin.register(DisputedItem)
class DisputedItemAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "outcome", "category", "subcategory", "service", "decision_year"]
    list_filter = ["outcome", "category", "decision_year"]
    search_fields = ["determination__key", "request", "service"]
    list_select_related = ["determination"]
    inlines = [CitationInline]
    show_full_result_count = False


@admin.register(Reviewer)
class ReviewerAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "role", "board_certified"]
    list_filter = ["role", "board_certified"]
    search_fields = ["specialties", "licensure"]


@admin.register(GuidelineCitation)
class GuidelineCitationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "cited_by", "source", "document", "year"]
    list_filter = ["cited_by", "source"]
    search_fields = ["document", "section"]
    raw_id_fields = ["item"]
    show_full_result_count = False


@admin.register(Letter)
class LetterAdmin(admin.ModelAdmin):
    list_display = ["original_name", "status", "uploaded_at", "size", "parser_version", "review"]
    list_filter = ["status", "content_type", "parser_version"]
    search_fields = ["original_name", "sha256"]
    readonly_fields = [f.name for f in Letter._meta.fields] + ["download", "determination_link"]
    exclude = ["text"]
    actions = ["reparse"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Needs review", boolean=True)
    def review(self, obj):
        return obj.needs_review

    @admin.display(description="Original")
    def download(self, obj):
        url = reverse("admin_letter_original", args=[obj.pk])
        return format_html('<a href="{}">Download {}</a>', url, obj.original_name)

    @admin.display(description="Determination")
    def determination_link(self, obj):
        determination = getattr(obj, "determination", None)
        if determination is None:
            return "-"
        return format_html('<a href="{}">{}</a>', determination.get_absolute_url(), determination)

    @admin.action(description="Re-parse from the stored originals")
    def reparse(self, request, queryset):
        counts = {"ok": 0, "failed": 0}
        for letter in queryset:
            services.letter_parse(letter=letter)
            counts["failed" if letter.status == "failed" else "ok"] += 1
        self.message_user(
            request,
            f"Re-parsed {counts['ok']} letter(s); {counts['failed']} failed.",
            messages.WARNING if counts["failed"] else messages.SUCCESS,
        )


class UploadResultInline(ReadOnlyMixin, admin.TabularInline):
    model = UploadResult
    extra = 0
    fields = ["name", "outcome", "message", "letter"]


@admin.register(UploadBatch)
class UploadBatchAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "created_by", "source"]
    inlines = [UploadResultInline]
