"""Body regions named in a disputed request (contract section 4.3).

``body_regions(request, original_request)`` returns the regions in order of first mention, each
once, from the request, or from the original request when the request names none. Only body parts
that are named count: nothing is inferred from the kind of treatment.
"""

from __future__ import annotations

import re

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
REGIONS = (CERVICAL, THORACIC, LUMBAR, SHOULDER, ELBOW, WRIST_HAND, HIP, KNEE, ANKLE_FOOT, HEAD)
REGIONS += (UPPER_EXTREMITY, LOWER_EXTREMITY)

_LEVEL_REGION = {"C": CERVICAL, "T": THORACIC, "L": LUMBAR, "S": LUMBAR}

# (pattern, regions). Tried left to right at each position, so a longer phrase listed earlier
# ("upper back") wins over a shorter one inside it ("back"). Abbreviations are case-sensitive.
_TERMS: list[tuple[str, tuple[str, ...]]] = [
    # Several regions in one word or phrase.
    (r"upper\s*(?:and|&|/|,)\s*lower\s+(?:extremit\w*|limbs?)", (UPPER_EXTREMITY, LOWER_EXTREMITY)),
    (r"cervico-?thoracic", (CERVICAL, THORACIC)),
    (r"thoraco-?lumb\w*", (THORACIC, LUMBAR)),
    (r"(?-i:TLSO)", (THORACIC, LUMBAR)),
    # Spinal levels: "C5-6", "L4-L5", "L5-S1", "C7-T1", "T7-T8", "L4/5". A lone T or S level
    # needs a level word after it ("T12 level", "S1 nerve root") so thyroid labs (T3, T4) and
    # other codes do not count.
    (r"[CTLS]\d{1,2}\s*(?:-|/|\u2013|to|through)\s*[CTLS]?\d{1,2}(?!\d)", ("LEVELS",)),
    (r"[CL][1-8](?![\d.%/])", ("LEVELS",)),
    (
        r"[TS]\d{1,2}(?=\s*(?:level|vertebra|nerve|root|radicul|dermatom|spin|segment))",
        ("LEVELS",),
    ),
    (r"[CTL]-spine", ("LEVELS",)),
    # Cervical.
    (r"cervic\w*", (CERVICAL,)),
    (r"necks?", (CERVICAL,)),
    (r"trapezi\w*", (CERVICAL,)),
    # Thoracic.
    (r"(?:upper|mid|middle)[\s-]*backs?", (THORACIC,)),
    (r"thorac\w*", (THORACIC,)),
    (r"dorsal\s+spine", (THORACIC,)),
    # Lumbar.
    (r"low(?:er)?[\s-]*backs?", (LUMBAR,)),
    (r"lumb[ae]r\w*|lumbo\w*", (LUMBAR,)),
    (r"(?-i:LSO|LS|L/S)", (LUMBAR,)),
    (r"sacroiliac|sacr(?:um|al)|(?-i:SIJ?)(?=\s*(?:joints?|injections?|belt|$|[,;)/]))", (LUMBAR,)),
    (r"backs?(?![\s-]*(?:up|order))", (LUMBAR,)),
    # Limbs and joints.
    (r"shoulders?|rotator\s+cuffs?|(?:sub)?acromi\w*|glenohumeral|scapul\w*", (SHOULDER,)),
    (r"elbows?|epicondyl\w*|olecranon|cubital", (ELBOW,)),
    (r"wrists?|hands?(?![\s-]*(?:held|free))|fingers?|thumbs?|\w*carpal\w*|palms?", (WRIST_HAND,)),
    (r"hips?|pelvi[cs]|pelvis|groins?|trochant\w*|acetabul\w*", (HIP,)),
    (r"knees?|patell\w*|menisc\w*", (KNEE,)),
    (r"ankles?|foot|feet|toes?|heels?|plantar|achilles|\w*tarsal\w*", (ANKLE_FOOT,)),
    (r"head|brain\w*|skull", (HEAD,)),
    (r"upper\s+(?:extremit\w*|limbs?)|fore-?arms?|arms?|(?-i:[RLB]UEs?|UEs?)", (UPPER_EXTREMITY,)),
    (
        r"lower\s+(?:extremit\w*|limbs?)|legs?|thighs?|calf|calves|(?-i:[RLB]LEs?|LEs)",
        (LOWER_EXTREMITY,),
    ),
]

_REGEX = re.compile(
    r"(?<!\w)(?:" + "|".join(f"({pattern})" for pattern, _ in _TERMS) + r")(?!\w)", re.IGNORECASE
)
_GROUP_REGIONS = [regions for _, regions in _TERMS]
_LEVEL_LETTER = re.compile(r"([CTLS])(?=\d|-spine)", re.IGNORECASE)
# Hormone labs look like thoracic levels.
_NOT_LEVEL = re.compile(r"^T[34]\s*/\s*T?[34]$", re.IGNORECASE)


def _regions_in(text: str) -> list[str]:
    found: list[str] = []
    for match in _REGEX.finditer(text):
        regions = _GROUP_REGIONS[(match.lastindex or 1) - 1]
        if regions == ("LEVELS",):
            token = match.group(0)
            if _NOT_LEVEL.match(token):
                continue
            regions = tuple(_LEVEL_REGION[c.upper()] for c in _LEVEL_LETTER.findall(token))
        for region in regions:
            if region not in found:
                found.append(region)
    return found


def body_regions(request: str, original_request: str | None = None) -> list[str]:
    """Regions named in the request, else in the original request; [] when none."""
    try:
        found = _regions_in(request or "")
        if not found and original_request:
            found = _regions_in(original_request)
        return found
    except Exception:  # never raise on odd input
        return []
