"""Admin: read-mostly views of every model, with the actions admins need."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from . import admin_views, services
from .choices import ParseStatus
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

    @admin.action(
        description="Withdraw: take out of the public archive (permalink answers 410)",
        permissions=["change"],
    )
    def withdraw(self, request, queryset):
        for determination in queryset:
            services.determination_withdraw(determination=determination)
        self.message_user(request, f"Withdrew {queryset.count()} determination(s).")

    @admin.action(description="Restore withdrawn determinations", permissions=["change"])
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


class NeedsReviewFilter(admin.SimpleListFilter):
    """Re-issued letters: a case number that already has a determination from another letter."""

    title = "needs review"
    parameter_name = "needs_review"

    def lookups(self, request, model_admin):
        return [("yes", "Re-issued: choose the permalink's letter"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(reissue_of__isnull=False)
        if self.value() == "no":
            return queryset.filter(reissue_of__isnull=True)
        return queryset


@admin.register(Letter)
class LetterAdmin(admin.ModelAdmin):
    list_display = [
        "original_name",
        "status",
        "uploaded_at",
        "size",
        "parser_version",
        "review",
        "problem",
    ]
    list_filter = ["status", NeedsReviewFilter, "content_type", "parser_version"]
    search_fields = ["original_name", "sha256"]
    readonly_fields = [f.name for f in Letter._meta.fields] + [
        "download",
        "determination_link",
        "reissue_review",
    ]
    exclude = ["text"]
    actions = ["reparse", "choose_for_permalink", "keep_permalink"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Needs review", boolean=True)
    def review(self, obj):
        return obj.needs_review

    @admin.display(description="Error or warning")
    def problem(self, obj):
        messages_ = obj.errors or obj.warnings
        return messages_[0][:120] if messages_ else ""

    @admin.display(description="Re-issue review")
    def reissue_review(self, obj):
        if obj.reissue_of_id is None:
            return "-"
        shown = obj.reissue_of.letter
        return format_html(
            'Its case number already has <a href="{}">{}</a>, shown from <a href="{}">{}</a>. '
            "Use the list's actions to show this letter there instead, or to keep it as it is.",
            obj.reissue_of.get_absolute_url(),
            obj.reissue_of,
            reverse("admin:determinations_letter_change", args=[shown.pk]),
            shown,
        )

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

    @admin.action(
        description="Re-parse from the stored originals (in the background)", permissions=["change"]
    )
    def reparse(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        services.letters_request_reparse(letter_ids=ids)
        failed = Letter.objects.filter(pk__in=ids, status=ParseStatus.FAILED).count()
        pending = Letter.objects.filter(pk__in=ids, status=ParseStatus.PENDING).count()
        self.message_user(
            request,
            f"Queued {len(ids)} letter(s) for re-parsing: {pending} still pending, "
            f"{failed} failed so far. Permalink keys do not change.",
            messages.WARNING if failed else messages.SUCCESS,
        )

    @admin.action(
        description="Re-issued: show this letter on its case's permalink", permissions=["change"]
    )
    def choose_for_permalink(self, request, queryset):
        for letter in queryset:
            try:
                determination = services.letter_choose_for_permalink(letter=letter)
            except ValueError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(
                    request, f"{determination.get_absolute_url()} now shows {letter}."
                )

    @admin.action(
        description="Re-issued: keep the permalink as it is (dismiss the review)",
        permissions=["change"],
    )
    def keep_permalink(self, request, queryset):
        count = 0
        for letter in queryset.filter(reissue_of__isnull=False):
            services.letter_keep_permalink(letter=letter)
            count += 1
        self.message_user(request, f"Dismissed the review of {count} letter(s).")


class UploadResultInline(ReadOnlyMixin, admin.TabularInline):
    model = UploadResult
    extra = 0
    fields = ["name", "outcome", "message", "letter"]


@admin.register(UploadBatch)
class UploadBatchAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Upload batches: the "Upload letters" page, and each batch's progress and results."""

    list_display = ["__str__", "created_by", "source", "files"]
    list_filter = ["source"]
    inlines = [UploadResultInline]

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or request.user.has_perm(
            admin_views.UPLOAD_PERMISSION
        )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(file_count=Count("results"))

    @admin.display(description="Files", ordering="file_count")
    def files(self, obj):
        return obj.file_count

    def get_urls(self):
        upload = self.admin_site.admin_view(self.upload_view)
        return [
            path("upload/", upload, name="determinations_uploadbatch_upload"),
            *super().get_urls(),
        ]

    def upload_view(self, request):
        return admin_views.upload_letters(request, admin_site=self.admin_site)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not str(object_id).isdigit():
            raise Http404("No such upload batch.")
        batch = get_object_or_404(UploadBatch, pk=object_id)
        if not self.has_view_permission(request, batch):
            raise PermissionDenied
        return admin_views.batch_page(request, batch=batch, admin_site=self.admin_site)
