"""Category, subcategory and service of a disputed item (contract sections 4.1 and 4.2).

``classify_item(request, ...)`` returns ``(category, subcategory, service)``. It never raises and
always returns a valid category/subcategory pair (``("Other", "Other", None)`` when nothing fits).

How it works: one precompiled alternation finds every vocabulary "concept" named in the request
(MRI, epidural, chiropractic, brace, consult...) in a single pass, and the drug table
(``drugs.lookup_drug``) finds a named drug. A fixed precedence then decides (see
``docs/parsing.md``, "Vocabularies"): programs, transportation, home health, surgical consult,
surgery, injections, diagnostic tests, named drugs, psych services, rehabilitation modalities,
DMEPOS, evaluation & management, then generic medication words; a test or device named first
is what was asked for. What was requested decides: only a vague request (one naming nothing of
its own, "Retrospective request for DOS 1/1/14") falls back on the request restated in the
rationale ("the request for X is not medically necessary") and on the reviewer's citations; a
specific request the vocabulary does not know is classed by its own generic words (test,
device, dose) or ``Other``, so the same name gets the same classification in every letter.
Adjunct surgical services (prefix "Associated surgical service:", pre-/post-op, clearance,
assistant surgeon, hospital stay, tests requested with a surgery in the same letter) keep the
underlying service but take ``Surgery`` / ``Adjunct Surgical Services``, except medications,
which are always ``Pharmaceuticals``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

from .drugs import PHARMACEUTICAL_CLASSES, drug_spans, is_compound, lookup_drug

Result = tuple[str, str, str | None]
OTHER: Result = ("Other", "Other", None)

# Valid (category, subcategory) pairs, used to guarantee the output.
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
    "Pharmaceuticals": PHARMACEUTICAL_CLASSES,
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
_VALID = frozenset((cat, sub) for cat, subs in SUBCATEGORIES.items() for sub in subs)

# --- concepts -------------------------------------------------------------------------------
# (concept, pattern), matched on lower-cased text, whole words. At one position the first
# alternative that matches wins, so longer or more specific phrases come first.
# fmt: off
_CONCEPTS: list[tuple[str, str]] = [
    # specialties that would otherwise read as a treatment
    ("specialist", r"physical medicine (?:and|&) rehab\w*|pm ?& ?r|pmr|physiatr\w*"),
    ("homehealth", r"(?:skilled )?nurs(?:e|ing) visits?|skilled nursing (?:care )?(?:at|in) "
                   r"(?:the )?home|home (?:health|care|nursing)\w*"),
    # programs
    ("frp", r"functional restoration\w*|frp|h\.?e\.?l\.?p\.? program|(?:chronic )?pain "
            r"(?:management |rehabilitation )?program|(?:multi|inter)[- ]?disciplinary\w*"
            r"|restoration program"),
    ("weightloss", r"weight[- ]?loss|weight (?:management|reduction)|medifast|lindora"
                   r"|nutrisystem|weight watchers"),
    ("program", r"(?:traumatic )?brain injury (?:program|rehab\w*)|tbi program|inpatient "
                r"rehab\w*|acute rehab\w*|skilled nursing|snf|nursing (?:facility|home)"
                r"|residential (?:treatment|program|care|rehab\w*)|assisted living"
                r"|detox\w* (?:program|treatment|facility|center|admission)|(?:in|out)patient "
                r"detox\w*|work (?:hardening|conditioning)|transitional living|day (?:treatment )?"
                r"program|post[- ]acute (?:rehab\w*|care|program)|rehabilitation (?:program|"
                r"facility|center|unit)"),
    # transportation, home health
    ("transport", r"transport\w*|taxi|uber|lyft|ambulance|mileage"),
    ("homehealth", r"home[- ]health\w*|hhc|home (?:care|aide|assistan\w*|attendant|nursing|nurse|"
                   r"helper|help)|in[- ]?home (?:care|assistance|support|services?|health|help)"
                   r"|care ?givers?|attendant care|homemaker\w*|housekeep\w*|chore services"
                   r"|personal care (?:assistan\w*|attendant)|hha|ihss"),
    # rehabilitation treatments and modalities
    ("traction", r"(?:spinal )?decompression (?:therapy|table|traction)|traction\w*|vax[- ]?d"
                 r"|drx ?\d*|saunders|pronex|inversion table"),
    ("acu", r"(?:electro[- ]?)?acupunct\w* visits|electro[- ]?acupunct\w*|acupunct\w*|acupunture"
            r"|accupunct\w*|acupucture|acu"),
    ("surgery", r"manipulation under (?:general )?anesthe\w*|mua"),
    ("manual", r"manual therap\w*|manual treatment"),
    ("chiro", r"chiropract\w* visits|chiropract\w*|chiro|spinal manipulat\w*|manipulat\w*"
              r"|spinal adjustments?|adjustments?|cmt|omt|osteopathic manipulat\w*"
              r"|osteopathic treatment"),
    ("lab", r"pt ?/ ?ptt|pt ?/ ?inr|ptt|inr|prothrombin\w*"),
    ("pt", r"(?:pt|physical therap\w*) eval\w* (?:and|&) treat\w*|therapy, physical"
           r"|physical therap\w*|physiotherap\w*|physical rehab\w*|pt|physical medicine\w*"
           r"|therapeutic exercises?|physio|p\.t\.|exercise therapy|land[- ]based therapy"
           r"|rehab(?:ilitation)? (?:therapy|sessions?|visits?)|work rehab\w*"),
    ("ot", r"occupational therap\w*|ot|hand therap\w*|certified hand therapist|cht"),
    ("aquatic", r"aqua\w* (?:exercise |physical )?therap\w*|(?:aqua\w*|pool) pt|aquatic\w*"
                r"|aquatherap\w*|pool therap\w*|water therap\w*"
                r"|hydrotherap\w*|pool (?:exercise|program)\w*|warm water"),
    ("massage", r"massage\w*|myofascial release|soft tissue mobili\w*"),
    ("tens", r"tens|t\.e\.n\.s\.?|transcutaneous electrical nerve stim\w*|transcutaneous "
             r"electric\w* stim\w*"),
    ("hwave", r"h[- ]?wave"),
    ("ifu", r"interferential\w*|if (?:unit|machine)s?|if stim\w*|ifc|ics unit|rs[- ]?4i"
            r"|interspec\w*"),
    ("nmes", r"nmes|neuromuscular electric\w* stim\w*|ems unit|muscle stim\w*|micro ?current\w*"
             r"|alpha[- ]?stim|cranial electro\w*|ces unit"),
    ("estim", r"electrical (?:muscle )?stim\w*|electric (?:muscle )?stim\w*|e[- ]?stim\w*"
              r"|electrotherap\w*|galvanic\w*|electro[- ]?stim\w*|ems"),
    ("cold", r"cold therap\w*|cryo ?therap\w*|cryo\w*|cold compression\w*|ice (?:machine|unit|"
             r"therapy|compression)|game ?ready|polar ?care|vascutherm|cold (?:unit|machine)"
             r"|cold ?/ ?compression\w*|hot ?(?:/|and|&) ?cold (?:therapy )?(?:unit|machine|"
             r"compression)|cold ?(?:/|and|&)"
             r" ?(?:heat|hot) (?:therapy )?(?:unit|machine)|thermo ?cool\w*|iceman|coolcare"
             r"|cold compression"),
    ("supplies", r"hot ?/ ?cold packs?|cold ?/ ?hot packs?|(?:ice|gel|cold|hot) packs?"),
    ("modality", r"shock ?wave\w*|eswt|laser\w*|lllt|iontophoresis|phonophoresis|kinesio\w*"
                 r"|dry needling|cupping|graston|astym|modalit\w*|infra[- ]?red|diathermy"
                 r"|paraffin\w*|whirlpool|fluidotherap\w*|yoga|pilates|tai chi|hot packs?"
                 r"|moist heat|heat|ice|hot/cold|cold/hot|heat/ice|ice/heat|mechanical traction"),
    # psych
    ("cbt", r"cognitive[- ]behavio\w*(?: (?:therapy|treatment|psychotherapy|sessions?))?"
            r"|cbt(?: psychotherap\w*)?"),
    ("biofeedback", r"(?:s?emg|surface emg|emg[- ]assisted) biofeedback|biofeedback|neurofeedback"
                    r"|bio[- ]feedback"),
    ("partialhosp", r"partial hospitali\w*|php"),
    ("psychtherapy", r"psychotherap\w*|counsel\w*|(?:psychological|psychiatric|psych|"
                     r"behavioral|mental health) (?:treatment|therapy|sessions?|visits?|care|"
                     r"services|support|intervention\w*)|group therapy|individual therapy"
                     r"|hypnotherap\w*|hypnosis|relaxation (?:training|therapy)|stress management"
                     r"|pain coping\w*|talk therapy|psychological follow[- ]?ups?"),
    ("psycheval", r"psych\w* clearance|neuro[- ]?psych\w*|psychometric\w*|mmpi\w*|bhi"
                  r"|psychological (?:evaluation|eval|consult\w*|testing|assessment|screening"
                  r"|tests?|exam\w*)|psych (?:eval\w*|consult\w*|testing)|psychodiagnostic\w*"),
    ("psych", r"psycholog\w*|psychiatr\w*|psych|mental health|behavioral health"),
    ("orthotics", r"orthotic\w*|insoles?|shoe inserts?|inserts|arch supports?|heel (?:cups?|"
                  r"lifts?|pads?)|foot orthos[ie]s|custom (?:shoes|footwear)|orthop(?:a)?edic "
                  r"shoes|shoe lifts?"),
    ("brace", r"brac(?:e|es|ing)|orthos[ie]s|splints?|splinting|dyna[- ]?splint\w*|lso|tlso|afo"
              r"|immobili[sz]er\w*|cock[- ]?up|thumb spica"),
    ("support", r"collars?|slings?|abduction pillow|supports?|sleeves?|binders?|corsets?|wraps?"
                r"|(?:walking|cam|walker) boot|boots?|cam walker"),
    ("prosthesis", r"prosthe\w*"),
    # surgical consult words
    ("surgconsult", r"surg\w* (?:consult\w*|evaluation|opinion|referral)"),
    ("surgeon", r"surgeons?|neuro ?surg\w*|orthop(?:a)?edi\w*|ortho"),
    # surgery
    ("fusion", r"anterior cervical dis[ck]ectomy (?:and|&|with) fusion|acdf|tlif|plif|xlif|alif"
               r"|dlif|olif|fusion\w*|arthrodes\w*"),
    ("discectomy", r"(?:micro)?dis[ck]ectom\w*"),
    ("laminectomy", r"(?:hemi)?laminectom\w*|laminotom\w*"),
    ("scs", r"spinal cord stim\w*|scs|dorsal column stim\w*|spinal stimulator\w*"
            r"|neurostimulator\w*"),
    ("spine", r"kyphoplast\w*|vertebroplast\w*|foraminotom\w*|corpectom\w*|neuroplast\w*"
              r"|adhesiolysis|lysis of adhesions|racz|intrathecal (?:pump|drug delivery|catheter)"
              r"|(?:implantable )?pain pump|idet|nucleoplast\w*|annuloplast\w*|(?:cervical |lumbar"
              r" )?(?:total )?disc (?:replacement|arthroplasty)|artificial disc|facetectom\w*"
              r"|spinal surgery|spine surgery|back surgery|neck surgery|laminoplast\w*"),
    ("ctr", r"carpal tunnel (?:release|surgery|decompression)|ctr|carpal tunnel release"),
    ("replacement", r"(?:total |partial |unicompartmental |reverse )?(?:knee|hip|shoulder|joint"
                    r"|ankle|elbow) (?:replacement|arthroplasty)|tka|tkr|tha|thr|tsa"
                    r"|hemiarthroplast\w*|arthroplast\w*|total (?:knee|hip|shoulder)"),
    ("arthroscopy", r"arthroscop\w*|scope"),
    ("arthroproc", r"menisc\w*ectom\w*|menisc\w* repair|chondroplast\w*|acl reconstruction"
                   r"|slap repair|labral repair"),
    ("decompression", r"decompression\w*"),
    ("surgery", r"surgery|surgeries|operation|orif|open reduction|internal fixation|excision"
                r"|(?:hardware|implant) removal|removal of (?:hardware|implant\w*)|osteotom\w*"
                r"|fasciectom\w*|fasciotom\w*|tenotom\w*|tenodes\w*|transposition|amputation"
                r"|bunionectom\w*|herniorrhaph\w*|hernia repair|acromioplast\w*|(?:tunnel|finger"
                r"|thumb|trigger|quervain\S*|cubital|tarsal|capsular|tendon|pulley|nerve|lateral"
                r"|fascia|plantar) release|release of|debridement|synovectom\w*|tenolysis"
                r"|neurolysis|capsulotom\w*|arthrotom\w*|cheilectom\w*|resection|tendon transfer"
                r"|repair|reconstruction|revision|exploration|implantation|ganglion cyst removal"),
    # injections
    ("rfa", r"radio[- ]?frequenc\w*|rfas?|rhizotom\w*|neurotom\w*|rf ablation|ablation|rhizolysis"
            r"|rf|rfl|rfn|rftc|mbrfas?"),
    ("facet", r"facet\w*|medial branch\w*|mbb|mbbs|mbnb|zygapophys\w*"),
    ("esi", r"epidural\w*|(?:c|l|t|il|tf)?esis?|transforaminal\w*|interlaminar|caudal"
            r"|selective nerve root\w*|snrb|nerve root block\w*"),
    ("tpi", r"trigger[- ]?points?|trigger pts?|tp injections?|tpi|tpis"),
    ("si", r"sacroiliac\w*|si[- ]?joints?|sij|si"),
    ("prp", r"platelet[- ]rich\w*|prp|platelet\w*"),
    ("nerveblock", r"(?:nerve|ganglion|plexus) blocks?|gon blocks?|gonbs?|occipital\w*|stellate"
                   r"|sympathetic|genicular|suprascapular|intercostal|ilioinguinal|pudendal|celiac"
                   r"|hypogastric|peripheral nerve|nerve blocks?|blockade|femoral nerve"),
    ("jointinj", r"intra[- ]?articular|joint injections?|corticosteroid injections?"
                 # cortisone with a dose (``Cortisone 10mg #60``, ``cortisone acetate``): the drug
                 r"|cortisone(?! ?\d| acetate)"
                 r"|steroid injections?|subacromial|glenohumeral|bursa\w*|aspiration"
                 r"|arthrocentesis|viscosupplement\w*"),
    ("inj", r"injections?|inj|shots?|botox|botulinum|prolotherap\w*|ozone|stem cells?"
            r"|sclerotherap\w*|blocks?|nerve ablation"),
    # diagnostics
    ("uds", r"urine drug\w*|urine tox\w*|urinary drug\w*|drug screen\w*|drug test\w*|uds|udts?"
            r"|urine screen\w*|toxicolog\w* (?:screen\w*|test\w*)|tox screen\w*|drug monitoring"
            r"|(?:saliva|oral fluid) drug\w*|urine (?:analysis )?for drugs?"),
    ("fce", r"functional capacit\w*(?: evaluation| exam\w*| assessment| test\w*)?|fces?|functional"
            r" abilit\w* (?:evaluation|assessment)|physical capacit\w* evaluation|work capacity"
            r" evaluation"),
    ("sleep", r"sleep stud\w*|polysomnogra\w*|sleep test\w*|sleep apnea (?:test|study)\w*|psg"
              r"|sleep lab\w*|multiple sleep latency|sleep evaluation"),
    ("ekg", r"ekgs?|ecgs?|electrocardiogra\w*|12[- ]lead"),
    ("mri", r"mri\w*|mra|mr of|magnetic resonance\w*(?: imaging)?|mr arthrogra\w*|mr imaging|nmr"
            r"|magnetic resonance imaging"),
    ("ct", r"ct myelogra\w*|ct scans?|cat scans?|ct|computed tomograph\w*"
           r"|computeri[sz]ed (?:axial )?tomograph\w*|cta"),
    ("xray", r"x[- ]?rays?|xrays?|radiographs?|radiographic\w*|plain films?|films"
             r"|(?:[1-9]|one|two|three|four|five|six)[- ]views?"),
    ("us", r"ultrasound\w*|ultra sound\w*|ultrasonograph\w*|sonogra\w*|doppler\w*|duplex"),
    ("bonescan", r"(?:nuclear |triple phase |three phase )?bone scans?|scintigra\w*|spect"),
    ("imgother", r"dexa|dxa|bone densit\w*|pet scans?|pet[- ]ct|discogra\w*"),
    ("imgmod", r"imaging|radiolog\w*|arthrogra\w*|myelogra\w*|scans?"),
    ("emg", r"emg\w*|ncv\w*|ncs|nerve conduction\w*|electromyogra\w*|electrodiagnos\w*|edx"
            r"|electroneuro\w*|nerve (?:studies|study)|emgs"),
    ("diagother", r"sseps?|somatosensory\w*|qst|quantitative sensory|vng|videonystagmo\w*"
                  r"|vestibular (?:test\w*|evaluation)|pulmonary function\w*|pfts?|spirometr\w*"
                  r"|stress test\w*|echocardiogra\w*|holter|tilt table|audiogra\w*|audiometr\w*"
                  r"|hearing test\w*|range of motion (?:test\w*|measurement\w*)|computeri[sz]ed"
                  r" (?:range|rom|muscle|strength)\w*|muscle test\w*|strength test\w*|sudomotor"
                  r"|autonomic test\w*|nerve fiber density|evoked potential\w*|eeg"
                  r"|electroencephalogra\w*|vsep|baer|balance test\w*|posturograph\w*"
                  r"|thermograph\w*|allergy test\w*|diagnostic test\w*|current perception"
                  r"|neurometer|cardio ?pulmonary test\w*|pulse oximetry|oximetry|tilt test"),
    ("lab", r"labs?|laborator\w*|blood (?:work|tests?|draw|panel|count)|bloodwork|cbc|cmp|bmp"
            r"|chem\w* panel|chem[- ]?\d+|metabolic panel|urinalysis|u/a|ua|coagulation\w*"
            r"|coags?|hepatic (?:function|panel)|liver (?:function|panel|enzymes)|lfts?|renal "
            r"(?:function|panel)|kidney function|lipid\w*|a1c|hba1c|hemoglobin|thyroid (?:panel|"
            r"function|test\w*)|tsh|serum \w+|(?:blood|drug|serum|vitamin d|testosterone) levels?"
            r"|genetic\w*|dna|pharmacogen\w*|genotyp\w*|cytokine\w*|cultures?|biops\w*"
            r"|patholog\w*|arthritis panel|esr|crp|sed rate|c-reactive|rheumatoid factor|uric acid"
            r"|electrolytes"
            r"|type and screen|blood type\w*|h\. ?pylori|hepatitis (?:panel|screen\w*|test\w*)"),
    # DMEPOS
    ("supplies", r"supplies|supply|electrodes?|batter(?:y|ies)|lead wires?|conductive garment\w*"
                 r"|garments?|dressings?|bandages?|gauze|gloves|catheters?|syringes|needles"
                 r"|tape|stockings|compression (?:socks|stockings|hose)|(?:ice|gel|cold|hot)"
                 r" packs?|pads|patches"),
    ("dme", r"wheel ?chairs?|walkers?|rolling walker|canes?|crutch\w*|hospital beds?|commodes?"
            r"|shower (?:chair|bench|seat)|tub (?:bench|chair|transfer)|bath (?:bench|chair)"
            r"|grab bars?|lift chair|scooter\w*|mattress\w*|pillows?|cpm|continuous passive"
            r" motion|pneumatic compression\w*|compression (?:pump|device|unit)\w*|dvt\w*"
            r"|sequential compression\w*|scds?|exercise (?:equipment|kit|bike|bicycle|ball|bands?"
            r"|machine)|stationary (?:bike|bicycle)|treadmill|thera[- ]?cane|heating pads?"
            r"|reachers?|durable medical equipment|dme|ergonomic\w*|chairs?|c?pap|bipap"
            r"|hearing aids?|bone (?:growth )?stimulat\w*|exogen|recliner|toilet seat"
            r"|cushions?|lumbar roll|back roll|foam roller|home exercise kit|equipment|unit"),
    ("other", r"gym\w*(?: membership\w*)?|health club\w*|ymca|pool membership\w*"),
    # evaluation & management
    ("dental", r"dental|dentist\w*|teeth|tooth|oral surg\w*|periodont\w*|orthodont\w*|crowns?"
               r"|dentures?|endodont\w*|prosthodont\w*|root canals?|night guard|mouth guard"),
    ("followup", r"follow[- ]?ups?|f/u|re-?evaluat\w*|re-?exam\w*|re-?visits?|return visits?"
                 r"|office visits?|office follow\w*|subsequent visit\w*|established patient"),
    ("consult", r"consult\w*|referrals?|refer|transfer of care|toc|second opinion|evaluat\w*"
                r"|eval|assessment|opinion|appointment|initial visit|new patient"),
    ("exam", r"exam\w*|visits?|check ?ups?|physicals?"),
    ("specialist", r"specialist|pain management|pain medicine|pain specialist|neurolog\w*"
                   r"|internist|internal medicine|rheumatolog\w*|podiatr\w*|cardiolog\w*"
                   r"|gastroenterolog\w*|urolog\w*|dermatolog\w*|ophthalmolog\w*|optometr\w*"
                   r"|otolaryngolog\w*|ent|pulmonolog\w*|endocrinolog\w*|hematolog\w*"
                   r"|oncolog\w*|infectious disease|sleep medicine|toxicolog\w*|addiction\w*"
                   r"|vascular|physician|doctor|md|primary care|pcp|general practitioner"
                   r"|gynecolog\w*|nephrolog\w*|allergist|hepatolog\w*|sports medicine"
                   r"|occupational medicine|anesthesiolog\w*|medication management"
                   r"|med management|hand specialist|spine specialist|neurosurg\w*"),
    # medications named generically
    ("med", r"medications?|meds|prescriptions?|drugs?|pharmac\w*|refills?|tablets?|tabs?"
            r"|capsules?|caps|p\.?o\.?|b\.?i\.?d\.?|t\.?i\.?d\.?|q\.?d\.?|prn|qhs|orally"
            r"|by mouth|dosage|dose|mg|mcg|ml|iu"),
    ("opioid", r"opioids?|opiates?|narcotics?|analgesics? opioid"),
    ("nsaid", r"nsaids?|anti[- ]?inflammator\w*|non[- ]?steroidal\w*"),
    ("musclerelax", r"muscle relax\w*|antispasmodic\w*|anti[- ]?spasm\w*"),
    ("aed", r"anti[- ]?epilep\w*|anticonvulsant\w*|anti[- ]?convulsant\w*|aeds?"),
    ("antidep", r"anti[- ]?depressant\w*|ssris?|snris?|tricyclic\w*"),
    ("topical", r"topical (?:analgesic|anesthetic|nsaid|cream|gel|lotion|ointment|patch)\w*"
                r"|topicals?"),
    ("compound", r"compound\w*|cream base"),
    ("ppi", r"proton pump inhibitor\w*|ppis?"),
    ("h2", r"h2 (?:blocker|antagonist|receptor antagonist)\w*"),
    ("hypnotic", r"sleep (?:aid|medication)\w*|hypnotic\w*|insomnia (?:medication|treatment)\w*"),
    ("benzo", r"benzodiazepine\w*|benzos?"),
    ("antiemetic", r"anti[- ]?emetic\w*|anti[- ]?nausea\w*"),
    ("steroid", r"oral steroids?|corticosteroids?|steroids?|steroid dose pack"),
    ("laxative", r"laxatives?|stool softeners?"),
    ("medfood", r"medical foods?|supplements?|vitamins?|nutritional\w*"),
    ("antibiotic", r"antibiotic\w*"),
    ("antihistamine", r"antihistamine\w*"),
]
# fmt: on

_GROUP_CONCEPT = {f"{name}_{i}": name for i, (name, _) in enumerate(_CONCEPTS)}
_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"


def _first_chars(pattern: str) -> frozenset[str]:
    """Characters a match of ``pattern`` can start with (all of them when unsure).

    Read from the pattern's text with the public API only: the concept patterns are plain
    alternations of words, optional groups and character classes, so their first characters
    are the first literal, class or group member of each alternative. Anything this reader does
    not understand answers "every character", which is always correct, only slower.
    """
    chars, _nullable = _seq_first(pattern, 0, len(pattern))
    return frozenset(_ALNUM) if chars is None else frozenset(chars) & frozenset(_ALNUM)


def _group_end(pattern: str, start: int) -> int:
    """Index just past the group or class opening at ``start`` (-1 when malformed)."""
    closing = "]" if pattern[start] == "[" else ")"
    depth, index = 0, start
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if closing == "]":
            if char == "]" and index > start + 1:
                return index + 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return -1


def _alternatives(pattern: str, start: int, end: int) -> list[tuple[int, int]]:
    """Top-level ``|`` branches of ``pattern[start:end]``."""
    spans, index, begin = [], start, start
    while index < end:
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if char in "([":
            stop = _group_end(pattern, index)
            if stop < 0:
                return [(start, end)]
            index = stop
            continue
        if char == "|":
            spans.append((begin, index))
            begin = index + 1
        index += 1
    spans.append((begin, end))
    return spans


def _class_chars(body: str) -> set[str] | None:
    """Members of a simple character class body ("- ", "a-z"); None when not simple."""
    if body.startswith("^"):
        return None
    chars: set[str] = set()
    index = 0
    while index < len(body):
        if body[index] == "\\":
            return None
        if index + 2 < len(body) and body[index + 1] == "-":
            chars.update(chr(c) for c in range(ord(body[index]), ord(body[index + 2]) + 1))
            index += 3
        else:
            chars.add(body[index])
            index += 1
    return chars


def _seq_first(pattern: str, start: int, end: int) -> tuple[set[str] | None, bool]:
    """(first characters, can match empty) of ``pattern[start:end]``; None when unsure."""
    branches = _alternatives(pattern, start, end)
    if len(branches) > 1:
        acc: set[str] = set()
        nullable = False
        for b_start, b_end in branches:
            chars, b_nullable = _seq_first(pattern, b_start, b_end)
            if chars is None:
                return None, False
            acc |= chars
            nullable = nullable or b_nullable
        return acc, nullable
    acc = set()
    index = start
    while index < end:
        char = pattern[index]
        if char == "\\":
            if pattern[index + 1 : index + 2] in ("b", "B"):
                index += 2  # a word boundary consumes nothing
                continue
            return None, False
        if char == "(":
            stop = _group_end(pattern, index)
            if stop < 0 or stop > end:
                return None, False
            inner = index + 1
            if pattern.startswith("?:", inner):
                inner += 2
            elif pattern.startswith("?P<", inner):
                inner = pattern.index(">", inner) + 1
            elif pattern.startswith("?", inner):
                return None, False  # lookarounds, flags: not read here
            chars, nullable = _seq_first(pattern, inner, stop - 1)
            index = stop
        elif char == "[":
            stop = _group_end(pattern, index)
            if stop < 0 or stop > end:
                return None, False
            chars, nullable = _class_chars(pattern[index + 1 : stop - 1]), False
            index = stop
        elif char in ".^$|)*+?{":
            return None, False
        else:
            chars, nullable = {char}, False
            index += 1
        if chars is None:
            return None, False
        # A quantifier that allows zero repeats makes the item optional.
        if index < end and pattern[index] in "?*":
            nullable = True
            index += 1
            if index < end and pattern[index] in "?+":
                index += 1
        elif index < end and pattern[index] == "+":
            index += 1
            if index < end and pattern[index] in "?+":
                index += 1
        elif index < end and pattern[index] == "{":
            close = pattern.find("}", index)
            if close < 0:
                return None, False
            nullable = nullable or pattern[index + 1 : close].split(",")[0].strip() in ("", "0")
            index = close + 1
        acc |= chars
        if not nullable:
            return acc, False
    return acc, True


def _build_dispatch() -> dict[str, re.Pattern[str]]:
    """One alternation per first character: only the concepts that can start there are tried."""
    firsts = [_first_chars(pattern) for _, pattern in _CONCEPTS]
    dispatch: dict[str, re.Pattern[str]] = {}
    for char in _ALNUM:
        parts = [
            f"(?P<{name}_{i}>{pattern})"
            for i, ((name, pattern), first) in enumerate(zip(_CONCEPTS, firsts, strict=True))
            if char in first
        ]
        if parts:
            dispatch[char] = re.compile("(?:" + "|".join(parts) + r")(?![a-z0-9])")
    return dispatch


_DISPATCH = _build_dispatch()
_WORD_START_RE = re.compile(r"(?<![a-z0-9])[a-z0-9]")

_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|sixteen|eighteen|twenty"
)
_COURSE_RE = re.compile(
    r"(?<![a-z0-9])(?:\d+\s*(?:x|times|\N{MULTIPLICATION SIGN})\s*(?:(?:a|per|each|/)\s*)?"
    r"(?:\d+|weeks?|wk|months?)|(?:x|times|\N{MULTIPLICATION SIGN})\s*\d+(?![a-z0-9])"
    r"|\d+\s*(?:-\s*\d+\s*)?(?:sessions?|visits?|treatments?|appointments?)(?![a-z])"
    r"|(?:once|twice|thrice|one|two|three|four|five|six|\d+(?:\s*(?:-|to)\s*\d+)?)\s*"
    r"(?:times?\s*)?(?:a|per|each|/|x)\s*(?:week|wk|month)"
    rf"|weekly(?![a-z])|for\s+(?:\d+|{_NUMBER_WORDS})\s+(?:weeks?|months?)(?![a-z])"
    rf"|(?:{_NUMBER_WORDS}|twenty-four|additional|initial|a series of)\s+(?:\w+\s+){{0,2}}"
    r"(?:sessions?|visits?|treatments?)(?![a-z])|sessions?(?![a-z])|course of(?![a-z]))"
)
_DOS_RE = re.compile(r"\bdos\b|\bdates? of service\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b|\bin[- ]office\b"
                     r"|\bin[- ]clinic\b|\bclinic\b")  # fmt: skip
_DEVICE_RE = re.compile(
    r"\b(?:units?|devices?|machines?|system|purchase\w*|rental|rent|rented|renting|buy|home"
    r"|trial|supplies|stimulators?|kit|day use|daily use|lease|table|air bladder|over the door"
    r"|pronex|saunders)\b"
)
_TREATMENT_NOUN_RE = re.compile(
    r"\b(?:treatments?|therap\w*|sessions?|manipulation\w*|adjustments?|care|modalities|program)\b"
)
_SPINE_REGION_RE = re.compile(
    r"\b(?:cervical|thoracic|lumbar|lumbosacral|spine|spinal|back|neck|[clts]\d(?:\s*-\s*[clts]?\d)?"
    r"|sacral|dis[ck]s?|vertebra\w*|foramin\w*|thoracolumbar)\b"
)
_JOINT_PART_RE = re.compile(
    r"\b(?:knees?|shoulders?|hips?|elbows?|wrists?|ankles?|thumbs?|cmc|carpometacarpal"
    r"|acromioclavicular|ac joint|glenohumeral|subacromial|joints?)\b"
)
_ADJ_PREFIX_RE = re.compile(r"^\W*associated surgical services?\b\W*")
_PERIOP_RE = re.compile(
    r"\b(?:pre|post|peri)[- ]?(?:op|ops|operative(?:ly)?|surg(?:ery|ical)|procedur\w*)\b"
    r"|\bpreop\b|\bpostop\b|\bafter surgery\b|\bfollowing surgery\b|\bbefore surgery\b"
)
_ADJ_WORD_RE = re.compile(
    r"\bclearance\b|\bassist(?:ant|ing)? (?:surgeon|at surgery|surgery)\b|\bsurgical assist\w*"
    r"|\bco-?surgeon\b|\b(?:physician|surgical) assistant\b|\bpa-?c?\b|\bfirst assist\w*"
    r"|\b(?:inpatient|hospital|overnight) (?:stay|admission|days?|nights?)\b|\blength of stay\b"
    r"|\b\d+\s*(?:-\s*\d+\s*)?(?:days?|nights?) (?:inpatient|hospital|stay)\b|\banesthe\w*"
    r"|\bh ?& ?p\b|\bhistory and physical\b"
)
_LETTER_TEST_RE = re.compile(
    r"\b(?:labs?|laborator\w*|ekg|ecg|electrocardiogra\w*|chest x[- ]?rays?|cxr|cbc|cmp|bmp"
    r"|urinalysis|pt/?ptt|ptt|inr|coag\w*|clearance|h ?& ?p|history and physical"
    r"|pulmonary function|pft|blood work|chem\w* panel|metabolic panel)\b"
)
_STRIP_RE = re.compile(
    r"^\W*(?:(?:retro(?:spective)?|prospective|concurrent)\s*(?:review\s*)?(?:request(?:ed)?\s*"
    r"(?:for)?)?|decision for|request(?:ed)? for|the request for|purchase of|rental of)\s*:?\s*"
)
_RESTATED_RE = re.compile(
    r"request(?:ed)? for (?:the |a |an |one |retrospective |prospective )*\"?(.{3,200}?)\"?,?"
    r"\s+(?:is|was|are|were|cannot be|can not be|would be|has been|is not|is therefore)\s+"
    r"(?:not\s+|therefore\s+|also\s+|considered\s+|deemed\s+|determined to\s+(?:be\s+)?)*"
    r"(?:medically necessary|necessary|supported|recommended|appropriate|warranted|indicated"
    r"|certified|established|approved|reasonable)",
    re.IGNORECASE,
)

_SERVICE = {
    "mri": "MRI",
    "ct": "CT",
    "xray": "X-ray",
    "us": "Ultrasound",
    "bonescan": "Bone scan",
    "emg": "EMG/NCS",
    "uds": "Urine drug screen",
    "lab": "Laboratory tests",
    "fce": "Functional capacity evaluation",
    "sleep": "Sleep study",
    "ekg": "EKG",
    "fusion": "Spinal fusion",
    "discectomy": "Discectomy",
    "laminectomy": "Laminectomy",
    "scs": "Spinal cord stimulator",
    "ctr": "Carpal tunnel release",
    "replacement": "Joint replacement",
    "arthroscopy": "Arthroscopy",
    "arthroproc": "Arthroscopy",
    "tpi": "Trigger point injection",
    "esi": "Epidural steroid injection",
    "si": "Sacroiliac joint injection",
    "prp": "Platelet-rich plasma injection",
    "nerveblock": "Nerve block",
    "jointinj": "Joint injection",
    "cbt": "Cognitive behavioral therapy",
    "biofeedback": "Biofeedback",
    "psychtherapy": "Psychotherapy",
    "tens": "TENS unit",
    "hwave": "H-wave unit",
    "ifu": "Interferential unit",
}
_IMAGING = ("mri", "ct", "xray", "us", "bonescan", "imgother", "imgmod")
_DIAG = (*_IMAGING, "emg", "uds", "lab", "fce", "sleep", "ekg", "diagother")
_DIAG_SUB = {
    **dict.fromkeys(_IMAGING, "Imaging/Radiology"),
    "emg": "EMG/NCV/NCS",
    "uds": "Lab & Pathology",
    "lab": "Lab & Pathology",
    **dict.fromkeys(("fce", "sleep", "ekg", "diagother"), "Other Diagnostic Tests"),
}
_SPINE_SURGERY = ("fusion", "discectomy", "laminectomy", "scs", "spine")
# named procedures, then generic surgical words
_SURGERY_STRONG = (*_SPINE_SURGERY, "ctr", "replacement", "arthroscopy", "arthroproc")
_SURGERY = (*_SURGERY_STRONG, "surgery")
_SPECIFIC_INJECTION = ("rfa", "facet", "esi", "tpi", "si", "prp", "nerveblock")
_THERAPEUTIC_RE = re.compile(r"\b(?:therapeutic|pulsed|therapy|treatments?|modalit\w*)\b")
_INJECTION = ("rfa", "facet", "esi", "tpi", "si", "prp", "nerveblock", "jointinj", "inj")
_PSYCH_THERAPY = ("cbt", "biofeedback", "psychtherapy", "partialhosp")
_PROVIDERS = ("acu", "chiro", "manual", "pt", "ot", "aquatic", "massage")
_PROVIDER_RESULT: dict[str, Result] = {
    "acu": ("Rehabilitation", "Acupuncture", "Acupuncture"),
    "chiro": ("Rehabilitation", "Chiropractic", "Chiropractic treatment"),
    "manual": ("Rehabilitation", "Chiropractic", "Chiropractic treatment"),
    "pt": ("Rehabilitation", "PT/OT", "Physical therapy"),
    "ot": ("Rehabilitation", "PT/OT", "Occupational therapy"),
    "aquatic": ("Rehabilitation", "Other Therapies", "Aquatic therapy"),
    "massage": ("Rehabilitation", "Other Therapies", "Massage therapy"),
}
_ESTIM_DEVICES = ("tens", "hwave", "ifu", "nmes")
_MED_WORD_CLASS = {
    "opioid": "Opioids",
    "nsaid": "NSAID",
    "musclerelax": "Muscle Relaxant",
    "aed": "Anti-epilepsy drugs",
    "antidep": "Antidepressant",
    "topical": "Topical Analgesics",
    "compound": "Topical Compounds",
    "ppi": "Proton Pump Inhibitors",
    "h2": "H2 Blocker",
    "hypnotic": "Sedative-hypnotics",
    "benzo": "Benzodiazepines",
    "antiemetic": "Antiemetic",
    "steroid": "Adrenal Cortical Steroids",
    "laxative": "GI Agents",
    "medfood": "Nutritional Products",
    "antibiotic": "Anti-infectives",
    "antihistamine": "Antihistamine",
    "med": "Other",
}
# Injected drugs that make the request an injection procedure rather than a medication.
_PROCEDURE_DRUG_CLASSES = frozenset({"Adrenal Cortical Steroids", "Topical Analgesics"})
_PROCEDURE_DRUGS = frozenset({"onabotulinumtoxina"})
_OTHER_INJECTION_RE = re.compile(r"\b(?:botox|botulinum|prolotherap|ozone|stem cell|sclerotherap)")


class _Found:
    """Concepts named in a text: first position of each, in order of mention."""

    __slots__ = ("first", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        first: dict[str, int] = {}
        end = 0
        for start in _WORD_START_RE.finditer(text):
            pos = start.start()
            if pos < end:
                continue
            regex = _DISPATCH.get(text[pos])
            match = regex.match(text, pos) if regex is not None else None
            if match is not None:
                first.setdefault(_GROUP_CONCEPT[match.lastgroup], pos)  # type: ignore[index]
                end = match.end()
        self.first = first

    def __contains__(self, concept: str) -> bool:
        return concept in self.first

    def any(self, concepts: Iterable[str]) -> bool:
        return not self.first.keys().isdisjoint(concepts)

    def present(self, concepts: Iterable[str]) -> list[str]:
        """The given concepts that are present, in order of first mention."""
        return sorted((c for c in concepts if c in self.first), key=self.first.__getitem__)

    def drop(self, *concepts: str) -> None:
        for c in concepts:
            self.first.pop(c, None)


def _one_service(concepts: Sequence[str]) -> str | None:
    services = {_SERVICE.get(c) for c in concepts}
    return services.pop() if len(services) == 1 else None


def _em_service(found: _Found) -> str | None:
    if "followup" in found:
        return "Follow-up visit"
    if "consult" in found:
        return "Consultation"
    return None


def _surgery(found: _Found) -> Result:
    named = found.present(_SURGERY)
    text = found.text
    if "fusion" in found and re.search(r"\b(?:acdf|[tpxadlo]lif|anterior cervical dis)", text):
        found.drop("discectomy")
        named = found.present(_SURGERY)
    service = _one_service([c for c in named if c in _SERVICE]) if named else None
    if any(c in _SERVICE for c in named) and any(c not in _SERVICE for c in named):
        # a specific procedure plus generic surgery words ("repair"): keep the specific one
        service = _one_service([c for c in named if c in _SERVICE])
    spinal_context = _SPINE_REGION_RE.search(text) is not None
    if found.any(_SPINE_SURGERY) or (
        spinal_context
        and not found.any(("arthroscopy", "arthroproc", "replacement", "ctr"))
        and ("decompression" in found or "surgery" in found)
    ):
        return ("Surgery", "Spine", service)
    if found.any(("arthroscopy", "arthroproc")):
        return ("Surgery", "Arthroscopic Surgery", service)
    return ("Surgery", "Non-arthroscopic Surgery", service)


def _injection(found: _Found) -> Result:
    if found.any(("rfa", "facet")):
        return (
            "Injection",
            "Facet Injection",
            "Radiofrequency ablation" if "rfa" in found else "Facet joint injection",
        )
    specific = found.present(("esi", "tpi", "si", "prp", "nerveblock"))
    if specific:
        return ("Injection", "Injection", _one_service(specific))
    if "jointinj" in found:
        return ("Injection", "Injection", "Joint injection")
    if _JOINT_PART_RE.search(found.text) and not _OTHER_INJECTION_RE.search(found.text):
        return ("Injection", "Injection", "Joint injection")
    return ("Injection", "Injection", None)


def _diagnostic(found: _Found) -> Result:
    named = found.present(_DIAG)
    if len(named) > 1 and "lab" in named:
        named.remove("lab")  # "Labs to include: EKG", "urine drug screen (lab)"
        found.drop("lab")
    if "imgmod" in named and len(named) > 1:
        named.remove("imgmod")  # "MRI arthrogram", "CT scan": a named modality wins
    subcategory = _DIAG_SUB[named[0]]
    services = {_SERVICE.get(c) for c in named}
    service = services.pop() if len(services) == 1 else None
    return ("Diagnostic Testing", subcategory, service)


def _psych(found: _Found, course: bool) -> Result | None:
    therapy = found.present(_PSYCH_THERAPY)
    evaluation = "psycheval" in found
    if therapy and (course or not evaluation):
        return ("Psych Services", "Therapies", _one_service(therapy))
    if evaluation:
        return ("Psych Services", "Evaluation & Management", "Psychological evaluation")
    if "psych" in found:
        if course and not found.any(("followup",)):
            return ("Psych Services", "Therapies", "Psychotherapy")
        text = found.text
        if "followup" in found:
            return ("Psych Services", "Evaluation & Management", "Follow-up visit")
        if found.any(("consult", "exam")):
            if re.search(r"\bpsycholog", text):
                return ("Psych Services", "Evaluation & Management", "Psychological evaluation")
            return ("Psych Services", "Evaluation & Management", "Consultation")
        if _TREATMENT_NOUN_RE.search(text):
            return ("Psych Services", "Therapies", None)
        return ("Psych Services", "Evaluation & Management", None)
    return None


_PACKS_RE = re.compile(r"\b(?:hot|cold|ice|heat)\b[ /a-z]*\bpacks?\b")
_UNIT_RE = re.compile(r"\bunits?\b")
_FOR_RE = re.compile(r"\bfor\b")


def _only_supplies(found: _Found) -> bool:
    """Supplies named without a unit, or named first and then "for" the unit ("Electrodes for
    TENS unit"): the supplies are what is asked for, not the device."""
    if "supplies" not in found:
        return False
    text = found.text
    if not _UNIT_RE.search(text):
        return True
    for_match = _FOR_RE.search(text)
    if for_match is None or found.first["supplies"] > for_match.start():
        return False
    return not _UNIT_RE.search(text, 0, for_match.start())


def _modalities(found: _Found, course: bool) -> Result | None:
    text = found.text
    device = _DEVICE_RE.search(text) is not None
    session = course or _DOS_RE.search(text) is not None
    providers = found.present(_PROVIDERS)
    devices = found.present(_ESTIM_DEVICES)
    if providers and devices and device and found.first[devices[0]] < found.first[providers[0]]:
        # "H-wave unit after failed physical therapy": the device asked for, not the therapy
        providers = []
    if providers:
        if (
            found.any(("followup", "consult", "exam"))
            and not course
            and not _TREATMENT_NOUN_RE.search(text)
        ):
            # "Chiropractic evaluation", "Re-exam with chiropractor": a visit, not a course
            return ("Evaluation & Management", "Medical Specialties", _em_service(found))
        if "manual" in providers and len(providers) > 1:
            providers.remove("manual")
        first = _PROVIDER_RESULT[providers[0]]
        services = {_PROVIDER_RESULT[p][2] for p in providers}
        subs = {_PROVIDER_RESULT[p][1] for p in providers}
        if len(services) == 1:
            return first
        if subs == {"PT/OT"}:
            return ("Rehabilitation", "PT/OT", None)
        return (first[0], first[1], None)
    if devices:
        if _only_supplies(found):
            return ("DMEPOS", "Supplies", None)
        if session and not device:
            return ("Rehabilitation", "Other Therapies", None)
        return ("DMEPOS", "Electrical Stimulation", _one_service(devices))
    if "estim" in found:
        if _only_supplies(found):
            return ("DMEPOS", "Supplies", None)
        if device and not (session and not re.search(r"\b(?:units?|purchase|rental)\b", text)):
            return ("DMEPOS", "Electrical Stimulation", None)
        return ("Rehabilitation", "Other Therapies", None)
    if "cold" in found:
        if session and not device:
            return ("Rehabilitation", "Other Therapies", None)
        return ("DMEPOS", "DME", "Cold therapy unit")
    if "supplies" in found and session and not device and _PACKS_RE.search(text):
        # "Hot/cold packs applied in the clinic x 6 visits": the modality, not the supply
        return ("Rehabilitation", "Other Therapies", None)
    if found.any(("traction", "modality", "ustherapy")):
        if device:
            return ("DMEPOS", "DME", None)
        return ("Rehabilitation", "Other Therapies", None)
    return None


def _dmepos(found: _Found) -> Result | None:
    if "orthotics" in found:
        return ("DMEPOS", "Prosthetics/Orthotics", "Orthotics")
    if "brace" in found:
        return ("DMEPOS", "Prosthetics/Orthotics", "Brace")
    if "prosthesis" in found:
        return ("DMEPOS", "Prosthetics/Orthotics", None)
    if "dme" in found:
        return ("DMEPOS", "DME", None)
    if "support" in found:
        if re.search(r"\b(?:stockings|wraps?)\b", found.text):
            return ("DMEPOS", "Supplies", None)
        return ("DMEPOS", "Prosthetics/Orthotics", None)
    if "supplies" in found:
        return ("DMEPOS", "Supplies", None)
    return None


def _medication_words(found: _Found, text: str) -> Result | None:
    for concept in found.present(_MED_WORD_CLASS):
        if concept == "med":
            continue
        drug_class = _MED_WORD_CLASS[concept]
        if concept == "topical" and is_compound(text):
            drug_class = "Topical Compounds"
        return ("Pharmaceuticals", drug_class, None)
    if "med" in found or re.search(r"#\s*\d", text):
        return ("Pharmaceuticals", "Other", None)
    return None


_DEVICE_CONCEPTS = (*_ESTIM_DEVICES, "cold", "brace", "orthotics", "dme")
_SERVICE_WORDS = ("frp", "weightloss", "program", "transport", "homehealth")


def _test_first(found: _Found, others: Sequence[str]) -> bool:
    """A test named before a program, transport or home care ("FCE prior to functional
    restoration program") is the test asked for."""
    tests = found.present(_DIAG)
    named = found.present(others)
    return bool(tests and named) and found.first[tests[0]] < found.first[named[0]]


def _device_first(found: _Found) -> bool:
    """A device asked for before a drug is named ("TENS unit to reduce Norco use"): the device."""
    devices = found.present(_DEVICE_CONCEPTS)
    if not devices or _DEVICE_RE.search(found.text) is None:
        return False
    spans = drug_spans(found.text, 1)
    return bool(spans) and found.first[devices[0]] < spans[0][0]


def _base(text: str) -> Result | None:
    """Classify a cleaned, lower-cased request on its own words; None when nothing is named."""
    found = _Found(text)
    drug = lookup_drug(text)
    first = found.first

    if "psycheval" in found:  # before programs and surgery: "psych evaluation for SCS trial"
        return _psych(found, course=False)
    if not _test_first(found, _SERVICE_WORDS):
        if "frp" in found:
            return ("Programs", "Programs", "Functional restoration program")
        if "weightloss" in found:
            return ("Programs", "Programs", "Weight loss program")
        if "program" in found:
            return ("Programs", "Programs", None)
        if "transport" in found:
            return ("Transportation", "Transportation", "Transportation")
        if "homehealth" in found:
            return ("Home Health", "Home Health", "Home health care")
    visit = found.any(("consult", "followup"))
    if "surgconsult" in found:
        return ("Surgery", "Surgical Consult", "Consultation")
    if "surgeon" in found and (visit or "exam" in found):
        return ("Surgery", "Surgical Consult", _em_service(found) or "Consultation")
    if visit and found.any(_SURGERY) and not found.any(_PROVIDERS):
        # "Consultation for possible lumbar fusion", "surgery consult"
        return ("Surgery", "Surgical Consult", _em_service(found))
    if "consult" in found and "specialist" in found and (found.any(_INJECTION) or found.any(_DIAG)):
        # "Pain management consultation for ESI": the visit, unless the procedure comes first
        procedures = found.present((*_INJECTION, *_DIAG))
        if first["consult"] < first[procedures[0]]:
            return ("Evaluation & Management", "Medical Specialties", _em_service(found))
    strong = found.present(_SURGERY_STRONG)
    diag = found.present(_DIAG)
    if strong and (not diag or first[strong[0]] < first[diag[0]]):
        return _surgery(found)  # "MRI to assess fusion" stays an MRI: first mention decides
    if found.any(_INJECTION):
        if drug is not None and (
            drug.drug_class == "Viscosupplementation"
            or (
                not found.any(_SPECIFIC_INJECTION)
                and drug.drug_class not in _PROCEDURE_DRUG_CLASSES
                and drug.generic not in _PROCEDURE_DRUGS
            )
        ):
            return ("Pharmaceuticals", drug.drug_class, drug.generic)
        return _injection(found)
    course = _COURSE_RE.search(text) is not None
    if "us" in found and (
        course or _THERAPEUTIC_RE.search(text) or found.any(("pt", "chiro", "estim", "modality"))
    ):
        first["ustherapy"] = first.pop("us")
    if found.any(_DIAG):
        return _diagnostic(found)
    generic_surgery = "surgery" in found or (
        "decompression" in found and _SPINE_REGION_RE.search(text) is not None
    )
    # generic surgical words next to a named drug ("Norco after surgery") do not make a surgery
    if generic_surgery and drug is None:
        return _surgery(found)
    if drug is not None and not _device_first(found):
        return ("Pharmaceuticals", drug.drug_class, drug.generic)
    psych = _psych(found, course)
    if psych is not None:
        return psych
    modality = _modalities(found, course)
    if modality is not None:
        return modality
    dmepos = _dmepos(found)
    if dmepos is not None:
        return dmepos
    if "dental" in found:
        return ("Evaluation & Management", "Dental Services", _em_service(found))
    if found.any(("followup", "consult", "exam", "specialist")):
        return ("Evaluation & Management", "Medical Specialties", _em_service(found))
    return _medication_words(found, text)


@lru_cache(maxsize=8192)
def _classify_text(text: str) -> Result | None:
    return _base(_clean(text))


def _clean(text: str) -> str:
    text = " ".join(text.lower().split())
    text = _ADJ_PREFIX_RE.sub("", text)
    text = _STRIP_RE.sub("", text)
    return _PERIOP_RE.sub(" ", text).strip()


_SURGERY_PROCEDURES = frozenset({"Spine", "Arthroscopic Surgery", "Non-arthroscopic Surgery"})


def _is_surgery(request: str) -> bool:
    result = _classify_text(request)
    return result is not None and result[1] in _SURGERY_PROCEDURES


def _from_citations(citations: Iterable[Mapping[str, object]]) -> Result | None:
    for key in ("section", "document"):
        for citation in citations:
            value = citation.get(key) if isinstance(citation, Mapping) else None
            if isinstance(value, str) and value.strip():
                result = _classify_text(value)
                if result is not None:
                    return result
    return None


def _from_rationale(rationale: str) -> Result | None:
    if not rationale:
        return None
    for match in reversed(list(_RESTATED_RE.finditer(rationale))):
        result = _classify_text(match.group(1))
        if result is not None:
            return result
    return None


_COURSE_TREATMENT = frozenset({"Rehabilitation", "Programs", "Home Health"})

# Words that name no product or service: a request made only of these (and dates, numbers,
# punctuation) is vague, and only then do the rationale and the citations decide.
_WORDS_RE = re.compile(r"[a-z]+")
_VAGUE_WORDS = frozenset(
    _WORDS_RE.findall(
        """a an the of for to on and or in at with by from request requested requests retro
    retrospective prospective concurrent review decision dos date dates service services rendered
    provided dispensed item items unknown unspecified unlisted specified not other additional
    continued continue continuing ongoing treatment treatments care x"""
    )
)


def _is_vague(request: str | None) -> bool:
    """True when the request names nothing of its own ("Retrospective request for DOS 1/1/14")."""
    words = _WORDS_RE.findall((request or "").lower())
    return all(word in _VAGUE_WORDS for word in words)


_GENERIC_LAB_RE = re.compile(r"\b(?:urine|blood|serum|saliva|oral fluid|hair)\b")
_GENERIC_TEST_RE = re.compile(
    r"\b(?:tests?|testing|screens?|screening|stud(?:y|ies)|panels?|analys[ie]s|assays?"
    r"|measurements?|monitoring)\b"
)
_GENERIC_DEVICE_RE = re.compile(
    r"\b(?:devices?|machines?|stimulators?|monitors?|apparatus|appliances?|systems?)\b"
)
_DOSAGE_RE = re.compile(r"\d\s*(?:%|gm|gms|grams?|g|oz|mg|mcg|ml)\b|#\s*\d")


def _own_words(text: str) -> Result:
    """A specific request the vocabulary does not know, classed by its own generic words.

    A test or a device keeps its kind whatever the rationale discusses; a product with a dose or a
    weight is a medication; anything else is ``Other`` (never borrowed from the rationale).
    """
    if _GENERIC_TEST_RE.search(text):
        if _GENERIC_LAB_RE.search(text):
            return ("Diagnostic Testing", "Lab & Pathology", None)
        return ("Diagnostic Testing", "Other Diagnostic Tests", None)
    if _GENERIC_DEVICE_RE.search(text):
        return ("DMEPOS", "DME", None)
    if _DOSAGE_RE.search(text):
        if is_compound(text):
            return ("Pharmaceuticals", "Topical Compounds", None)
        return ("Pharmaceuticals", "Other", None)
    return OTHER


def _classify(
    request: str,
    original_request: str | None,
    rationale: str,
    citations: Sequence[Mapping[str, object]],
    letter_requests: Sequence[str],
) -> Result:
    request = request or original_request or ""
    low = " ".join(request.lower().split())
    strong = bool(_ADJ_PREFIX_RE.search(low) or _PERIOP_RE.search(low))
    weak = _ADJ_WORD_RE.search(low) is not None
    result = _classify_text(request)
    if result is None and original_request:
        result = _classify_text(original_request)
    if (
        result is not None
        and result[0] == "Evaluation & Management"
        and result[2] != "Follow-up visit"
        and _COURSE_RE.search(low)
    ):
        # A referral or evaluation asking for a course of treatment is that treatment.
        for alternative in (_from_citations(citations), _from_rationale(rationale)):
            if alternative is not None and (
                alternative[0] in _COURSE_TREATMENT
                or alternative[:2] == ("Psych Services", "Therapies")
            ):
                result = alternative
                break
    if result is None:
        if _is_vague(request) and (not original_request or _is_vague(original_request)):
            result = _from_rationale(rationale) or _from_citations(citations)
        else:
            result = _own_words(_clean(request or original_request or ""))
    if result is not None and result[0] == "Pharmaceuticals":
        return result
    procedure = result is not None and (
        result[0] in ("Injection", "Psych Services") or result[1] in _SURGERY_PROCEDURES
    )
    adjunct = strong or (weak and not procedure)
    if not adjunct and not procedure and result is not None and letter_requests:
        context_test = _LETTER_TEST_RE.search(low) is not None or (
            result[0] == "DMEPOS" and result[1] in ("DME", "Prosthetics/Orthotics")
        )
        if context_test:
            others = [r for r in letter_requests if isinstance(r, str) and r != request]
            adjunct = any(_is_surgery(r) for r in others)
    if adjunct:
        return ("Surgery", "Adjunct Surgical Services", result[2] if result else None)
    return result or OTHER


def classify_item(
    request: str,
    *,
    original_request: str | None = None,
    rationale: str = "",
    reviewer_citations: Sequence[Mapping[str, object]] = (),
    letter_requests: Sequence[str] = (),
) -> tuple[str, str, str | None]:
    """(category, subcategory, service) of one disputed item; never raises."""
    try:
        result = _classify(
            request if isinstance(request, str) else "",
            original_request if isinstance(original_request, str) else None,
            rationale if isinstance(rationale, str) else "",
            list(reviewer_citations or ()),
            list(letter_requests or ()),
        )
    except Exception:  # pragma: no cover - defensive: the parser must never fail here
        return OTHER
    if (result[0], result[1]) not in _VALID:
        return OTHER
    return result
