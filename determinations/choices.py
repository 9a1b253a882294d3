"""Closed vocabularies of the parse contract (docs: ../shared/docs/letters.md, section 4).

The parser owns the vocabularies; these are their database-side choices (tests check they agree).

Values are the contract's strings verbatim: they are stored, filtered on and exported as they are.
"""

from django.db import models

# The category -> subcategories table lives with the parser (pure Python), which applies it.
from .parsing.vocab.classify import SUBCATEGORIES


class ParseStatus(models.TextChoices):
    PENDING = "pending", "pending"
    PARSED = "parsed", "parsed"
    PARSED_WITH_WARNINGS = "parsed_with_warnings", "parsed with warnings"
    FAILED = "failed", "failed"


class Priority(models.TextChoices):
    STANDARD = "standard", "Standard"
    EXPEDITED = "expedited", "Expedited"


class Sex(models.TextChoices):
    MALE = "male", "male"
    FEMALE = "female", "female"


class LetterOutcome(models.TextChoices):
    UPHELD = "upheld", "Upheld"
    OVERTURNED = "overturned", "Overturned"
    PARTIALLY_OVERTURNED = "partially overturned", "Partially overturned"


class LetterOutcomeValue(models.TextChoices):
    """The letter outcomes as the ``letter_outcome`` filter names them (URL values have no
    spaces): the item's copy of its letter's ``LetterOutcome``, see ``letter_outcome_value``."""

    UPHELD = "upheld", "Upheld"
    OVERTURNED = "overturned", "Overturned"
    PARTIALLY_OVERTURNED = "partially_overturned", "Partially overturned"


def letter_outcome_value(outcome: str | None) -> str | None:
    """The filter's value of a letter's outcome (``partially overturned`` ->
    ``partially_overturned``); None for a letter with none. Also SQL ``replace(o, ' ', '_')``."""
    return outcome.replace(" ", "_") if outcome else None


class Modified(models.TextChoices):
    """The ``modified`` filter's one value: the claims administrator modified the request (the
    item has an original request). Unmodified items have no value, so no facet lists them."""

    TRUE = "true", "Modified by the claims administrator"


def modified_value(original_request: str | None) -> str | None:
    """The ``modified`` copy of an item: ``true`` when it has an original request (the claims
    administrator modified it), else None. Also SQL ``CASE WHEN original_request IS NOT NULL``."""
    return Modified.TRUE.value if original_request is not None else None


class ItemOutcome(models.TextChoices):
    UPHELD = "upheld", "Upheld"
    OVERTURNED = "overturned", "Overturned"


class ReviewerRole(models.TextChoices):
    PHYSICIAN = "physician reviewer", "physician reviewer"
    EXPERT = "expert reviewer", "expert reviewer"


class CitedBy(models.TextChoices):
    CLAIMS_ADMINISTRATOR = "claims_administrator", "Claims administrator"
    REVIEWER = "reviewer", "Reviewer (MAXIMUS)"


class GuidelineSource(models.TextChoices):
    MTUS = "MTUS", "MTUS"
    ODG = "ODG", "ODG"
    ACOEM = "ACOEM", "ACOEM"
    AMA_GUIDES = "AMA Guides", "AMA Guides"
    OTHER = "Other", "Other"


class BodyRegion(models.TextChoices):
    CERVICAL = "cervical"
    THORACIC = "thoracic"
    LUMBAR = "lumbar"
    SHOULDER = "shoulder"
    ELBOW = "elbow"
    WRIST_HAND = "wrist/hand"
    HIP = "hip"
    KNEE = "knee"
    ANKLE_FOOT = "ankle/foot"
    HEAD = "head"
    UPPER_EXTREMITY = "upper extremity"
    LOWER_EXTREMITY = "lower extremity"


class Category(models.TextChoices):
    DIAGNOSTIC_TESTING = "Diagnostic Testing"
    DMEPOS = "DMEPOS"
    EVALUATION_MANAGEMENT = "Evaluation & Management"
    HOME_HEALTH = "Home Health"
    INJECTION = "Injection"
    PHARMACEUTICALS = "Pharmaceuticals"
    PROGRAMS = "Programs"
    PSYCH_SERVICES = "Psych Services"
    REHABILITATION = "Rehabilitation"
    SURGERY = "Surgery"
    TRANSPORTATION = "Transportation"
    OTHER = "Other"


SUBCATEGORY_CHOICES = sorted({(s, s) for subs in SUBCATEGORIES.values() for s in subs})


class DecisionDays(models.TextChoices):
    """Buckets of days from the letter's date assigned to its decision date: the
    ``decision_days`` dimension and the time-to-decision histogram (``timing``). Bounds in
    ``DECISION_DAYS_BOUNDS``; a letter decided before its date assigned, or missing either date,
    is in no bucket."""

    DAYS_0_7 = "0-7", "0 to 7 days"
    DAYS_8_14 = "8-14", "8 to 14 days"
    DAYS_15_30 = "15-30", "15 to 30 days"
    DAYS_31_45 = "31-45", "31 to 45 days"
    DAYS_46_90 = "46-90", "46 to 90 days"
    OVER_90 = "over-90", "Over 90 days"


# Each bucket's first and last day, inclusive (None: no last day), in DecisionDays' order.
DECISION_DAYS_BOUNDS = ((0, 7), (8, 14), (15, 30), (31, 45), (46, 90), (91, None))


def decision_days_value(days: int | None) -> str | None:
    """The ``decision_days`` bucket of a number of days (None: unknown or negative). Also SQL:
    ``decision_days_sql``."""
    if days is None or days < 0:
        return None
    for (value, _), (_, last) in zip(DecisionDays.choices, DECISION_DAYS_BOUNDS, strict=True):
        if last is None or days <= last:
            return value
    return None  # unreachable: the last bucket has no last day


def decision_days_sql(days: str) -> str:
    """``decision_days_value`` in SQL over the integer expression ``days`` (from the code)."""
    whens = " ".join(
        f"WHEN {days} <= {last} THEN '{value}'"
        for (value, _), (_, last) in zip(DecisionDays.choices, DECISION_DAYS_BOUNDS, strict=True)
        if last is not None
    )
    over = DecisionDays.OVER_90.value
    return f"CASE WHEN {days} < 0 THEN NULL {whens} WHEN {days} IS NOT NULL THEN '{over}' END"


class Reason(models.TextChoices):
    """The decisive reasons a reviewer gives in an item's rationale (issue 19): the parse's
    ``reasons[].code`` and the ``reason`` dimension. Upheld items' reasons first (why the request
    failed), then overturned items' (why it met the guideline); definitions: docs/parsing.md."""

    FUNCTIONAL_IMPROVEMENT_NOT_DOCUMENTED = (
        "functional_improvement_not_documented",
        "Functional improvement not documented",
    )
    CONSERVATIVE_CARE_NOT_DOCUMENTED = (
        "conservative_care_not_documented",
        "Conservative care not tried or its failure not documented",
    )
    EXCEEDS_GUIDELINE_LIMIT = (
        "exceeds_guideline_limit",
        "Exceeds the guideline's quantity, frequency or duration",
    )
    NOT_RECOMMENDED = "not_recommended", "Not recommended by the guideline"
    INDICATION_NOT_DOCUMENTED = (
        "indication_not_documented",
        "Indication or objective findings not documented",
    )
    MONITORING_NOT_DOCUMENTED = "monitoring_not_documented", "Required monitoring not documented"
    COMPOUND_INGREDIENT_NOT_RECOMMENDED = (
        "compound_ingredient_not_recommended",
        "Compound contains a non-recommended ingredient",
    )
    ASSOCIATED_REQUEST_NOT_CERTIFIED = (
        "associated_request_not_certified",
        "Associated request not certified",
    )
    CRITERIA_MET = "criteria_met", "Guideline criteria met"
    IMPROVEMENT_DOCUMENTED = "improvement_documented", "Improvement from prior treatment documented"
    PRIOR_CARE_FAILED = "prior_care_failed", "Prior conservative care failed"


REASON_MAX_LENGTH = 40  # the item column's width (``DisputedItem.reason_codes``)
assert max(len(code) for code in Reason.values) <= REASON_MAX_LENGTH
