"""The archive's data: uploaded letters, their parsed determinations, reviewers, items, citations.

Designed for about 2 million letters and 4 million disputed items: the facet columns the browse
page filters and counts on are copied onto ``DisputedItem`` (decision year, reviewer specialties,
guideline sources and documents, withdrawn flag) so counting never joins, and full-text search
uses a stored ``tsvector`` on the item with a GIN index.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils import timezone

from .choices import (
    REASON_MAX_LENGTH,
    SUBCATEGORIES,
    SUBCATEGORY_CHOICES,
    BodyRegion,
    Category,
    CitedBy,
    DecisionDays,
    GuidelineSource,
    ItemOutcome,
    LetterOutcome,
    LetterOutcomeValue,
    Modified,
    ParseStatus,
    Priority,
    Reason,
    ReviewerRole,
    Sex,
)
from .dimensions import DIMENSIONS, PAIRS
from .guidelines import (
    SECTION_MAX_LENGTH,
    guideline_label,
    guideline_value,
    section_value,
    split_section_value,
)


def original_upload_path(instance: Letter, filename: str) -> str:
    """Originals live under a content address, never under the uploader's file name."""
    return f"originals/{instance.sha256[:2]}/{instance.sha256}"


class UploadBatch(models.Model):
    """One admin upload (several files or ZIPs) or one ``ingest_letters`` run."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text="Staff member who uploaded the batch (empty for command-line imports).",
    )
    created_at = models.DateTimeField(auto_now_add=True, help_text="When the batch was received.")
    source = models.CharField(
        max_length=20,
        default="admin",
        help_text="Where the batch came from: 'admin' upload or 'command' (ingest_letters).",
    )
    note = models.TextField(blank=True, help_text="Free text, e.g. the paths given to the command.")
    # An admin upload is staged by the request and received (unpacked, stored) by a worker, a
    # chunk per transaction: ``received_files`` is where the next worker resumes.
    state = models.CharField(
        max_length=12,
        choices=[("receiving", "receiving"), ("received", "received")],
        default="received",
        help_text="'receiving' while a worker unpacks and stores the staged files.",
    )
    staged = models.JSONField(
        default=list,
        blank=True,
        help_text="The uploaded files as staged in storage (name, path, size) until received.",
    )
    received_files = models.PositiveIntegerField(
        default=0, help_text="Files and ZIP members received so far (where a worker resumes)."
    )
    progress_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker last committed a chunk of this batch."
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "upload batches"

    def __str__(self) -> str:
        # In the site's TIME_ZONE, like every time the admin shows (breadcrumbs, history).
        return f"Batch {self.pk} ({timezone.localtime(self.created_at):%Y-%m-%d %H:%M})"


class Letter(models.Model):
    """One uploaded file, kept byte for byte so it can always be re-parsed."""

    original = models.FileField(
        upload_to=original_upload_path,
        max_length=200,
        help_text="The original bytes, stored under their SHA-256 (not a public URL).",
    )
    sha256 = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 of the original bytes, lower-case hex."
    )
    original_name = models.CharField(
        max_length=255, help_text="File name as uploaded (ZIP members keep their path)."
    )
    size = models.PositiveBigIntegerField(help_text="Size of the original in bytes.")
    content_type = models.CharField(
        max_length=100, help_text="MIME type detected from the content, not from the name."
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="uploaded_letters",
        help_text="Who uploaded it (empty for command-line imports).",
    )
    uploaded_at = models.DateTimeField(auto_now_add=True, help_text="When the file was stored.")
    batch = models.ForeignKey(
        UploadBatch,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="letters",
        help_text="The upload batch that first brought this file.",
    )
    status = models.CharField(
        max_length=24,
        choices=ParseStatus.choices,
        default=ParseStatus.PENDING,
        help_text="Parse status: pending, parsed, parsed with warnings, or failed.",
    )
    errors = models.JSONField(
        default=list, blank=True, help_text="Parser errors: why the letter could not be read."
    )
    warnings = models.JSONField(
        default=list, blank=True, help_text="Parser warnings: parts it did not understand."
    )
    parser_version = models.CharField(
        max_length=20, blank=True, help_text="PARSER_VERSION of the last parse."
    )
    parsed_at = models.DateTimeField(null=True, blank=True, help_text="When it was last parsed.")
    unfinished_parses = models.SmallIntegerField(  # no CHECK: adding it would scan the table
        default=0,
        db_default=0,  # raw inserts (the benchmark's COPY loader) need not name it
        help_text="Parses a worker started and never finished (it died). At 2, the letter is "
        "failed instead of crashing another worker; a finished parse resets it.",
    )
    text = models.TextField(blank=True, help_text="Text extracted from the original.")
    is_sample = models.BooleanField(
        default=False,
        db_default=False,  # a new column without rewriting the table; raw inserts need not name it
        help_text="One of the sample letters in samples/ (load_samples): badged as a sample, "
        "left out of feeds, removed by remove_samples.",
    )
    reissue_of = models.ForeignKey(
        "Determination",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reissues",
        help_text="Set when this letter's case number already has a determination from another "
        "letter: it awaits an admin's choice of which letter the permalink shows.",
    )
    reissue_settled_key = models.CharField(
        max_length=32,
        blank=True,
        default="",
        db_default="",  # a new column without rewriting the table; raw inserts need not name it
        help_text="The permalink key whose re-issue an admin settled for this letter (kept it "
        "off the permalink, or showed another letter there): a re-parse that finds the same "
        "case does not ask again.",
    )

    class Meta:
        ordering = ["-uploaded_at"]
        indexes = [
            models.Index(fields=["status"], name="letter_status_idx"),
            models.Index(fields=["parser_version"], name="letter_parser_version_idx"),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def needs_review(self) -> bool:
        return self.reissue_of_id is not None


class Reviewer(models.Model):
    """A reviewer's credential profile; names are confidential, identical profiles share a row."""

    role = models.CharField(
        max_length=24,
        choices=ReviewerRole.choices,
        null=True,
        blank=True,
        help_text="'physician reviewer' (prose wording) or 'expert reviewer' (block wording).",
    )
    specialties = ArrayField(
        models.CharField(max_length=120),
        default=list,
        blank=True,
        help_text="Specialties in the order stated, normalised to the Division's names.",
    )
    board_certified = models.BooleanField(
        null=True, blank=True, help_text="True only when the letter says Board Certified."
    )
    licensure = ArrayField(
        models.CharField(max_length=60),
        default=list,
        blank=True,
        help_text="States of licensure in the order stated.",
    )
    fingerprint = models.CharField(
        max_length=64,
        unique=True,
        help_text="SHA-256 of the normalised profile: makes identical profiles one row.",
    )

    def __str__(self) -> str:
        specialties = ", ".join(self.specialties) or "no specialty stated"
        return f"{self.role or 'reviewer'}: {specialties}"


class DeterminationQuerySet(models.QuerySet):
    def public(self) -> DeterminationQuerySet:
        return self.filter(withdrawn_at__isnull=True)


# A letter's decision year, as its year index holds it (``determination_year_stored_idx``).
DECISION_YEAR = ExtractYear("decision_date")


class Determination(models.Model):
    """One parsed letter: the decision on every disputed item of one case."""

    key = models.CharField(
        max_length=32,
        unique=True,
        help_text="Permalink key: the case number, or the first 12 hex digits of the letter's "
        "SHA-256 when it has none. Never changes on re-parse.",
    )
    case_number = models.CharField(
        max_length=16, null=True, blank=True, db_index=True, help_text="CMyy-nnnnnnn."
    )
    date_assigned = models.DateField(null=True, blank=True, help_text="Header: Date Assigned.")
    date_of_injury = models.DateField(
        null=True, blank=True, help_text="Header Date of Injury, else from the summary."
    )
    decision_date = models.DateField(null=True, blank=True, help_text="Header: Decision Date.")
    ur_denial_date = models.DateField(null=True, blank=True, help_text="Header: UR Denial Date.")
    application_received = models.DateField(
        null=True, blank=True, help_text="Header: Application Received."
    )
    priority = models.CharField(
        max_length=10, choices=Priority.choices, null=True, blank=True, help_text="Header."
    )
    patient_age = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Patient's age as stated in the summary."
    )
    patient_sex = models.CharField(
        max_length=6, choices=Sex.choices, null=True, blank=True, help_text="From the summary."
    )
    clinical_summary = models.TextField(blank=True, help_text="The summary proper, unwrapped.")
    outcome = models.CharField(
        max_length=24,
        choices=LetterOutcome.choices,
        null=True,
        blank=True,
        help_text="From the items: upheld, overturned or partially overturned.",
    )
    reviewer = models.ForeignKey(
        Reviewer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="determinations",
        help_text="The reviewer's credential profile.",
    )
    letter = models.OneToOneField(
        Letter,
        on_delete=models.PROTECT,
        related_name="determination",
        help_text="The letter this determination was parsed from.",
    )
    withdrawn_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set when an admin withdraws it: the permalink answers 410.",
    )
    withdrawn_reason = models.TextField(blank=True, help_text="Short public notice on withdrawal.")
    created_at = models.DateTimeField(auto_now_add=True, help_text="When first saved.")
    updated_at = models.DateTimeField(auto_now=True, help_text="When last re-parsed or edited.")

    objects = DeterminationQuerySet.as_manager()

    class Meta:
        ordering = ["-decision_date", "-id"]
        indexes = [
            models.Index(fields=["-decision_date", "-id"], name="determination_newest_idx"),
            # One decision year's letters, newest stored first: the letters API's order
            # (``-id``) within a year filter (``selectors.letters_of_the_years``; migration 0023).
            models.Index(DECISION_YEAR, F("id").desc(), name="determination_year_stored_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(key=""), name="determination_key_not_empty"),
            models.CheckConstraint(
                condition=Q(patient_age__isnull=True) | Q(patient_age__lte=120),
                name="determination_patient_age_plausible",
            ),
        ]

    def __str__(self) -> str:
        return self.key

    def get_absolute_url(self) -> str:
        return reverse("determinations:detail", args=[self.key])

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class DisputedItemQuerySet(models.QuerySet):
    def public(self) -> DisputedItemQuerySet:
        return self.filter(withdrawn=False)


def _category_pairs_condition() -> Q:
    condition = Q()
    for category, subcategories in SUBCATEGORIES.items():
        condition |= Q(category=category, subcategory__in=subcategories)
    return condition


class DisputedItem(models.Model):
    """One disputed treatment request and its decision: the row the browse page lists."""

    determination = models.ForeignKey(
        Determination, on_delete=models.CASCADE, related_name="items", help_text="Its letter."
    )
    number = models.PositiveSmallIntegerField(help_text="Order in the letter, from 1.")
    request = models.TextField(help_text="The disputed request, unwrapped.")
    original_request = models.TextField(
        null=True, blank=True, help_text="Modified requests only: the original request."
    )
    authorized = models.TextField(
        null=True, blank=True, help_text="Modified requests only: what UR authorized."
    )
    outcome = models.CharField(
        max_length=12, choices=ItemOutcome.choices, help_text="Upheld or overturned."
    )
    category = models.CharField(
        max_length=32, choices=Category.choices, help_text="Division taxonomy (contract 4.1)."
    )
    subcategory = models.CharField(
        max_length=40, choices=SUBCATEGORY_CHOICES, help_text="Subcategory within the category."
    )
    service = models.CharField(
        max_length=200,
        null=True,
        blank=True,
        help_text="Canonical service, or a drug's generic name (contract 4.2).",
    )
    body_regions = ArrayField(
        models.CharField(max_length=20, choices=BodyRegion.choices),
        default=list,
        blank=True,
        help_text="Body regions named in the request, in order (contract 4.3).",
    )
    quantity = models.PositiveIntegerField(
        null=True, blank=True, help_text="Sessions, visits or units requested (contract 4.4)."
    )
    claims_administrator_basis = models.TextField(
        blank=True, help_text="Text after 'Claims Administrator guideline:'."
    )
    reviewer_basis = models.TextField(blank=True, help_text="Text after 'MAXIMUS guideline:'.")
    rationale = models.TextField(blank=True, help_text="Decision rationale, unwrapped.")
    reviewer_citations_text = models.TextField(
        null=True,
        blank=True,
        help_text="The reviewer's citations formatted and joined with ' | ' (None: none); "
        "written with the citations, read by the CSV export.",
    )
    claims_administrator_citations_text = models.TextField(
        null=True,
        blank=True,
        help_text="The claims administrator's citations, formatted as above.",
    )

    # Facet columns copied from the determination and citations, maintained by services.
    decision_date = models.DateField(
        null=True, blank=True, help_text="Copy of the determination's decision date (sorting)."
    )
    decision_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Year of the decision date (facet)."
    )
    specialties = ArrayField(
        models.CharField(max_length=120),
        default=list,
        blank=True,
        help_text="Copy of the reviewer's specialties (facet).",
    )
    guideline_sources = ArrayField(
        models.CharField(max_length=12, choices=GuidelineSource.choices),
        default=list,
        blank=True,
        help_text="Sources of the reviewer's citations, each once (facet).",
    )
    guideline_documents = ArrayField(
        models.CharField(max_length=200),
        default=list,
        blank=True,
        help_text="The reviewer's citations as guideline values, source and document "
        "(``ODG:Low Back``, ``guidelines.py``), each once (facet).",
    )
    guideline_sections = ArrayField(
        models.CharField(max_length=SECTION_MAX_LENGTH),
        default=list,
        blank=True,
        help_text="The reviewer's citations that name a section, as section values, source, "
        "document and section (``ODG:Low Back|MRIs``, ``guidelines.py``), each once (facet).",
    )
    reason_codes = ArrayField(
        models.CharField(max_length=REASON_MAX_LENGTH, choices=Reason.choices),
        default=list,
        blank=True,
        help_text="Codes of the decisive reasons in ``reasons``, each once, in order (facet).",
    )
    reasons = models.JSONField(
        default=list,
        blank=True,
        help_text='The parse\'s decisive reasons, ``[{"code", "evidence"}]`` (the rationale '
        "sentence giving it), in its order; codes outside ``Reason`` are dropped with a warning.",
    )
    priority = models.CharField(
        max_length=10,
        choices=Priority.choices,
        null=True,
        blank=True,
        help_text="Copy of the determination's priority (facet).",
    )
    letter_outcome = models.CharField(
        max_length=24,
        choices=LetterOutcomeValue.choices,
        null=True,
        blank=True,
        help_text="Copy of the determination's outcome, as the filter names it (facet).",
    )
    licensure = ArrayField(
        models.CharField(max_length=60),
        default=list,
        blank=True,
        help_text="Copy of the reviewer's states of licensure (facet).",
    )
    modified = models.CharField(
        max_length=4,
        choices=Modified.choices,
        null=True,
        blank=True,
        help_text="'true' when the claims administrator modified the request (it has an "
        "original request), else NULL (facet).",
    )
    decision_days = models.CharField(
        max_length=8,
        choices=DecisionDays.choices,
        null=True,
        blank=True,
        help_text="Days from the determination's date assigned to its decision date, as a "
        "bucket (choices.decision_days_value; NULL: a date unknown or the decision earlier) "
        "(facet).",
    )
    injury_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Year of the determination's date of injury (facet)."
    )
    withdrawn = models.BooleanField(
        default=False, help_text="Copy of the determination's withdrawn state."
    )
    search_vector = SearchVectorField(
        null=True,
        editable=False,
        help_text="English tsvector of request (A), rationale (B) and clinical summary (C).",
    )
    request_vector = SearchVectorField(
        null=True,
        editable=False,
        help_text="English tsvector of the request alone: the index of field=request searches.",
    )

    objects = DisputedItemQuerySet.as_manager()

    class Meta:
        # No default ordering: counts and facet queries must not pay for a sort or a join.
        indexes = [
            models.Index(fields=["outcome"], name="item_outcome_idx"),
            models.Index(fields=["category", "subcategory"], name="item_category_idx"),
            models.Index(fields=["service"], name="item_service_idx"),
            # A service's and a category's most recent items: the similar decisions' candidates
            # (similar.py), read in bounded work without walking newer items of others.
            models.Index(
                fields=["service", "-decision_date", "-id"], name="item_service_newest_idx"
            ),
            models.Index(
                fields=["category", "-decision_date", "-id"], name="item_category_newest_idx"
            ),
            # Year, outcome and category together: the analysts' usual narrowing, counted
            # without combining bitmaps (a category's bitmap alone took 68 ms at 2 M letters).
            models.Index(
                fields=["decision_year", "outcome", "category"], name="item_year_outcome_cat_idx"
            ),
            models.Index(fields=["-decision_date", "-id"], name="item_newest_idx"),
            # One year's items, most recently stored first: the API's order (``-id``). Without
            # it a year of old letters was found by walking every newer item's id (``/api/
            # items/?year=2019`` over 15 s at 2 M letters; migration 0022).
            models.Index(fields=["decision_year", "-id"], name="item_year_stored_idx"),
            models.Index(fields=["priority"], name="item_priority_idx"),
            models.Index(fields=["letter_outcome"], name="item_letter_outcome_idx"),
            models.Index(fields=["decision_days"], name="item_decision_days_idx"),
            models.Index(fields=["injury_year"], name="item_injury_year_idx"),
            models.Index(
                fields=["modified"], condition=Q(modified__isnull=False), name="item_modified_idx"
            ),
            GinIndex(fields=["body_regions"], name="item_regions_gin"),
            GinIndex(fields=["licensure"], name="item_licensure_gin"),
            GinIndex(fields=["specialties"], name="item_specialties_gin"),
            GinIndex(fields=["guideline_sources"], name="item_sources_gin"),
            GinIndex(fields=["guideline_documents"], name="item_documents_gin"),
            GinIndex(fields=["guideline_sections"], name="item_sections_gin"),
            GinIndex(fields=["reason_codes"], name="item_reasons_gin"),
            GinIndex(fields=["search_vector"], name="item_search_gin"),
            GinIndex(fields=["request_vector"], name="item_request_gin"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["determination", "number"], name="item_number_unique_per_letter"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="item_number_positive"),
            models.CheckConstraint(
                condition=_category_pairs_condition(), name="item_subcategory_in_category"
            ),
            models.CheckConstraint(
                condition=Q(body_regions__contained_by=BodyRegion.values),
                name="item_body_regions_known",
            ),
            models.CheckConstraint(
                condition=Q(original_request__isnull=True, authorized__isnull=True)
                | Q(original_request__isnull=False),
                name="item_authorized_needs_original",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.determination.key} #{self.number}: {self.request[:60]}"

    def get_absolute_url(self) -> str:
        return f"{self.determination.get_absolute_url()}#{self.anchor}"

    @property
    def anchor(self) -> str:
        return f"item-{self.number}"

    @property
    def guideline_labels(self) -> list[str]:
        """The reviewer's guidelines as shown: ``ODG · Low Back``."""
        return [guideline_label(value) for value in self.guideline_documents]

    def citations_by_basis(self) -> dict[str, list[GuidelineCitation]]:
        """The citations under the basis citing them, in order: the page's two lists and the
        API's two arrays, read in one pass and no query. From ``citation_rows`` where the item's
        own query carried them (``selectors.citation_rows``), else from ``citations``
        (prefetched, or a query)."""
        if hasattr(self, "citation_rows"):
            citations = GuidelineCitation.from_rows(self.citation_rows)
        else:
            citations = self.citations.all()
        by = {cited_by: [] for cited_by in CitedBy.values}
        for citation in citations:
            by[citation.cited_by].append(citation)
        return by

    @property
    def reason_list(self) -> list[dict]:
        """The decisive reasons as shown: ``code``, ``label`` and ``evidence`` of each."""
        labels = dict(Reason.choices)
        return [
            {
                "code": r["code"],
                "label": labels.get(r["code"], r["code"]),
                "evidence": r["evidence"],
            }
            for r in self.reasons or []
        ]


class GuidelineCitation(models.Model):
    """One guideline document cited in a basis (claims administrator's or reviewer's)."""

    item = models.ForeignKey(
        DisputedItem, on_delete=models.CASCADE, related_name="citations", help_text="Its item."
    )
    cited_by = models.CharField(
        max_length=24, choices=CitedBy.choices, help_text="Which basis cites it."
    )
    position = models.PositiveSmallIntegerField(help_text="Order within its basis, from 1.")
    source = models.CharField(
        max_length=12, choices=GuidelineSource.choices, help_text="MTUS, ODG, ACOEM, ..."
    )
    document = models.CharField(
        max_length=300, null=True, blank=True, help_text="Document or ODG chapter (contract 4.6)."
    )
    chapter = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="ACOEM chapter number when stated or implied."
    )
    section = models.TextField(null=True, blank=True, help_text="Topic or section named.")
    pages = models.CharField(max_length=60, null=True, blank=True, help_text="Pages as written.")
    year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Edition year written after the document name."
    )

    class Meta:
        ordering = ["item", "cited_by", "position"]
        indexes = [models.Index(fields=["source", "document"], name="citation_document_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "cited_by", "position"], name="citation_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return " / ".join(str(p) for p in (self.source, self.document, self.section) if p)

    @classmethod
    def from_rows(cls, rows) -> list[GuidelineCitation]:
        """Citations from rows of all their columns in the model's order (as
        ``selectors.citation_rows`` reads them), the way a query's rows become instances."""
        names = [field.attname for field in cls._meta.concrete_fields]
        return [cls.from_db(None, names, row) for row in rows]

    @property
    def guideline_value(self) -> str | None:
        """Its value of the ``guideline`` filter (``ODG:Low Back``), None without a document."""
        return guideline_value(self.source, self.document)

    @property
    def section_value(self) -> str | None:
        """Its value of the ``guideline_section`` filter (``ODG:Low Back|MRIs``), None without a
        document or a section."""
        return section_value(self.source, self.document, self.section)

    @property
    def listed_section(self) -> str | None:
        """Its section as the guideline pages list it (``section_value``'s one spelling), so
        that the permalink links to the section's page itself, not through a redirect."""
        value = self.section_value
        return split_section_value(value)[1] if value else None


class PurgedLetter(models.Model):
    """What is left of a letter a superuser purged (uploaded by mistake): a tombstone.

    The letter, its parse and its original file are gone; this row refuses the same bytes on
    every later upload or import (``services.receipts_for``) until it is deleted ("undo purge").
    """

    sha256 = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 of the purged bytes: refused while kept."
    )
    original_name = models.CharField(max_length=255, help_text="File name as it was uploaded.")
    size = models.PositiveBigIntegerField(help_text="Size of the purged original in bytes.")
    key = models.CharField(
        max_length=32,
        blank=True,
        db_index=True,
        help_text="Permalink key its determination had (its permalink answers 410), if any.",
    )
    purged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="purged_letters",
        help_text="The superuser who purged it.",
    )
    purged_by_name = models.CharField(
        max_length=150, blank=True, help_text="Their user name, kept if the account goes."
    )
    purged_at = models.DateTimeField(auto_now_add=True, help_text="When it was purged.")
    reason = models.TextField(help_text="Why (staff only; never shown on public pages).")

    class Meta:
        ordering = ["-purged_at"]

    def __str__(self) -> str:
        return f"{self.original_name} (purged {timezone.localtime(self.purged_at):%Y-%m-%d})"


class UploadResult(models.Model):
    """What happened to one file of an upload batch: kept so results stay visible afterwards."""

    class Outcome(models.TextChoices):
        NEW = "new", "new"
        DUPLICATE = "duplicate", "duplicate"
        REJECTED = "rejected", "rejected"

    batch = models.ForeignKey(
        UploadBatch, on_delete=models.CASCADE, related_name="results", help_text="Its batch."
    )
    name = models.CharField(max_length=500, help_text="File or ZIP member name as given.")
    outcome = models.CharField(
        max_length=12, choices=Outcome.choices, help_text="new, duplicate, or rejected."
    )
    message = models.TextField(blank=True, help_text="Why a file was rejected, in plain words.")
    letter = models.ForeignKey(
        Letter,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="upload_results",
        help_text="The stored letter (the existing one for duplicates).",
    )

    class Meta:
        ordering = ["batch", "id"]

    def __str__(self) -> str:
        return f"{self.name}: {self.outcome}"


# Precomputed counts (determinations/summaries.py) ------------------------------------------------


class FacetPairCount(models.Model):
    """Public items per facet value (``facet_b`` empty) and per pair of values, with overturned.

    Maintained by ``summaries.summaries_refresh``; read only while fresh (see ``SummaryChange``).
    Facet names are the browse filter parameters, plus ``category_subcategory`` (value
    ``category<RS>subcategory``) for the statistics' subcategory groups; array facets give each
    item's distinct values. The row with every key empty counts every public item. Pairs are
    stored in both orders, and a value is paired with itself, so that the pairs of one value are
    one index range.
    """

    facet_a = models.CharField(max_length=24, help_text="Facet of the first value ('' = all).")
    value_a = models.TextField(blank=True, help_text="The first value, as text.")
    facet_b = models.CharField(
        max_length=24, blank=True, help_text="Facet of the second value ('' = a total)."
    )
    value_b = models.TextField(blank=True, help_text="The second value, as text.")
    items = models.IntegerField(help_text="Public items with both values.")
    overturned = models.IntegerField(help_text="Of those, overturned items.")

    class Meta:
        indexes = [
            models.Index(fields=["facet_a"], condition=Q(facet_b=""), name="facetpair_totals_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["facet_a", "value_a", "facet_b", "value_b"], name="facetpair_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facet_a}={self.value_a} & {self.facet_b}={self.value_b}: {self.items}"


class PeriodPairCount(models.Model):
    """``FacetPairCount`` per calendar month of the items' decision dates: the cross-tabs over
    time (``crosstab``). Quarters and years are sums of months; items without a decision date
    are not counted here.

    The same keys as ``FacetPairCount`` plus ``month`` (its first day): ``facet_b`` empty for a
    value's total, every key empty for all items of the month. Maintained with it by
    ``summaries.summaries_refresh``, read only while the summaries are fresh.
    """

    facet_a = models.CharField(max_length=24, help_text="Facet of the first value ('' = all).")
    value_a = models.TextField(blank=True, help_text="The first value, as text.")
    facet_b = models.CharField(
        max_length=24, blank=True, help_text="Facet of the second value ('' = a total)."
    )
    value_b = models.TextField(blank=True, help_text="The second value, as text.")
    month = models.DateField(help_text="First day of the items' decision month.")
    items = models.IntegerField(help_text="Public items with both values decided that month.")
    overturned = models.IntegerField(help_text="Of those, overturned items.")

    class Meta:
        indexes = [  # a value's totals without a filter: not the range of all its pairs
            models.Index(fields=["facet_a"], condition=Q(facet_b=""), name="periodpair_totals_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["facet_a", "value_a", "facet_b", "value_b", "month"],
                name="periodpair_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.facet_a}={self.value_a} & {self.facet_b}={self.value_b} "
            f"in {self.month:%Y-%m}: {self.items}"
        )


class FacetLetterCount(models.Model):
    """Public letters with at least one public item carrying a facet value, by letter outcome.

    ``facet`` and ``value`` empty: letters with at least one public item. Maintained with
    ``FacetPairCount``.
    """

    facet = models.CharField(max_length=24, blank=True, help_text="Facet ('' = all letters).")
    value = models.TextField(blank=True, help_text="The value, as text.")
    outcome = models.CharField(
        max_length=24, blank=True, help_text="The letter's own outcome ('' when it has none)."
    )
    letters = models.IntegerField(help_text="Letters with a matching item.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["facet", "value", "outcome"], name="facetletter_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facet}={self.value} ({self.outcome}): {self.letters}"


class PeriodLetterCount(models.Model):
    """``FacetLetterCount`` per calendar month of the letters' decision dates (dated letters
    only): the letter outcomes over time (``letters``). Facets: every letter ('') and the
    values of ``summaries.PERIOD_KEYS``; maintained with it by ``summaries.summaries_refresh``,
    read only while the summaries are fresh."""

    facet = models.CharField(max_length=24, blank=True, help_text="Facet ('' = all letters).")
    value = models.TextField(blank=True, help_text="The value, as text.")
    month = models.DateField(help_text="First day of the letters' decision month.")
    outcome = models.CharField(
        max_length=24, blank=True, help_text="The letter's own outcome ('' when it has none)."
    )
    letters = models.IntegerField(help_text="Letters with a matching item decided that month.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["facet", "value", "month", "outcome"], name="periodletter_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facet}={self.value} in {self.month:%Y-%m} ({self.outcome}): {self.letters}"


class PeriodDaysCount(models.Model):
    """Letters per decision month, facet value, basis and days to decision (``timing``): the
    day-by-day counts medians and percentiles are computed from, exactly. Only letters whose
    days are known or not computable (``letters.NOT_COMPUTABLE``); the facets of
    ``PeriodLetterCount``, maintained and read with it."""

    facet = models.CharField(max_length=24, blank=True, help_text="Facet ('' = all letters).")
    value = models.TextField(blank=True, help_text="The value, as text.")
    month = models.DateField(help_text="First day of the letters' decision month.")
    basis = models.CharField(max_length=8, help_text="assigned or received (letters.BASES).")
    days = models.SmallIntegerField(help_text="Days to decision (-1: not computable; 366: more).")
    expedited = models.BooleanField(help_text="The letter's priority is expedited.")
    letters = models.IntegerField(help_text="Letters with a matching item.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["facet", "value", "basis", "month", "days", "expedited"],
                name="perioddays_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facet}={self.value} in {self.month:%Y-%m}: {self.letters} in {self.days} d"


class SummaryItem(models.Model):
    """What the summaries counted for one public item: its letter and facet values.

    A refresh subtracts the rows of changed letters and adds their current items, so its cost
    follows the change, not the archive. Written by ``summaries`` only. Its value columns are
    generated from ``dimensions.DIMENSIONS`` below (``_summary_columns``): one per dimension,
    named after it, and one per grouped pair (``category_subcategory``).
    """

    letter = models.BigIntegerField(db_index=True, help_text="Determination id.")
    determination_outcome = models.CharField(
        max_length=24, blank=True, help_text="The letter's own outcome, as stored ('' for none)."
    )
    decision_date = models.DateField(
        null=True, help_text="The item's decision date: the decided_from/decided_to filters."
    )
    letter_public = models.BooleanField(help_text="The letter itself is not withdrawn.")
    overturned = models.BooleanField(help_text="The item was overturned.")
    days_assigned = models.SmallIntegerField(
        null=True, help_text="Its letter's days from date assigned to decision (letters.days_sql)."
    )
    days_received = models.SmallIntegerField(
        null=True, help_text="Its letter's days from application received to decision."
    )

    def __str__(self) -> str:
        return f"summary of an item of letter {self.letter}"


def _summary_columns() -> dict[str, models.Field]:
    """SummaryItem's value columns: a dimension's values as text (arrays as text[]), NULL
    where the item's own column may be; a pair ``<within>_<name>`` as their joined text."""
    columns: dict[str, models.Field] = {}
    for dimension in DIMENSIONS:
        if dimension.is_array:
            columns[dimension.name] = ArrayField(models.TextField())
        else:
            nullable = DisputedItem._meta.get_field(dimension.column).null
            columns[dimension.name] = models.TextField(null=nullable)
    for dimension in PAIRS:
        columns[dimension.summary_group] = models.TextField()
    return columns


for _name, _field in _summary_columns().items():
    SummaryItem.add_to_class(_name, _field)


class SummaryState(models.Model):
    """The one row (pk 1) describing the summaries; absent until the first build."""

    built_at = models.DateTimeField(help_text="When the summaries were last refreshed.")
    seconds = models.FloatField(help_text="How long that refresh took.")
    full = models.BooleanField(default=True, help_text="Whether it rebuilt everything.")
    items_max_id = models.BigIntegerField(
        null=True, help_text="max(DisputedItem.id) then (bulk loads skip triggers)."
    )
    determinations_max_id = models.BigIntegerField(
        null=True, help_text="max(Determination.id) then."
    )

    def __str__(self) -> str:
        return f"Summaries refreshed {timezone.localtime(self.built_at):%Y-%m-%d %H:%M:%S}"


class SummaryChange(models.Model):
    """A letter whose items or determination a transaction wrote since the last refresh.

    Written by statement-level triggers (migration 0002; ``determination_id`` 0 after a
    TRUNCATE: everything), deleted by the refresh that counts them: while any row exists, the
    summaries are stale and counts are made live.
    """

    txid = models.BigIntegerField(help_text="txid_current() of the writer.")
    determination_id = models.BigIntegerField(help_text="The letter written (0: all of them).")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["txid", "determination_id"], name="summarychange_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"letter {self.determination_id} changed in transaction {self.txid}"


class VocabularyTerm(models.Model):
    """One term of the archive's own vocabulary, for "did you mean" suggestions (issue 16).

    The services (drugs by generic name), guideline documents and specialties the public items
    carry, with how many items carry each, and the distinct words of those terms (kind
    ``word``, lower case: what a misspelt search word is compared with). Rebuilt from the
    summaries' value totals by ``vocabulary.vocabulary_refresh`` at every summary refresh, so it
    follows ingest, withdrawals and re-parses; a few thousand rows at any archive size.
    """

    class Kind(models.TextChoices):
        SERVICE = "service", "Service"
        GUIDELINE = "guideline", "Guideline document"
        SPECIALTY = "specialty", "Reviewer specialty"
        WORD = "word", "Word of a term"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    term = models.TextField()
    items = models.IntegerField(help_text="Public items carrying it (words: summed over terms).")

    class Meta:
        indexes = [
            # No pending list: rows change rarely, and every lookup would scan it linearly.
            GinIndex(
                fields=["term"],
                opclasses=["gin_trgm_ops"],
                fastupdate=False,
                name="vocabulary_term_trgm",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["kind", "term"], name="vocabulary_kind_term_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.term}: {self.items}"
