"""Admin: read-mostly views of every model, with the actions admins need."""

from __future__ import annotations

import unicodedata

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from . import admin_views, services
from .admin_confirm import confirm_with_reason
from .choices import ParseStatus
from .filters import whole_number
from .models import (
    Determination,
    DisputedItem,
    GuidelineCitation,
    Letter,
    PurgedLetter,
    Reviewer,
    UploadBatch,
    UploadResult,
)
from .uploads import human_size


class ReadOnlyMixin:
    """Parsed data comes from letters: it is changed by re-parsing, not by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AnySpellingSearchMixin:
    """A file name typed finds the name stored, whichever Unicode spelling each has: "é" is one
    character on Windows and Linux and two ("e" and its accent) in a name from a Mac, and names
    are kept byte for byte as uploaded."""

    def get_search_results(self, request, queryset, search_term):
        found, duplicates = super().get_search_results(request, queryset, search_term)
        spellings = {unicodedata.normalize(form, search_term) for form in ("NFC", "NFD")}
        for spelling in sorted(spellings - {search_term}):
            more, more_duplicates = super().get_search_results(request, queryset, spelling)
            found, duplicates = found | more, duplicates or more_duplicates
        return found, duplicates


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
        """Asks for confirmation and the public notice first (shown on the 410 page)."""
        determinations = list(queryset)

        def act(reason: str) -> None:
            for determination in determinations:
                services.determination_withdraw(determination=determination, reason=reason)
                self.log_change(request, determination, f"Withdrawn: {reason}")
            self.message_user(request, f"Withdrew {len(determinations)} determination(s).")

        return confirm_with_reason(
            self,
            request,
            determinations,
            act=act,
            title="Withdraw determinations",
            warning="These determinations leave every public page, count and export; their "
            "permalinks answer 410 Gone with the notice below. Restoring undoes it.",
            columns=["Permalink", "Decision date", "Outcome", "Already withdrawn"],
            rows=[
                [d.key, d.decision_date or "-", d.outcome or "-", "yes" if d.is_withdrawn else ""]
                for d in determinations
            ],
            reason_label="Public notice",
            reason_help="Why it was withdrawn, in a sentence the public will read on the "
            "permalink (no personal details).",
            button="Withdraw",
        )

    @admin.action(description="Restore withdrawn determinations", permissions=["change"])
    def restore(self, request, queryset):
        withdrawn = [d for d in queryset if d.is_withdrawn]
        for determination in withdrawn:
            services.determination_restore(determination=determination)
            self.log_change(request, determination, "Restored")
        skipped = len(queryset) - len(withdrawn)
        note = (
            f"; {skipped} of those chosen were not withdrawn (left as they are)" if skipped else ""
        )
        self.message_user(request, f"Restored {len(withdrawn)} determination(s){note}.")


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
class LetterAdmin(AnySpellingSearchMixin, admin.ModelAdmin):
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
    # a case number finds the letter shown at it and the re-issues waiting for it
    search_fields = ["original_name", "sha256", "determination__key", "reissue_of__key"]
    # the stored file is offered by "download" (the FileField's own link is not served), and
    # the extracted text is too long for this page
    readonly_fields = [
        f.name for f in Letter._meta.fields if f.name not in ("original", "text")
    ] + [
        "download",
        "determination_link",
        "reissue_review",
    ]
    exclude = ["original", "text"]
    actions = ["reparse", "choose_for_permalink", "keep_permalink", "purge"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_purge_permission(self, request):
        """Purging destroys the original: superusers only, whatever their permissions say."""
        return request.user.is_superuser

    def get_readonly_fields(self, request, obj=None):
        """A withdrawn determination's original needs the change-letter permission
        (``admin_views.letter_original``): a user without it is told so, not offered a link
        that answers 403."""
        fields = list(super().get_readonly_fields(request, obj))
        determination = getattr(obj, "determination", None) if obj is not None else None
        if (
            determination is not None
            and determination.is_withdrawn
            and not request.user.has_perm(admin_views.WITHDRAWN_ORIGINAL_PERMISSION)
        ):
            fields[fields.index("download")] = "download_withheld"
        return fields

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Every field is read-only (the list's actions change a letter): no Save buttons."""
        no_save = {"show_save": False, "show_save_and_continue": False}
        return super().change_view(
            request, object_id, form_url, {**no_save, **(extra_context or {})}
        )

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

    @admin.display(description="Original")
    def download_withheld(self, obj):
        return "Withdrawn from the archive: its original needs the change-letter permission."

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
        letters = list(queryset.select_related("reissue_of"))
        by_case: dict[int, list[Letter]] = {}
        for letter in letters:
            if letter.reissue_of_id is not None:
                by_case.setdefault(letter.reissue_of_id, []).append(letter)
        for same_case in by_case.values():
            if len(same_case) > 1:  # a permalink shows one letter: which one is the admin's call
                names = ", ".join(str(letter) for letter in same_case)
                self.message_user(
                    request,
                    f"Not changed: {names} all re-issue {same_case[0].reissue_of}, whose "
                    "permalink shows one letter. Choose one of them.",
                    messages.ERROR,
                )
                letters = [letter for letter in letters if letter not in same_case]
        for letter in letters:
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

    @admin.action(
        description="Purge: remove uploaded by mistake (letter, parse, original file)",
        permissions=["purge"],
    )
    def purge(self, request, queryset):
        """A confirmation page listing what goes, with a required reason; then the purge."""
        letters = list(
            queryset.select_related("determination", "uploaded_by").annotate(
                item_count=Count("determination__items")
            )
        )

        def act(reason: str) -> None:
            self.log_deletions(request, letters)
            for letter in letters:
                services.letter_purge(letter=letter, user=request.user, reason=reason)
            self.message_user(
                request,
                f"Purged {len(letters)} letter(s): their bytes are refused until the purge is "
                "undone (Purged letters).",
            )

        return confirm_with_reason(
            self,
            request,
            letters,
            act=act,
            title="Purge letters",
            warning="Purging deletes each letter below, its determination and disputed items, "
            "and its original file, for good: it cannot be restored from the archive. A "
            "tombstone keeps its SHA-256, name and size, and refuses the same bytes on any later "
            "upload or import until the purge is undone. To take a letter off the public pages "
            "only, withdraw its determination instead.",
            columns=["File", "Size", "SHA-256", "Uploaded", "Determination", "Items", "Stored as"],
            rows=[_purge_row(letter) for letter in letters],
            reason_label="Reason",
            reason_help="Why these letters are purged (kept with the tombstone, shown to staff "
            "only and to whoever uploads the same bytes again).",
            button="Purge",
        )


def _purge_row(letter: Letter) -> list:
    determination = getattr(letter, "determination", None)
    by = f" by {letter.uploaded_by}" if letter.uploaded_by else ""
    return [
        letter.original_name,
        human_size(letter.size),
        letter.sha256,
        f"{timezone.localtime(letter.uploaded_at):%Y-%m-%d %H:%M}{by}",
        determination.key if determination else "-",
        letter.item_count,
        letter.original.name,
    ]


@admin.register(PurgedLetter)
class PurgedLetterAdmin(AnySpellingSearchMixin, admin.ModelAdmin):
    """Tombstones of purged letters. Deleting one is "undo purge": the same bytes are accepted
    again, but they must be uploaded again (the purge removed them)."""

    list_display = ["original_name", "size", "key", "purged_by_name", "purged_at", "short_reason"]
    search_fields = ["original_name", "sha256", "key"]
    readonly_fields = [f.name for f in PurgedLetter._meta.fields]
    actions = ["undo_purge"]

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # "Undo purge" says what deleting means here
        return actions

    @admin.display(description="Reason")
    def short_reason(self, obj):
        return obj.reason[:120]

    @admin.action(
        description="Undo purge: accept these bytes again (upload them again yourself)",
        permissions=["delete"],
    )
    def undo_purge(self, request, queryset):
        self.log_deletions(request, queryset)
        count = services.purges_undo(purged_ids=queryset.values_list("pk", flat=True))
        self._undone(request, count)

    def delete_model(self, request, obj):
        self._undone(request, services.purges_undo(purged_ids=[obj.pk]))

    def _undone(self, request, count: int) -> None:
        self.message_user(
            request,
            f"Undid {count} purge(s): the same bytes are accepted again. Nothing was restored: "
            "upload the files again to bring them back.",
        )


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
        if whole_number(str(object_id), 1, 2**63 - 1) is None:
            raise Http404("No such upload batch.")
        batch = get_object_or_404(UploadBatch, pk=object_id)
        if not self.has_view_permission(request, batch):
            raise PermissionDenied
        return admin_views.batch_page(request, batch=batch, admin_site=self.admin_site)
