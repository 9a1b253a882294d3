"""Closed vocabularies of the parse contract (docs: ../shared/docs/letters.md, section 4).

Values are the contract's strings verbatim: they are stored, filtered on and exported as they are.
"""

from django.db import models


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


# Category -> its subcategories, in the Division's order (contract section 4.1).
SUBCATEGORIES: dict[str, tuple[str, ...]] = {
    "Diagnostic Testing": (
        "Imaging/Radiology",
        "EMG/NCV/NCS",
        "Lab & Pathology",
        "Other Diagnostic Tests",
    ),
    "DMEPOS": ("DME", "Electrical Stimulation", "Prosthetics/Orthotics", "Supplies"),
    "Evaluation & Management": ("Medical Specialties", "Dental Services"),
    "Home Health": ("Home Health",),
    "Injection": ("Facet Injection", "Injection"),
    "Pharmaceuticals": (
        "Opioids",
        "NSAID",
        "Muscle Relaxant",
        "Anti-epilepsy drugs",
        "Antidepressant",
        "Topical Analgesics",
        "Topical Compounds",
        "Proton Pump Inhibitors",
        "H2 Blocker",
        "Sedative-hypnotics",
        "Benzodiazepines",
        "AntiAnxiety",
        "Antiemetic",
        "Antimigraine Agent",
        "Stimulants",
        "Atypical Antipsychotic",
        "Viscosupplementation",
        "Adrenal Cortical Steroids",
        "Misc Analgesics",
        "GI Agents",
        "Antihistamine",
        "Antihypertensive",
        "Anti-infectives",
        "Hormones",
        "Impotence Agents",
        "Nutritional Products",
        "Opioid Antagonist",
        "Statin",
        "Cannabinoids",
        "Other",
    ),
    "Programs": ("Programs",),
    "Psych Services": ("Evaluation & Management", "Therapies"),
    "Rehabilitation": ("Acupuncture", "Chiropractic", "PT/OT", "Other Therapies"),
    "Surgery": (
        "Spine",
        "Arthroscopic Surgery",
        "Non-arthroscopic Surgery",
        "Adjunct Surgical Services",
        "Surgical Consult",
    ),
    "Transportation": ("Transportation",),
    "Other": ("Other",),
}

SUBCATEGORY_CHOICES = sorted({(s, s) for subs in SUBCATEGORIES.values() for s in subs})

# Services outside Pharmaceuticals form a closed list (contract 4.2); drugs are generic names.
NON_DRUG_SERVICES: tuple[str, ...] = (
    "MRI",
    "CT",
    "X-ray",
    "Ultrasound",
    "Bone scan",
    "EMG/NCS",
    "Urine drug screen",
    "Laboratory tests",
    "Functional capacity evaluation",
    "Sleep study",
    "EKG",
    "Trigger point injection",
    "Epidural steroid injection",
    "Facet joint injection",
    "Radiofrequency ablation",
    "Sacroiliac joint injection",
    "Joint injection",
    "Nerve block",
    "Platelet-rich plasma injection",
    "Acupuncture",
    "Chiropractic treatment",
    "Physical therapy",
    "Occupational therapy",
    "Aquatic therapy",
    "Massage therapy",
    "TENS unit",
    "H-wave unit",
    "Interferential unit",
    "Cold therapy unit",
    "Brace",
    "Orthotics",
    "Consultation",
    "Follow-up visit",
    "Psychotherapy",
    "Cognitive behavioral therapy",
    "Psychological evaluation",
    "Biofeedback",
    "Functional restoration program",
    "Weight loss program",
    "Arthroscopy",
    "Spinal fusion",
    "Discectomy",
    "Laminectomy",
    "Carpal tunnel release",
    "Joint replacement",
    "Spinal cord stimulator",
    "Home health care",
    "Transportation",
)
