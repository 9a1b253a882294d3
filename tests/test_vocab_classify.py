"""Table-driven tests for ``vocab.classify.classify_item`` and the drug table ``vocab.drugs``.

Cases come from three places: every item of the expected.json assets (loaded, so a change to the
assets is picked up, and classified with the item's own rationale, citations and the letter's
other requests), requests collected from the real PDFs in tests/assets/letters/real (answers
decided from the contract, docs/letters.md sections 4.1 and 4.2), and hand-written requests in the
wording seen in 2013-2017 letters.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from determinations.parsing.vocab.classify import SUBCATEGORIES, classify_item
from determinations.parsing.vocab.drugs import PHARMACEUTICAL_CLASSES, Drug, find_drugs, lookup_drug

ASSETS = Path(__file__).parent / "assets" / "letters"
EXPECTED = sorted(ASSETS.glob("*.expected.json")) + sorted(ASSETS.glob("real/*.expected.json"))


@pytest.fixture(autouse=True)
def _media_root():
    """These tests need no Django: overrides the conftest's fixture that sets MEDIA_ROOT."""


def _expected_items():
    for path in EXPECTED:
        letter = json.loads(path.read_text(encoding="utf-8"))
        requests = [item["request"] for item in letter["items"]]
        for item in letter["items"]:
            yield pytest.param(item, requests, id=f"{path.name.split('.')[0]}-{item['number']}")


@pytest.mark.parametrize(("item", "letter_requests"), list(_expected_items()))
def test_expected_items(item, letter_requests):
    got = classify_item(
        item["request"],
        original_request=item.get("original_request"),
        rationale=item.get("rationale") or "",
        reviewer_citations=item["reviewer"]["citations"],
        letter_requests=letter_requests,
    )
    assert got == (item["category"], item["subcategory"], item["service"])


# Requests of the real PDFs in tests/assets/letters/real (the remaining portion for modified
# requests), classified on their own words.
REAL = [
    (
        "Facet joint injections L4-5, L5-S1",
        ("Injection", "Facet Injection", "Facet joint injection"),
    ),
    ("Three months coverage of Viagra 50mg", ("Pharmaceuticals", "Impotence Agents", "sildenafil")),
    (
        "MRI of neck and right hand without contrast",
        ("Diagnostic Testing", "Imaging/Radiology", "MRI"),
    ),
    (
        "Acupuncture 3 times a week for 2 weeks, neck, right hand and head",
        ("Rehabilitation", "Acupuncture", "Acupuncture"),
    ),
    (
        "MRI (magnetic resonance imaging) of the cervical spine",
        ("Diagnostic Testing", "Imaging/Radiology", "MRI"),
    ),
    (
        "EMG (electromyography)/NCV (nerve conduction velocity) of the bilateral upper extremities",
        ("Diagnostic Testing", "EMG/NCV/NCS", "EMG/NCS"),
    ),
    ("Cervical CT scan", ("Diagnostic Testing", "Imaging/Radiology", "CT")),
    ("CT scan of the thoracic spine", ("Diagnostic Testing", "Imaging/Radiology", "CT")),
    (
        "TOC to ortho spine surgeon eval and treatment",
        ("Surgery", "Surgical Consult", "Consultation"),
    ),
    ("MRI of the cervical and thoracic spine", ("Diagnostic Testing", "Imaging/Radiology", "MRI")),
    ("Cyclobenzaprine 7.5mg #60", ("Pharmaceuticals", "Muscle Relaxant", "cyclobenzaprine")),
    ("MRI of the right knee without contrast", ("Diagnostic Testing", "Imaging/Radiology", "MRI")),
    ("MRI of the lumbar without contrast", ("Diagnostic Testing", "Imaging/Radiology", "MRI")),
    (
        "Three sessions of physical therapy of the right knee",
        ("Rehabilitation", "PT/OT", "Physical therapy"),
    ),
    ("MRI without contrast of the right elbow", ("Diagnostic Testing", "Imaging/Radiology", "MRI")),
    (
        "Additional physical therapy lumbar spine two times a week for three weeks",
        ("Rehabilitation", "PT/OT", "Physical therapy"),
    ),
    ("MRI of lumbar spine without contrast", ("Diagnostic Testing", "Imaging/Radiology", "MRI")),
    ("Salonpas pad #60", ("Pharmaceuticals", "Topical Analgesics", "methyl salicylate/menthol")),
    ("Anecream cream 4% #30", ("Pharmaceuticals", "Topical Analgesics", "lidocaine")),
    (
        "EMG/NCS of the bilateral upper extremities",
        ("Diagnostic Testing", "EMG/NCV/NCS", "EMG/NCS"),
    ),
    (
        "Pantoprazole 40mg, one by mouth, twice a day #60 with one refill",
        ("Pharmaceuticals", "Proton Pump Inhibitors", "pantoprazole"),
    ),
    (
        "Home aide 6 hours per day, 5 times a week for 4 weeks to assist with mobility, transfer, "
        "ADL's and safety in the home when wife is working",
        ("Home Health", "Home Health", "Home health care"),
    ),
    (
        "physical therapy 2 times a week for 6 weeks (12 sessions) to the right elbow",
        ("Rehabilitation", "PT/OT", "Physical therapy"),
    ),
    (
        "MRI of Left lower extremity without contrast",
        ("Diagnostic Testing", "Imaging/Radiology", "MRI"),
    ),
    (
        "MRI without contrast for the lumbar spine",
        ("Diagnostic Testing", "Imaging/Radiology", "MRI"),
    ),
    (
        "Re-exam with chiropractor for the lumbar spine flare-up",
        ("Evaluation & Management", "Medical Specialties", "Follow-up visit"),
    ),
    (
        "Spinal manipulation therapy 2 times a week for 4 weeks",
        ("Rehabilitation", "Chiropractic", "Chiropractic treatment"),
    ),
    ("Pulsed Ultrasound 2 times a week for 4 weeks", ("Rehabilitation", "Other Therapies", None)),
    (
        "Electrical Muscle Stimulation 2 times a week for 4 weeks",
        ("Rehabilitation", "Other Therapies", None),
    ),
    (
        "Right L4 transforaminal epidural steroid injection under fluoroscopic guidance",
        ("Injection", "Injection", "Epidural steroid injection"),
    ),
    (
        "MRI of the right shoulder (1.5 Tesla Closed)",
        ("Diagnostic Testing", "Imaging/Radiology", "MRI"),
    ),
    (
        "Eight physical therapy sessions for the neck",
        ("Rehabilitation", "PT/OT", "Physical therapy"),
    ),
    (
        "Right Shoulder Arthroscopy with rotator cuff repair vs debridement, subacromial "
        "decompression/acromioplasty and possible proximal biceps tenodynovitis",
        ("Surgery", "Arthroscopic Surgery", "Arthroscopy"),
    ),
    ("Preoperative Medical Clearance", ("Surgery", "Adjunct Surgical Services", None)),
    (
        "Associated surgical service: Shoulder Brace",
        ("Surgery", "Adjunct Surgical Services", "Brace"),
    ),
    (
        "Associated surgical service: Cryotherapy unit, seven day use",
        ("Surgery", "Adjunct Surgical Services", "Cold therapy unit"),
    ),
    (
        "Associated surgical service: Physical Therapy sessions, 12",
        ("Surgery", "Adjunct Surgical Services", "Physical therapy"),
    ),
    ("Acupuncture for 2 sessions", ("Rehabilitation", "Acupuncture", "Acupuncture")),
    (
        "Twelve physical therapy sessions, three times weekly, for the right elbow",
        ("Rehabilitation", "PT/OT", "Physical therapy"),
    ),
    ("Right shoulder MRI", ("Diagnostic Testing", "Imaging/Radiology", "MRI")),
    ("Open MRI of the lumbosacral spine", ("Diagnostic Testing", "Imaging/Radiology", "MRI")),
    ("X-ray of the right knee", ("Diagnostic Testing", "Imaging/Radiology", "X-ray")),
    (
        "Physical therapy right knee 3 times a week for 1 week",
        ("Rehabilitation", "PT/OT", "Physical therapy"),
    ),
    (
        "Magnetic resonance imaging (MRI) of the right shoulder",
        ("Diagnostic Testing", "Imaging/Radiology", "MRI"),
    ),
    ("Hospital bed for an unspecified rental", ("DMEPOS", "DME", None)),
    (
        "Chiropractic evaluation, lumbar spine, left hip and knee",
        ("Evaluation & Management", "Medical Specialties", "Consultation"),
    ),
    (
        "Chiropractic treatment for the lumbar spine, 12 visits",
        ("Rehabilitation", "Chiropractic", "Chiropractic treatment"),
    ),
    (
        "Chiropractic for the left hip and left knee, 12 visits",
        ("Rehabilitation", "Chiropractic", "Chiropractic treatment"),
    ),
    ("EMG of the bilateral lower extremities", ("Diagnostic Testing", "EMG/NCV/NCS", "EMG/NCS")),
    ("NCV of the bilateral lower extremities, 2", ("Diagnostic Testing", "EMG/NCV/NCS", "EMG/NCS")),
    (
        "Retrospective TENS unit, purchase, lumbar spine, left hip, lower leg, and knee "
        "(DOS 12/29/16)",
        ("DMEPOS", "Electrical Stimulation", "TENS unit"),
    ),
    ("Retrospective E-stim (DOS 12/29/16)", ("Rehabilitation", "Other Therapies", None)),
    (
        "Initial acupuncture, 1 to 2 times per week for 4 weeks, for the neck",
        ("Rehabilitation", "Acupuncture", "Acupuncture"),
    ),
    (
        "Additional physical therapy, 1 to 2 times per week for 3 weeks, for the neck",
        ("Rehabilitation", "PT/OT", "Physical therapy"),
    ),
    ("NCS/EMG RUE", ("Diagnostic Testing", "EMG/NCV/NCS", "EMG/NCS")),
    ("Cervical spine x-rays", ("Diagnostic Testing", "Imaging/Radiology", "X-ray")),
    ("Lumbar spine x-rays", ("Diagnostic Testing", "Imaging/Radiology", "X-ray")),
    ("CT scan of the cervical spine", ("Diagnostic Testing", "Imaging/Radiology", "CT")),
    (
        "Acupuncture of the lumbar and cervical for two sessions",
        ("Rehabilitation", "Acupuncture", "Acupuncture"),
    ),
    (
        "SSEP of the lumbar and lower extremities",
        ("Diagnostic Testing", "Other Diagnostic Tests", None),
    ),
    (
        "One platelet-rich plasma injection to the right knee",
        ("Injection", "Injection", "Platelet-rich plasma injection"),
    ),
    ("Physical therapy 1 times 6 for the head", ("Rehabilitation", "PT/OT", "Physical therapy")),
    ("Ultram ER 100mg #60", ("Pharmaceuticals", "Opioids", "tramadol")),
    ("Fioricet #120", ("Pharmaceuticals", "Misc Analgesics", "butalbital/acetaminophen/caffeine")),
    ("Synapryn (10mg/1ml oral suspension) 500ml", ("Pharmaceuticals", "Opioids", "tramadol")),
    ("Cyclophene 5% cream 111.2 grams", ("Pharmaceuticals", "Muscle Relaxant", "cyclobenzaprine")),
    ("Ketophene 20% cream, 167 grams", ("Pharmaceuticals", "NSAID", "ketoprofen")),
    (
        "Compound Cyclobenzaprine 5%, 240 grams",
        ("Pharmaceuticals", "Topical Compounds", "cyclobenzaprine"),
    ),
    ("Compound Ketoprofen 20%, 240 grams", ("Pharmaceuticals", "Topical Compounds", "ketoprofen")),
    ("Pantoprazole sod DR 20mg #60", ("Pharmaceuticals", "Proton Pump Inhibitors", "pantoprazole")),
    ("Prilosec 20mg #90", ("Pharmaceuticals", "Proton Pump Inhibitors", "omeprazole")),
    (
        "Physical therapy, 2 times a week for 4 weeks, right knee",
        ("Rehabilitation", "PT/OT", "Physical therapy"),
    ),
    (
        "Two physical therapy sessions for the lumbar",
        ("Rehabilitation", "PT/OT", "Physical therapy"),
    ),
    ("Ultram 50mg #60", ("Pharmaceuticals", "Opioids", "tramadol")),
    ("Flexeril 10mg #90", ("Pharmaceuticals", "Muscle Relaxant", "cyclobenzaprine")),
    (
        "MRI of the bilateral brain/brainstem without contrast",
        ("Diagnostic Testing", "Imaging/Radiology", "MRI"),
    ),
    ("Naproxen 500mg #60", ("Pharmaceuticals", "NSAID", "naproxen")),
    ("Meloxicam (Mobic) 7.5mg #30", ("Pharmaceuticals", "NSAID", "meloxicam")),
    ("Lumbar MRI scan", ("Diagnostic Testing", "Imaging/Radiology", "MRI")),
    (
        "Physical therapy to the lumbar spine 2 times a week for 2 weeks (4)",
        ("Rehabilitation", "PT/OT", "Physical therapy"),
    ),
]

# Hand-written requests in the wording of 2013-2017 letters.
MORE = [
    ("Norco 10/325mg #90", ("Pharmaceuticals", "Opioids", "hydrocodone/acetaminophen")),
    (
        "Retrospective Terocin patch DOS 5/1/14",
        ("Pharmaceuticals", "Topical Analgesics", "lidocaine/menthol"),
    ),
    (
        "Flurbiprofen 20%/Lidocaine 5% in cream base 180gm",
        ("Pharmaceuticals", "Topical Compounds", "flurbiprofen/lidocaine"),
    ),
    (
        "Associated surgical service: Post-op physical therapy x12",
        ("Surgery", "Adjunct Surgical Services", "Physical therapy"),
    ),
    ("Hydrocodone/APAP 10/325mg #120", ("Pharmaceuticals", "Opioids", "hydrocodone/acetaminophen")),
    (
        "Retrospective request for Ketoprofen/Gabapentin/Lidocaine compound cream (DOS 3/4/14)",
        ("Pharmaceuticals", "Topical Compounds", "ketoprofen/gabapentin/lidocaine"),
    ),
    ("Vicodin 5/500 #60", ("Pharmaceuticals", "Opioids", "hydrocodone/acetaminophen")),
    ("Percocet 10/325 #120", ("Pharmaceuticals", "Opioids", "oxycodone/acetaminophen")),
    ("OxyContin 20mg #60", ("Pharmaceuticals", "Opioids", "oxycodone")),
    ("Oxycodone 15mg #90", ("Pharmaceuticals", "Opioids", "oxycodone")),
    ("Tramadol ER 150mg #30", ("Pharmaceuticals", "Opioids", "tramadol")),
    ("Tramadol HCL 50mg", ("Pharmaceuticals", "Opioids", "tramadol")),
    ("Nucynta 50mg #60", ("Pharmaceuticals", "Opioids", "tapentadol")),
    ("Butrans patch 10mcg/hr #4", ("Pharmaceuticals", "Opioids", "buprenorphine")),
    ("Duragesic 25mcg patch #10", ("Pharmaceuticals", "Opioids", "fentanyl")),
    ("Fentanyl patch 50mcg #15", ("Pharmaceuticals", "Opioids", "fentanyl")),
    ("Kadian 30mg #60", ("Pharmaceuticals", "Opioids", "morphine")),
    ("MS Contin 15mg #60", ("Pharmaceuticals", "Opioids", "morphine")),
    ("Methadone 10mg #120", ("Pharmaceuticals", "Opioids", "methadone")),
    ("Dilaudid 4mg #60", ("Pharmaceuticals", "Opioids", "hydromorphone")),
    ("Opana ER 20mg #60", ("Pharmaceuticals", "Opioids", "oxymorphone")),
    ("Tylenol #3 #60", ("Pharmaceuticals", "Opioids", "acetaminophen/codeine")),
    (
        "Acetaminophen with codeine 300/30 #60",
        ("Pharmaceuticals", "Opioids", "acetaminophen/codeine"),
    ),
    ("Suboxone 8/2mg #60", ("Pharmaceuticals", "Opioids", "buprenorphine/naloxone")),
    ("Naproxen sodium 550mg #60", ("Pharmaceuticals", "NSAID", "naproxen")),
    ("Anaprox DS 550mg #60", ("Pharmaceuticals", "NSAID", "naproxen")),
    ("Naprosyn 500mg", ("Pharmaceuticals", "NSAID", "naproxen")),
    ("Ibuprofen 800mg #90", ("Pharmaceuticals", "NSAID", "ibuprofen")),
    ("Motrin 800mg", ("Pharmaceuticals", "NSAID", "ibuprofen")),
    ("Mobic 15mg #30", ("Pharmaceuticals", "NSAID", "meloxicam")),
    ("Celebrex 200mg #30", ("Pharmaceuticals", "NSAID", "celecoxib")),
    ("Relafen 750mg #60", ("Pharmaceuticals", "NSAID", "nabumetone")),
    ("Nabumetone 750mg #60", ("Pharmaceuticals", "NSAID", "nabumetone")),
    ("Etodolac ER 400mg", ("Pharmaceuticals", "NSAID", "etodolac")),
    ("Diclofenac sodium ER 100mg #60", ("Pharmaceuticals", "NSAID", "diclofenac")),
    ("Duexis 800/26.6mg #90", ("Pharmaceuticals", "NSAID", "ibuprofen/famotidine")),
    ("Voltaren gel 1% 100g", ("Pharmaceuticals", "Topical Analgesics", "diclofenac")),
    ("Diclofenac 1% gel", ("Pharmaceuticals", "Topical Analgesics", "diclofenac")),
    ("Flector patch 1.3% #30", ("Pharmaceuticals", "Topical Analgesics", "diclofenac")),
    ("Pennsaid 2% solution", ("Pharmaceuticals", "Topical Analgesics", "diclofenac")),
    ("Lidoderm 5% patches #30", ("Pharmaceuticals", "Topical Analgesics", "lidocaine")),
    ("Lidocaine 5% patch #30", ("Pharmaceuticals", "Topical Analgesics", "lidocaine")),
    ("Lidocaine 5% ointment", ("Pharmaceuticals", "Topical Analgesics", "lidocaine")),
    ("Capsaicin 0.075% cream", ("Pharmaceuticals", "Topical Analgesics", "capsaicin")),
    ("Fexmid 7.5mg #60", ("Pharmaceuticals", "Muscle Relaxant", "cyclobenzaprine")),
    ("Amrix 15mg #30", ("Pharmaceuticals", "Muscle Relaxant", "cyclobenzaprine")),
    ("Soma 350mg #90", ("Pharmaceuticals", "Muscle Relaxant", "carisoprodol")),
    ("Carisoprodol 350mg", ("Pharmaceuticals", "Muscle Relaxant", "carisoprodol")),
    ("Robaxin 750mg #60", ("Pharmaceuticals", "Muscle Relaxant", "methocarbamol")),
    ("Methocarbamol 500mg", ("Pharmaceuticals", "Muscle Relaxant", "methocarbamol")),
    ("Tizanidine 4mg #60", ("Pharmaceuticals", "Muscle Relaxant", "tizanidine")),
    ("Zanaflex 4mg", ("Pharmaceuticals", "Muscle Relaxant", "tizanidine")),
    ("Baclofen 10mg #90", ("Pharmaceuticals", "Muscle Relaxant", "baclofen")),
    ("Skelaxin 800mg", ("Pharmaceuticals", "Muscle Relaxant", "metaxalone")),
    ("Metaxalone 800mg #60", ("Pharmaceuticals", "Muscle Relaxant", "metaxalone")),
    ("Orphenadrine ER 100mg #60", ("Pharmaceuticals", "Muscle Relaxant", "orphenadrine")),
    ("Norflex 100mg", ("Pharmaceuticals", "Muscle Relaxant", "orphenadrine")),
    ("Gabapentin 600mg #90", ("Pharmaceuticals", "Anti-epilepsy drugs", "gabapentin")),
    ("Neurontin 300mg", ("Pharmaceuticals", "Anti-epilepsy drugs", "gabapentin")),
    ("Gralise 600mg", ("Pharmaceuticals", "Anti-epilepsy drugs", "gabapentin")),
    ("Lyrica 75mg #60", ("Pharmaceuticals", "Anti-epilepsy drugs", "pregabalin")),
    ("Pregabalin 50mg", ("Pharmaceuticals", "Anti-epilepsy drugs", "pregabalin")),
    ("Topamax 25mg #60", ("Pharmaceuticals", "Anti-epilepsy drugs", "topiramate")),
    ("Topiramate 50mg", ("Pharmaceuticals", "Anti-epilepsy drugs", "topiramate")),
    ("Cymbalta 60mg #30", ("Pharmaceuticals", "Antidepressant", "duloxetine")),
    ("Duloxetine 30mg", ("Pharmaceuticals", "Antidepressant", "duloxetine")),
    ("Elavil 25mg #30", ("Pharmaceuticals", "Antidepressant", "amitriptyline")),
    ("Amitriptyline 10mg", ("Pharmaceuticals", "Antidepressant", "amitriptyline")),
    ("Nortriptyline 25mg", ("Pharmaceuticals", "Antidepressant", "nortriptyline")),
    ("Trazodone 50mg #30", ("Pharmaceuticals", "Antidepressant", "trazodone")),
    ("Effexor XR 75mg", ("Pharmaceuticals", "Antidepressant", "venlafaxine")),
    ("Wellbutrin SR 150mg", ("Pharmaceuticals", "Antidepressant", "bupropion")),
    ("Omeprazole 20mg #60", ("Pharmaceuticals", "Proton Pump Inhibitors", "omeprazole")),
    ("Prilosec 20mg", ("Pharmaceuticals", "Proton Pump Inhibitors", "omeprazole")),
    ("Protonix 40mg #30", ("Pharmaceuticals", "Proton Pump Inhibitors", "pantoprazole")),
    ("Nexium 40mg", ("Pharmaceuticals", "Proton Pump Inhibitors", "esomeprazole")),
    ("Lansoprazole 30mg", ("Pharmaceuticals", "Proton Pump Inhibitors", "lansoprazole")),
    ("Dexilant 60mg", ("Pharmaceuticals", "Proton Pump Inhibitors", "dexlansoprazole")),
    ("Ranitidine 150mg #60", ("Pharmaceuticals", "H2 Blocker", "ranitidine")),
    ("Zantac 150mg", ("Pharmaceuticals", "H2 Blocker", "ranitidine")),
    ("Famotidine 20mg", ("Pharmaceuticals", "H2 Blocker", "famotidine")),
    ("Ambien 10mg #30", ("Pharmaceuticals", "Sedative-hypnotics", "zolpidem")),
    ("Zolpidem 10mg", ("Pharmaceuticals", "Sedative-hypnotics", "zolpidem")),
    ("Ambien CR 12.5mg", ("Pharmaceuticals", "Sedative-hypnotics", "zolpidem")),
    ("Lunesta 3mg #30", ("Pharmaceuticals", "Sedative-hypnotics", "eszopiclone")),
    ("Sonata 10mg", ("Pharmaceuticals", "Sedative-hypnotics", "zaleplon")),
    ("Restoril 30mg #30", ("Pharmaceuticals", "Benzodiazepines", "temazepam")),
    ("Temazepam 15mg", ("Pharmaceuticals", "Benzodiazepines", "temazepam")),
    ("Xanax 0.5mg #60", ("Pharmaceuticals", "Benzodiazepines", "alprazolam")),
    ("Valium 5mg #30", ("Pharmaceuticals", "Benzodiazepines", "diazepam")),
    ("Klonopin 1mg", ("Pharmaceuticals", "Benzodiazepines", "clonazepam")),
    ("Ativan 1mg", ("Pharmaceuticals", "Benzodiazepines", "lorazepam")),
    ("Buspirone 15mg #60", ("Pharmaceuticals", "AntiAnxiety", "buspirone")),
    ("Zofran 8mg #30", ("Pharmaceuticals", "Antiemetic", "ondansetron")),
    ("Ondansetron ODT 4mg", ("Pharmaceuticals", "Antiemetic", "ondansetron")),
    ("Promethazine 25mg", ("Pharmaceuticals", "Antiemetic", "promethazine")),
    ("Imitrex 100mg #9", ("Pharmaceuticals", "Antimigraine Agent", "sumatriptan")),
    ("Sumatriptan 50mg", ("Pharmaceuticals", "Antimigraine Agent", "sumatriptan")),
    ("Provigil 200mg", ("Pharmaceuticals", "Stimulants", "modafinil")),
    ("Nuvigil 150mg #30", ("Pharmaceuticals", "Stimulants", "armodafinil")),
    ("Seroquel 50mg", ("Pharmaceuticals", "Atypical Antipsychotic", "quetiapine")),
    ("Abilify 5mg", ("Pharmaceuticals", "Atypical Antipsychotic", "aripiprazole")),
    (
        "Synvisc-One injection for the right knee",
        ("Pharmaceuticals", "Viscosupplementation", "hyaluronic acid"),
    ),
    (
        "Orthovisc injections x3 left knee",
        ("Pharmaceuticals", "Viscosupplementation", "hyaluronic acid"),
    ),
    ("Euflexxa injection series", ("Pharmaceuticals", "Viscosupplementation", "hyaluronic acid")),
    (
        "Hyaluronic acid injection right knee",
        ("Pharmaceuticals", "Viscosupplementation", "hyaluronic acid"),
    ),
    ("Medrol dose pack", ("Pharmaceuticals", "Adrenal Cortical Steroids", "methylprednisolone")),
    ("Prednisone 10mg #21", ("Pharmaceuticals", "Adrenal Cortical Steroids", "prednisone")),
    ("Colace 100mg #60", ("Pharmaceuticals", "GI Agents", "docusate")),
    ("Docusate sodium 100mg", ("Pharmaceuticals", "GI Agents", "docusate")),
    ("Senokot-S #60", ("Pharmaceuticals", "GI Agents", "senna/docusate")),
    ("Amitiza 24mcg #60", ("Pharmaceuticals", "GI Agents", "lubiprostone")),
    ("Movantik 25mg #30", ("Pharmaceuticals", "GI Agents", "naloxegol")),
    ("Relistor 150mg", ("Pharmaceuticals", "GI Agents", "methylnaltrexone")),
    ("Benadryl 25mg", ("Pharmaceuticals", "Antihistamine", "diphenhydramine")),
    ("Hydroxyzine 25mg #60", ("Pharmaceuticals", "Antihistamine", "hydroxyzine")),
    ("Lisinopril 10mg", ("Pharmaceuticals", "Antihypertensive", "lisinopril")),
    ("Keflex 500mg #28", ("Pharmaceuticals", "Anti-infectives", "cephalexin")),
    ("Testosterone cypionate injection", ("Pharmaceuticals", "Hormones", "testosterone")),
    ("AndroGel 1.62%", ("Pharmaceuticals", "Hormones", "testosterone")),
    ("Cialis 5mg #30", ("Pharmaceuticals", "Impotence Agents", "tadalafil")),
    ("Viagra 100mg #10", ("Pharmaceuticals", "Impotence Agents", "sildenafil")),
    ("Theramine #120", ("Pharmaceuticals", "Nutritional Products", "theramine")),
    ("Sentra PM #60", ("Pharmaceuticals", "Nutritional Products", "sentra pm")),
    ("Vitamin D 50,000 IU", ("Pharmaceuticals", "Nutritional Products", "vitamin d")),
    ("Narcan nasal spray", ("Pharmaceuticals", "Opioid Antagonist", "naloxone")),
    ("Lipitor 20mg", ("Pharmaceuticals", "Statin", "atorvastatin")),
    ("Marinol 5mg", ("Pharmaceuticals", "Cannabinoids", "dronabinol")),
    ("Medical marijuana", ("Pharmaceuticals", "Cannabinoids", "cannabis")),
    ("Ketophene 20% cream 167gm", ("Pharmaceuticals", "NSAID", "ketoprofen")),
    ("Deprizine 15mg/ml oral suspension 250ml", ("Pharmaceuticals", "H2 Blocker", "ranitidine")),
    (
        "Fanatrex 25mg/ml oral suspension 420ml",
        ("Pharmaceuticals", "Anti-epilepsy drugs", "gabapentin"),
    ),
    (
        "Tabradol 1mg/ml oral suspension 250ml",
        ("Pharmaceuticals", "Muscle Relaxant", "cyclobenzaprine"),
    ),
    ("Dicopanor 5mg/ml 150ml", ("Pharmaceuticals", "Antihistamine", "diphenhydramine")),
    (
        "Gabapentin 10%, Amitriptyline 10%, Bupivacaine 5% cream 240gm",
        ("Pharmaceuticals", "Topical Compounds", "gabapentin/amitriptyline/bupivacaine"),
    ),
    ("Ketoprofen 20% cream", ("Pharmaceuticals", "Topical Compounds", "ketoprofen")),
    ("Cyclobenzaprine 10% cream", ("Pharmaceuticals", "Topical Compounds", "cyclobenzaprine")),
    (
        "Tramadol 8%/Gabapentin 10%/Menthol 2%/Camphor 2% 240gm",
        ("Pharmaceuticals", "Topical Compounds", "tramadol/gabapentin/menthol/camphor"),
    ),
    (
        "Capsaicin 0.025%/Flurbiprofen 15%/Gabapentin 10%/Menthol 2%/Camphor 2% 180g",
        (
            "Pharmaceuticals",
            "Topical Compounds",
            "capsaicin/flurbiprofen/gabapentin/menthol/camphor",
        ),
    ),
    (
        "Lidopro lotion 4oz",
        ("Pharmaceuticals", "Topical Analgesics", "capsaicin/lidocaine/menthol/methyl salicylate"),
    ),
    (
        "Medrox patch #30",
        ("Pharmaceuticals", "Topical Analgesics", "methyl salicylate/menthol/capsaicin"),
    ),
    ("Mentoderm gel 120ml", ("Pharmaceuticals", "Topical Analgesics", "methyl salicylate/menthol")),
    (
        "Fioricet 50/325/40mg #60",
        ("Pharmaceuticals", "Misc Analgesics", "butalbital/acetaminophen/caffeine"),
    ),
    ("Tylenol 500mg", ("Pharmaceuticals", "Misc Analgesics", "acetaminophen")),
    ("Toradol 60mg IM injection", ("Pharmaceuticals", "NSAID", "ketorolac")),
    ("Toradol injection", ("Pharmaceuticals", "NSAID", "ketorolac")),
    ("B12 injection", ("Pharmaceuticals", "Nutritional Products", "vitamin b12")),
    ("Vitamin B12 injections x4", ("Pharmaceuticals", "Nutritional Products", "vitamin b12")),
    ("Urine drug screen", ("Diagnostic Testing", "Lab & Pathology", "Urine drug screen")),
    ("Urine toxicology screen", ("Diagnostic Testing", "Lab & Pathology", "Urine drug screen")),
    (
        "Retrospective urine drug test DOS 1/2/14",
        ("Diagnostic Testing", "Lab & Pathology", "Urine drug screen"),
    ),
    (
        "Random urine drug testing 4 times a year",
        ("Diagnostic Testing", "Lab & Pathology", "Urine drug screen"),
    ),
    (
        "Comprehensive metabolic panel",
        ("Diagnostic Testing", "Lab & Pathology", "Laboratory tests"),
    ),
    ("CBC, CMP", ("Diagnostic Testing", "Lab & Pathology", "Laboratory tests")),
    (
        "Labs: hepatic and renal function panel",
        ("Diagnostic Testing", "Lab & Pathology", "Laboratory tests"),
    ),
    (
        "Genetic testing for opioid risk",
        ("Diagnostic Testing", "Lab & Pathology", "Laboratory tests"),
    ),
    (
        "Functional capacity evaluation",
        ("Diagnostic Testing", "Other Diagnostic Tests", "Functional capacity evaluation"),
    ),
    ("FCE", ("Diagnostic Testing", "Other Diagnostic Tests", "Functional capacity evaluation")),
    ("Sleep study", ("Diagnostic Testing", "Other Diagnostic Tests", "Sleep study")),
    ("Polysomnography", ("Diagnostic Testing", "Other Diagnostic Tests", "Sleep study")),
    ("EKG", ("Diagnostic Testing", "Other Diagnostic Tests", "EKG")),
    ("SSEP", ("Diagnostic Testing", "Other Diagnostic Tests", None)),
    ("Ultrasound of the right shoulder", ("Diagnostic Testing", "Imaging/Radiology", "Ultrasound")),
    (
        "Diagnostic ultrasound of the left wrist",
        ("Diagnostic Testing", "Imaging/Radiology", "Ultrasound"),
    ),
    ("Bone scan", ("Diagnostic Testing", "Imaging/Radiology", "Bone scan")),
    ("DEXA scan", ("Diagnostic Testing", "Imaging/Radiology", None)),
    ("CT myelogram of the lumbar spine", ("Diagnostic Testing", "Imaging/Radiology", "CT")),
    ("MRI/CT of the lumbar spine", ("Diagnostic Testing", "Imaging/Radiology", None)),
    ("MRI arthrogram of the right shoulder", ("Diagnostic Testing", "Imaging/Radiology", "MRI")),
    ("X-rays of the lumbar spine, 3 views", ("Diagnostic Testing", "Imaging/Radiology", "X-ray")),
    (
        "Flexion/extension x-rays of the cervical spine",
        ("Diagnostic Testing", "Imaging/Radiology", "X-ray"),
    ),
    (
        "Lumbar epidural steroid injection at L4-5",
        ("Injection", "Injection", "Epidural steroid injection"),
    ),
    (
        "Cervical epidural steroid injection C6-7",
        ("Injection", "Injection", "Epidural steroid injection"),
    ),
    ("Caudal epidural injection", ("Injection", "Injection", "Epidural steroid injection")),
    ("Bilateral L4-5 transforaminal ESI", ("Injection", "Injection", "Epidural steroid injection")),
    (
        "Lumbar medial branch block at L3-4, L4-5",
        ("Injection", "Facet Injection", "Facet joint injection"),
    ),
    (
        "Bilateral L4-L5, L5-S1 facet injections",
        ("Injection", "Facet Injection", "Facet joint injection"),
    ),
    (
        "Radiofrequency ablation of the lumbar facets L3-S1",
        ("Injection", "Facet Injection", "Radiofrequency ablation"),
    ),
    ("Cervical rhizotomy C5-6", ("Injection", "Facet Injection", "Radiofrequency ablation")),
    ("Right sacroiliac joint injection", ("Injection", "Injection", "Sacroiliac joint injection")),
    (
        "Bilateral SI joint injections under fluoroscopy",
        ("Injection", "Injection", "Sacroiliac joint injection"),
    ),
    ("Trigger point injections x4", ("Injection", "Injection", "Trigger point injection")),
    ("Occipital nerve block", ("Injection", "Injection", "Nerve block")),
    ("Stellate ganglion block", ("Injection", "Injection", "Nerve block")),
    ("Lumbar sympathetic block", ("Injection", "Injection", "Nerve block")),
    ("Genicular nerve block right knee", ("Injection", "Injection", "Nerve block")),
    ("Right knee cortisone injection", ("Injection", "Injection", "Joint injection")),
    ("Left shoulder subacromial injection", ("Injection", "Injection", "Joint injection")),
    ("Intra-articular hip injection", ("Injection", "Injection", "Joint injection")),
    ("Steroid injection to the right wrist", ("Injection", "Injection", "Joint injection")),
    ("Botox injections for migraine", ("Injection", "Injection", None)),
    ("Prolotherapy injections", ("Injection", "Injection", None)),
    ("Cervical injection times 2", ("Injection", "Injection", None)),
    ("Lumbar fusion L4-5", ("Surgery", "Spine", "Spinal fusion")),
    ("Anterior cervical discectomy and fusion C5-6", ("Surgery", "Spine", "Spinal fusion")),
    ("ACDF C5-C7", ("Surgery", "Spine", "Spinal fusion")),
    ("L5-S1 microdiscectomy", ("Surgery", "Spine", "Discectomy")),
    ("Lumbar laminectomy L4-5", ("Surgery", "Spine", "Laminectomy")),
    ("L4-5 laminectomy and discectomy", ("Surgery", "Spine", None)),
    ("Spinal cord stimulator trial", ("Surgery", "Spine", "Spinal cord stimulator")),
    ("Spinal cord stimulator implantation", ("Surgery", "Spine", "Spinal cord stimulator")),
    ("Kyphoplasty T12", ("Surgery", "Spine", None)),
    ("Lumbar decompression L4-S1", ("Surgery", "Spine", None)),
    (
        "Right carpal tunnel release",
        ("Surgery", "Non-arthroscopic Surgery", "Carpal tunnel release"),
    ),
    ("Left total knee replacement", ("Surgery", "Non-arthroscopic Surgery", "Joint replacement")),
    (
        "Total knee arthroplasty, right",
        ("Surgery", "Non-arthroscopic Surgery", "Joint replacement"),
    ),
    ("Right total hip arthroplasty", ("Surgery", "Non-arthroscopic Surgery", "Joint replacement")),
    (
        "Right knee arthroscopy with partial medial meniscectomy",
        ("Surgery", "Arthroscopic Surgery", "Arthroscopy"),
    ),
    (
        "Left shoulder arthroscopic subacromial decompression",
        ("Surgery", "Arthroscopic Surgery", "Arthroscopy"),
    ),
    ("Right knee partial medial meniscectomy", ("Surgery", "Arthroscopic Surgery", "Arthroscopy")),
    ("Right rotator cuff repair", ("Surgery", "Non-arthroscopic Surgery", None)),
    ("Right trigger finger release", ("Surgery", "Non-arthroscopic Surgery", None)),
    ("Left cubital tunnel release", ("Surgery", "Non-arthroscopic Surgery", None)),
    ("Removal of hardware right ankle", ("Surgery", "Non-arthroscopic Surgery", None)),
    ("ORIF right wrist", ("Surgery", "Non-arthroscopic Surgery", None)),
    ("Inguinal hernia repair", ("Surgery", "Non-arthroscopic Surgery", None)),
    ("Lumbar spine surgery", ("Surgery", "Spine", None)),
    ("Assistant surgeon", ("Surgery", "Adjunct Surgical Services", None)),
    (
        "Associated surgical service: Assistant surgeon",
        ("Surgery", "Adjunct Surgical Services", None),
    ),
    (
        "Associated surgical service: 2 day inpatient stay",
        ("Surgery", "Adjunct Surgical Services", None),
    ),
    (
        "Associated surgical service: Front-wheeled walker",
        ("Surgery", "Adjunct Surgical Services", None),
    ),
    (
        "Associated surgical service: Post-op Norco 10/325 #60",
        ("Pharmaceuticals", "Opioids", "hydrocodone/acetaminophen"),
    ),
    (
        "Associated surgical service: Keflex 500mg #28",
        ("Pharmaceuticals", "Anti-infectives", "cephalexin"),
    ),
    (
        "Post-operative physical therapy 12 sessions",
        ("Surgery", "Adjunct Surgical Services", "Physical therapy"),
    ),
    (
        "Post-op cold therapy unit 7 day rental",
        ("Surgery", "Adjunct Surgical Services", "Cold therapy unit"),
    ),
    ("Pre-operative EKG", ("Surgery", "Adjunct Surgical Services", "EKG")),
    ("Pre-op labs", ("Surgery", "Adjunct Surgical Services", "Laboratory tests")),
    ("Pre-operative chest x-ray", ("Surgery", "Adjunct Surgical Services", "X-ray")),
    ("Preoperative clearance with internist", ("Surgery", "Adjunct Surgical Services", None)),
    ("Internal medicine clearance", ("Surgery", "Adjunct Surgical Services", None)),
    ("Inpatient stay x 2 days", ("Surgery", "Adjunct Surgical Services", None)),
    ("Continuous passive motion (CPM) machine 21 day rental", ("DMEPOS", "DME", None)),
    ("Physical therapy 2x4 for the lumbar spine", ("Rehabilitation", "PT/OT", "Physical therapy")),
    ("Physical therapy 12 sessions", ("Rehabilitation", "PT/OT", "Physical therapy")),
    ("Additional physical therapy x6", ("Rehabilitation", "PT/OT", "Physical therapy")),
    ("Occupational therapy 2x6 right hand", ("Rehabilitation", "PT/OT", "Occupational therapy")),
    ("Hand therapy 8 sessions", ("Rehabilitation", "PT/OT", "Occupational therapy")),
    ("PT/OT 12 sessions", ("Rehabilitation", "PT/OT", None)),
    ("Aquatic therapy 2x6", ("Rehabilitation", "Other Therapies", "Aquatic therapy")),
    ("Pool therapy x12", ("Rehabilitation", "Other Therapies", "Aquatic therapy")),
    ("Massage therapy 1x6", ("Rehabilitation", "Other Therapies", "Massage therapy")),
    ("Myofascial release 6 sessions", ("Rehabilitation", "Other Therapies", "Massage therapy")),
    ("Chiropractic treatment 2x4", ("Rehabilitation", "Chiropractic", "Chiropractic treatment")),
    ("Chiropractic manipulation x6", ("Rehabilitation", "Chiropractic", "Chiropractic treatment")),
    ("Chiropractic care 6 visits", ("Rehabilitation", "Chiropractic", "Chiropractic treatment")),
    ("Acupuncture x6", ("Rehabilitation", "Acupuncture", "Acupuncture")),
    ("Acupuncture 6 sessions for the low back", ("Rehabilitation", "Acupuncture", "Acupuncture")),
    ("Electroacupuncture x6", ("Rehabilitation", "Acupuncture", "Acupuncture")),
    (
        "Referral to pain management",
        ("Evaluation & Management", "Medical Specialties", "Consultation"),
    ),
    (
        "Pain management consultation",
        ("Evaluation & Management", "Medical Specialties", "Consultation"),
    ),
    ("Neurology consultation", ("Evaluation & Management", "Medical Specialties", "Consultation")),
    (
        "Consultation with an internist",
        ("Evaluation & Management", "Medical Specialties", "Consultation"),
    ),
    (
        "Orthopedic consultation for the right shoulder",
        ("Surgery", "Surgical Consult", "Consultation"),
    ),
    ("Spine surgeon consultation", ("Surgery", "Surgical Consult", "Consultation")),
    ("Neurosurgical consultation", ("Surgery", "Surgical Consult", "Consultation")),
    ("Referral to orthopedic surgeon", ("Surgery", "Surgical Consult", "Consultation")),
    ("Follow-up visit with orthopedic surgeon", ("Surgery", "Surgical Consult", "Follow-up visit")),
    ("Follow-up visits x6", ("Evaluation & Management", "Medical Specialties", "Follow-up visit")),
    (
        "Office visits monthly x 6",
        ("Evaluation & Management", "Medical Specialties", "Follow-up visit"),
    ),
    (
        "Internal medicine follow-up",
        ("Evaluation & Management", "Medical Specialties", "Follow-up visit"),
    ),
    (
        "Follow-up with pain management",
        ("Evaluation & Management", "Medical Specialties", "Follow-up visit"),
    ),
    ("Podiatry consultation", ("Evaluation & Management", "Medical Specialties", "Consultation")),
    (
        "Referral to physical medicine and rehabilitation",
        ("Evaluation & Management", "Medical Specialties", "Consultation"),
    ),
    ("Initial exam", ("Evaluation & Management", "Medical Specialties", None)),
    ("Dental evaluation", ("Evaluation & Management", "Dental Services", "Consultation")),
    ("Dental treatment", ("Evaluation & Management", "Dental Services", None)),
    (
        "Psychological evaluation",
        ("Psych Services", "Evaluation & Management", "Psychological evaluation"),
    ),
    (
        "Psychological consultation",
        ("Psych Services", "Evaluation & Management", "Psychological evaluation"),
    ),
    ("Psychiatric consultation", ("Psych Services", "Evaluation & Management", "Consultation")),
    (
        "Psych eval and treatment",
        ("Psych Services", "Evaluation & Management", "Psychological evaluation"),
    ),
    (
        "Cognitive behavioral therapy x6 sessions",
        ("Psych Services", "Therapies", "Cognitive behavioral therapy"),
    ),
    ("CBT 6 sessions", ("Psych Services", "Therapies", "Cognitive behavioral therapy")),
    ("Psychotherapy 12 sessions", ("Psych Services", "Therapies", "Psychotherapy")),
    ("Biofeedback 6 sessions", ("Psych Services", "Therapies", "Biofeedback")),
    ("Psychological treatment x6", ("Psych Services", "Therapies", "Psychotherapy")),
    (
        "Neuropsychological testing",
        ("Psych Services", "Evaluation & Management", "Psychological evaluation"),
    ),
    (
        "Referral to psychologist for 6 sessions of cognitive behavioral therapy",
        ("Psych Services", "Therapies", "Cognitive behavioral therapy"),
    ),
    (
        "Functional restoration program x 160 hours",
        ("Programs", "Programs", "Functional restoration program"),
    ),
    ("HELP program", ("Programs", "Programs", "Functional restoration program")),
    (
        "Functional restoration program evaluation",
        ("Programs", "Programs", "Functional restoration program"),
    ),
    (
        "Chronic pain management program 10 days",
        ("Programs", "Programs", "Functional restoration program"),
    ),
    ("Weight loss program", ("Programs", "Programs", "Weight loss program")),
    ("Medifast weight loss program", ("Programs", "Programs", "Weight loss program")),
    ("Inpatient rehabilitation", ("Programs", "Programs", None)),
    ("Skilled nursing facility stay", ("Programs", "Programs", None)),
    ("Work hardening program x 10 sessions", ("Programs", "Programs", None)),
    (
        "Home health care 4 hours a day 5 days a week",
        ("Home Health", "Home Health", "Home health care"),
    ),
    ("Home health aide", ("Home Health", "Home Health", "Home health care")),
    (
        "Transportation to and from medical appointments",
        ("Transportation", "Transportation", "Transportation"),
    ),
    ("TENS unit", ("DMEPOS", "Electrical Stimulation", "TENS unit")),
    ("TENS unit 30 day trial", ("DMEPOS", "Electrical Stimulation", "TENS unit")),
    ("TENS unit purchase", ("DMEPOS", "Electrical Stimulation", "TENS unit")),
    ("TENS unit supplies", ("DMEPOS", "Electrical Stimulation", "TENS unit")),
    ("TENS electrodes", ("DMEPOS", "Supplies", None)),
    ("H-wave unit", ("DMEPOS", "Electrical Stimulation", "H-wave unit")),
    ("H-wave unit 30 day home trial", ("DMEPOS", "Electrical Stimulation", "H-wave unit")),
    ("Interferential unit rental", ("DMEPOS", "Electrical Stimulation", "Interferential unit")),
    ("IF unit purchase", ("DMEPOS", "Electrical Stimulation", "Interferential unit")),
    ("Home interferential stimulator", ("DMEPOS", "Electrical Stimulation", "Interferential unit")),
    ("NMES unit", ("DMEPOS", "Electrical Stimulation", None)),
    ("Muscle stimulator", ("DMEPOS", "Electrical Stimulation", None)),
    ("Cold therapy unit", ("DMEPOS", "DME", "Cold therapy unit")),
    ("Game Ready cold compression unit rental", ("DMEPOS", "DME", "Cold therapy unit")),
    ("Hot/cold therapy unit", ("DMEPOS", "DME", "Cold therapy unit")),
    ("Cryotherapy 2x4", ("Rehabilitation", "Other Therapies", None)),
    ("Infrared therapy x6", ("Rehabilitation", "Other Therapies", None)),
    ("Shockwave therapy x3", ("Rehabilitation", "Other Therapies", None)),
    ("ESWT right heel", ("Rehabilitation", "Other Therapies", None)),
    ("Cold laser therapy 12 sessions", ("Rehabilitation", "Other Therapies", None)),
    ("Cervical traction unit", ("DMEPOS", "DME", None)),
    ("Home cervical traction unit", ("DMEPOS", "DME", None)),
    ("Mechanical traction 2x4", ("Rehabilitation", "Other Therapies", None)),
    ("Paraffin bath unit", ("DMEPOS", "DME", None)),
    ("Lumbar brace", ("DMEPOS", "Prosthetics/Orthotics", "Brace")),
    ("LSO brace", ("DMEPOS", "Prosthetics/Orthotics", "Brace")),
    ("Knee brace", ("DMEPOS", "Prosthetics/Orthotics", "Brace")),
    ("Right wrist splint", ("DMEPOS", "Prosthetics/Orthotics", "Brace")),
    ("Cervical collar", ("DMEPOS", "Prosthetics/Orthotics", None)),
    ("Custom orthotics", ("DMEPOS", "Prosthetics/Orthotics", "Orthotics")),
    ("Shoe inserts", ("DMEPOS", "Prosthetics/Orthotics", "Orthotics")),
    ("Lumbar support", ("DMEPOS", "Prosthetics/Orthotics", None)),
    ("Wheelchair", ("DMEPOS", "DME", None)),
    ("Four-wheeled walker", ("DMEPOS", "DME", None)),
    ("Cane", ("DMEPOS", "DME", None)),
    ("Crutches", ("DMEPOS", "DME", None)),
    ("Shower chair", ("DMEPOS", "DME", None)),
    ("Orthopedic mattress", ("DMEPOS", "DME", None)),
    ("Hot/cold packs", ("DMEPOS", "Supplies", None)),
    ("Home exercise kit", ("DMEPOS", "DME", None)),
    ("Gym membership x 6 months", ("Other", "Other", None)),
    ("Pneumatic compression device", ("DMEPOS", "DME", None)),
    ("DVT prophylaxis pneumatic compression", ("DMEPOS", "DME", None)),
    ("Medication management", ("Evaluation & Management", "Medical Specialties", None)),
    ("Retrospective request for DOS 1/1/14", ("Other", "Other", None)),
    ("Unknown", ("Other", "Other", None)),
    ("Opioid medication", ("Pharmaceuticals", "Opioids", None)),
    ("Topical compound cream", ("Pharmaceuticals", "Topical Compounds", None)),
    ("Pain medication", ("Pharmaceuticals", "Other", None)),
    ("Hydrocodone 10/325mg #60", ("Pharmaceuticals", "Opioids", "hydrocodone/acetaminophen")),
    ("Oxycodone 10/325 #90", ("Pharmaceuticals", "Opioids", "oxycodone/acetaminophen")),
    ("Tramadol 37.5/325", ("Pharmaceuticals", "Opioids", "tramadol/acetaminophen")),
    ("Vitamin D level", ("Diagnostic Testing", "Lab & Pathology", "Laboratory tests")),
    ("Voltaren XR 100mg", ("Pharmaceuticals", "NSAID", "diclofenac")),
    ("CT scan with 3D reconstruction", ("Diagnostic Testing", "Imaging/Radiology", "CT")),
    (
        "MRI of the lumbar spine to assess fusion",
        ("Diagnostic Testing", "Imaging/Radiology", "MRI"),
    ),
    ("Epidural lysis of adhesions", ("Surgery", "Spine", None)),
    (
        "Spinal cord stimulator trial with epidural lead placement",
        ("Surgery", "Spine", "Spinal cord stimulator"),
    ),
    (
        "Psychological evaluation prior to spinal cord stimulator trial",
        ("Psych Services", "Evaluation & Management", "Psychological evaluation"),
    ),
    (
        "Psych clearance for SCS",
        ("Psych Services", "Evaluation & Management", "Psychological evaluation"),
    ),
    ("Right knee surgery consultation", ("Surgery", "Surgical Consult", "Consultation")),
    ("Consultation for possible lumbar fusion", ("Surgery", "Surgical Consult", "Consultation")),
    ("Orthopedic shoes", ("DMEPOS", "Prosthetics/Orthotics", "Orthotics")),
    ("Skilled nursing visits x6", ("Home Health", "Home Health", "Home health care")),
    ("Cervical traction with air bladder", ("DMEPOS", "DME", None)),
    ("Kenalog injection to the right shoulder", ("Injection", "Injection", "Joint injection")),
    (
        "Lumbar ESI with monitored anesthesia care",
        ("Injection", "Injection", "Epidural steroid injection"),
    ),
    (
        "Right knee arthroscopy with assistant surgeon",
        ("Surgery", "Arthroscopic Surgery", "Arthroscopy"),
    ),
    ("Urine drug screen for Norco", ("Diagnostic Testing", "Lab & Pathology", "Urine drug screen")),
    ("Manipulation under anesthesia lumbar spine", ("Surgery", "Spine", None)),
    ("TENS patches", ("DMEPOS", "Supplies", None)),
    (
        "Retrospective request for Amitriptyline HCL 10%/ Dextromethorphan 10%/ Tramadol 20% in "
        "Mediderm base",
        ("Pharmaceuticals", "Topical Compounds", "amitriptyline/dextromethorphan/tramadol"),
    ),
    (
        "Fluriflex cream 180gm",
        ("Pharmaceuticals", "Topical Compounds", "flurbiprofen/cyclobenzaprine"),
    ),
    ("Keratek gel 4oz", ("Pharmaceuticals", "Topical Analgesics", "methyl salicylate/menthol")),
    (
        "Pain management consultation for consideration of ESI",
        ("Evaluation & Management", "Medical Specialties", "Consultation"),
    ),
    (
        "Referral to pain management for epidural injection",
        ("Evaluation & Management", "Medical Specialties", "Consultation"),
    ),
    (
        "Epidural steroid injection with pain management consultation",
        ("Injection", "Injection", "Epidural steroid injection"),
    ),
    ("Knee sleeve", ("DMEPOS", "Prosthetics/Orthotics", None)),
    ("Yoga 12 sessions", ("Rehabilitation", "Other Therapies", None)),
    (
        "Compound: Gabapentin 10%, Lidocaine 2%, Aloe 0.5%, Capsaicin 0.025%, Menthol 10%, "
        "Camphor 5%",
        ("Pharmaceuticals", "Topical Compounds", "gabapentin/lidocaine/capsaicin/menthol/camphor"),
    ),
    (
        "Prospective request for 1 prescription of Norco 10/325mg #120",
        ("Pharmaceuticals", "Opioids", "hydrocodone/acetaminophen"),
    ),
    (
        "Unknown prescription of Lidoderm patches",
        ("Pharmaceuticals", "Topical Analgesics", "lidocaine"),
    ),
    (
        "Retrospective request for Omeprazole 20mg #60 (DOS: 5/28/14)",
        ("Pharmaceuticals", "Proton Pump Inhibitors", "omeprazole"),
    ),
    ("Right de Quervain's release", ("Surgery", "Non-arthroscopic Surgery", None)),
    ("Thoracic surgery T3", ("Surgery", "Spine", None)),
    ("Tylenol 3 #30", ("Pharmaceuticals", "Opioids", "acetaminophen/codeine")),
    (
        "Associated surgical service: Pre-op labs (CBC, CMP)",
        ("Surgery", "Adjunct Surgical Services", "Laboratory tests"),
    ),
    (
        "Associated surgical service: Vascutherm cold compression 30 day rental",
        ("Surgery", "Adjunct Surgical Services", "Cold therapy unit"),
    ),
    (
        "Associated surgical service: Home health nursing visits x6",
        ("Surgery", "Adjunct Surgical Services", "Home health care"),
    ),
    (
        "Associated surgical service: Continuous passive motion machine x 21 days",
        ("Surgery", "Adjunct Surgical Services", None),
    ),
    ("Post-operative Keflex 500mg #20", ("Pharmaceuticals", "Anti-infectives", "cephalexin")),
    ("Decision for Lumbar MRI", ("Diagnostic Testing", "Imaging/Radiology", "MRI")),
    (
        "Sleep medicine consultation",
        ("Evaluation & Management", "Medical Specialties", "Consultation"),
    ),
    ("Surgical consultation", ("Surgery", "Surgical Consult", "Consultation")),
    ("Ultrasound guided right shoulder injection", ("Injection", "Injection", "Joint injection")),
    (
        "Right knee Synvisc injections x 3",
        ("Pharmaceuticals", "Viscosupplementation", "hyaluronic acid"),
    ),
    ("Bilateral L5-S1 hemilaminectomy and foraminotomy", ("Surgery", "Spine", "Laminectomy")),
    (
        "Right shoulder arthroscopic rotator cuff repair",
        ("Surgery", "Arthroscopic Surgery", "Arthroscopy"),
    ),
    (
        "Interdisciplinary pain rehabilitation program",
        ("Programs", "Programs", "Functional restoration program"),
    ),
    ("Purchase of a home H-wave device", ("DMEPOS", "Electrical Stimulation", "H-wave unit")),
    ("Interferential current stimulation 2x4", ("Rehabilitation", "Other Therapies", None)),
    ("Cold therapy wrap", ("DMEPOS", "DME", "Cold therapy unit")),
]


# Disputed items in the wording of California IMR letters, each answer decided from the contract
# (docs/letters.md 4.1 and 4.2): drugs by brand and generic, imaging, injections, therapies in the
# clinic against devices for home use, supplies asked "for" a unit, consults, programs, surgery.
QA = [
    ("Retrospective request for Ultram ER 150mg #30", ("Pharmaceuticals", "Opioids", "tramadol")),
    (
        "Lidopro ointment 121gm",
        ("Pharmaceuticals", "Topical Analgesics", "capsaicin/lidocaine/menthol/methyl salicylate"),
    ),
    (
        "Home health aide 4 hours a day 7 days a week",
        ("Home Health", "Home Health", "Home health care"),
    ),
    (
        "Left knee arthroscopy with partial meniscectomy",
        ("Surgery", "Arthroscopic Surgery", "Arthroscopy"),
    ),
    (
        "Post-operative cold therapy unit rental x 7 days",
        ("Surgery", "Adjunct Surgical Services", "Cold therapy unit"),
    ),
    (
        "Cervical epidural steroid injection at C5-6",
        ("Injection", "Injection", "Epidural steroid injection"),
    ),
    (
        "Bilateral L4-5 medial branch blocks",
        ("Injection", "Facet Injection", "Facet joint injection"),
    ),
    ("Tramadol/APAP 37.5/325 #60", ("Pharmaceuticals", "Opioids", "tramadol/acetaminophen")),
    ("Zolpidem 10mg #30", ("Pharmaceuticals", "Sedative-hypnotics", "zolpidem")),
    (
        "Cognitive behavioral therapy x 6 sessions",
        ("Psych Services", "Therapies", "Cognitive behavioral therapy"),
    ),
    (
        "Transportation to and from appointments",
        ("Transportation", "Transportation", "Transportation"),
    ),
    ("Lumbar brace purchase", ("DMEPOS", "Prosthetics/Orthotics", "Brace")),
    (
        "Chiropractic manipulation 2x3 lumbar",
        ("Rehabilitation", "Chiropractic", "Chiropractic treatment"),
    ),
    (
        "Electromyography of bilateral upper extremities",
        ("Diagnostic Testing", "EMG/NCV/NCS", "EMG/NCS"),
    ),
    ("X-ray of the right wrist", ("Diagnostic Testing", "Imaging/Radiology", "X-ray")),
    ("Aquatic therapy x 8", ("Rehabilitation", "Other Therapies", "Aquatic therapy")),
    (
        "Interferential unit 30 day rental",
        ("DMEPOS", "Electrical Stimulation", "Interferential unit"),
    ),
    (
        "Synvisc-One injection right knee",
        ("Pharmaceuticals", "Viscosupplementation", "hyaluronic acid"),
    ),
    (
        "Nerve conduction velocity study of the bilateral lower extremities",
        ("Diagnostic Testing", "EMG/NCV/NCS", "EMG/NCS"),
    ),
    (
        "CT scan of the lumbar spine without contrast",
        ("Diagnostic Testing", "Imaging/Radiology", "CT"),
    ),
    ("Ultrasound of the left shoulder", ("Diagnostic Testing", "Imaging/Radiology", "Ultrasound")),
    ("Triple phase bone scan", ("Diagnostic Testing", "Imaging/Radiology", "Bone scan")),
    (
        "Polysomnography sleep study",
        ("Diagnostic Testing", "Other Diagnostic Tests", "Sleep study"),
    ),
    ("Electrocardiogram", ("Diagnostic Testing", "Other Diagnostic Tests", "EKG")),
    (
        "Complete blood count and comprehensive metabolic panel",
        ("Diagnostic Testing", "Lab & Pathology", "Laboratory tests"),
    ),
    (
        "Trigger point injections x 4 to the trapezius",
        ("Injection", "Injection", "Trigger point injection"),
    ),
    (
        "Radiofrequency ablation at right L3, L4, L5",
        ("Injection", "Facet Injection", "Radiofrequency ablation"),
    ),
    ("Cortisone injection to the right shoulder", ("Injection", "Injection", "Joint injection")),
    # the request decides: cortisone with a dose is the drug, without one the injection
    ("Cortisone 10mg #60", ("Pharmaceuticals", "Adrenal Cortical Steroids", "cortisone")),
    ("Cortisone acetate 25 mg #30", ("Pharmaceuticals", "Adrenal Cortical Steroids", "cortisone")),
    ("Cortisone to the right knee", ("Injection", "Injection", "Joint injection")),
    ("Left stellate ganglion block", ("Injection", "Injection", "Nerve block")),
    (
        "Platelet rich plasma injection to the right elbow",
        ("Injection", "Injection", "Platelet-rich plasma injection"),
    ),
    ("Acupuncture 2 times a week for 4 weeks", ("Rehabilitation", "Acupuncture", "Acupuncture")),
    (
        "Physical therapy 12 sessions for the cervical spine",
        ("Rehabilitation", "PT/OT", "Physical therapy"),
    ),
    (
        "Occupational therapy 2x6 for the right hand",
        ("Rehabilitation", "PT/OT", "Occupational therapy"),
    ),
    ("Massage therapy x 6", ("Rehabilitation", "Other Therapies", "Massage therapy")),
    ("H-wave device home use 30 day trial", ("DMEPOS", "Electrical Stimulation", "H-wave unit")),
    ("Custom molded orthotics bilateral feet", ("DMEPOS", "Prosthetics/Orthotics", "Orthotics")),
    ("Individual psychotherapy x 12 sessions", ("Psych Services", "Therapies", "Psychotherapy")),
    (
        "Functional restoration program 80 hours",
        ("Programs", "Programs", "Functional restoration program"),
    ),
    ("L4-5 and L5-S1 posterior lumbar interbody fusion", ("Surgery", "Spine", "Spinal fusion")),
    ("Right total knee arthroplasty", ("Surgery", "Non-arthroscopic Surgery", "Joint replacement")),
    (
        "Orthopedic surgeon consultation for the right shoulder",
        ("Surgery", "Surgical Consult", "Consultation"),
    ),
    ("Norco 10/325mg #120", ("Pharmaceuticals", "Opioids", "hydrocodone/acetaminophen")),
    ("Duloxetine 60mg #30", ("Pharmaceuticals", "Antidepressant", "duloxetine")),
    ("Ondansetron ODT 8mg #20", ("Pharmaceuticals", "Antiemetic", "ondansetron")),
    (
        "Flurbiprofen 20%/Baclofen 5%/Lidocaine 4% in cream base 180gm",
        ("Pharmaceuticals", "Topical Compounds", "flurbiprofen/baclofen/lidocaine"),
    ),
    ("Voltaren 1% gel 100g", ("Pharmaceuticals", "Topical Analgesics", "diclofenac")),
    ("Lidoderm 5% patch #30", ("Pharmaceuticals", "Topical Analgesics", "lidocaine")),
    ("Alprazolam 0.5mg #30", ("Pharmaceuticals", "Benzodiazepines", "alprazolam")),
    ("Sumatriptan 50mg #9", ("Pharmaceuticals", "Antimigraine Agent", "sumatriptan")),
    ("Docusate sodium 100mg #60", ("Pharmaceuticals", "GI Agents", "docusate")),
    ("Cold therapy unit purchase", ("DMEPOS", "DME", "Cold therapy unit")),
    ("Hot/cold pack", ("DMEPOS", "Supplies", None)),
    ("Shockwave therapy 3 sessions right shoulder", ("Rehabilitation", "Other Therapies", None)),
    ("Lumbar traction unit for home use", ("DMEPOS", "DME", None)),
    ("Therapeutic ultrasound 6 sessions", ("Rehabilitation", "Other Therapies", None)),
    ("Inpatient rehabilitation 2 weeks", ("Programs", "Programs", None)),
    (
        "Referral to chiropractor twice a week for 3 weeks",
        ("Rehabilitation", "Chiropractic", "Chiropractic treatment"),
    ),
    ("Lab work: CBC, CMP", ("Diagnostic Testing", "Lab & Pathology", "Laboratory tests")),
    ("Front wheeled walker", ("DMEPOS", "DME", None)),
    ("Hinged knee brace", ("DMEPOS", "Prosthetics/Orthotics", "Brace")),
    ("Conductive garment for TENS unit", ("DMEPOS", "Supplies", None)),
    ("TENS electrodes and batteries", ("DMEPOS", "Supplies", None)),
    ("Motrin 800mg #90", ("Pharmaceuticals", "NSAID", "ibuprofen")),
    ("Soma 350mg #60", ("Pharmaceuticals", "Muscle Relaxant", "carisoprodol")),
    ("Ambien CR 12.5mg #30", ("Pharmaceuticals", "Sedative-hypnotics", "zolpidem")),
    ("Prilosec 20mg #30", ("Pharmaceuticals", "Proton Pump Inhibitors", "omeprazole")),
    ("Pre-operative medical clearance", ("Surgery", "Adjunct Surgical Services", None)),
    (
        "Post-operative physical therapy 12 sessions left knee",
        ("Surgery", "Adjunct Surgical Services", "Physical therapy"),
    ),
    (
        "Home health nursing visits 3 times a week",
        ("Home Health", "Home Health", "Home health care"),
    ),
    (
        "Right shoulder arthroscopic subacromial decompression",
        ("Surgery", "Arthroscopic Surgery", "Arthroscopy"),
    ),
    ("Electrodes for H-wave unit", ("DMEPOS", "Supplies", None)),
    ("Batteries for the interferential unit x 3 months", ("DMEPOS", "Supplies", None)),
    (
        "Retrospective request for Ultram ER 150mg #30 (DOS 5/12/15)",
        ("Pharmaceuticals", "Opioids", "tramadol"),
    ),
    (
        "Prospective request for Percocet 10/325mg #90",
        ("Pharmaceuticals", "Opioids", "oxycodone/acetaminophen"),
    ),
    ("Fentanyl 25mcg/hr transdermal patch #10", ("Pharmaceuticals", "Opioids", "fentanyl")),
    ("Methadone 10mg #90", ("Pharmaceuticals", "Opioids", "methadone")),
    ("Nucynta ER 100mg #60", ("Pharmaceuticals", "Opioids", "tapentadol")),
    ("Tizanidine 4mg #90", ("Pharmaceuticals", "Muscle Relaxant", "tizanidine")),
    ("Baclofen 10mg #60", ("Pharmaceuticals", "Muscle Relaxant", "baclofen")),
    ("Topiramate 50mg #60", ("Pharmaceuticals", "Anti-epilepsy drugs", "topiramate")),
    ("Amitriptyline 25mg #30", ("Pharmaceuticals", "Antidepressant", "amitriptyline")),
    ("Cymbalta 30mg #30", ("Pharmaceuticals", "Antidepressant", "duloxetine")),
    ("Pantoprazole 40mg #30", ("Pharmaceuticals", "Proton Pump Inhibitors", "pantoprazole")),
    ("Clonazepam 1mg #60", ("Pharmaceuticals", "Benzodiazepines", "clonazepam")),
    ("Buspirone 10mg #60", ("Pharmaceuticals", "AntiAnxiety", "buspirone")),
    ("Promethazine 25mg #30", ("Pharmaceuticals", "Antiemetic", "promethazine")),
    ("Fioricet #60", ("Pharmaceuticals", "Misc Analgesics", "butalbital/acetaminophen/caffeine")),
    ("Provigil 200mg #30", ("Pharmaceuticals", "Stimulants", "modafinil")),
    ("Seroquel 50mg #30", ("Pharmaceuticals", "Atypical Antipsychotic", "quetiapine")),
    ("Atorvastatin 20mg #30", ("Pharmaceuticals", "Statin", "atorvastatin")),
    ("Lisinopril 10mg #30", ("Pharmaceuticals", "Antihypertensive", "lisinopril")),
    ("Diclofenac 3% gel 100gm", ("Pharmaceuticals", "Topical Analgesics", "diclofenac")),
    (
        "Gabapentin 10%/Ketoprofen 10%/Lidocaine 5% 240gm",
        ("Pharmaceuticals", "Topical Compounds", "gabapentin/ketoprofen/lidocaine"),
    ),
    (
        "Tramadol 8%/Cyclobenzaprine 2% cream",
        ("Pharmaceuticals", "Topical Compounds", "tramadol/cyclobenzaprine"),
    ),
    (
        "MRI of the lumbar spine without contrast",
        ("Diagnostic Testing", "Imaging/Radiology", "MRI"),
    ),
    ("Repeat MRI right knee", ("Diagnostic Testing", "Imaging/Radiology", "MRI")),
    ("MR arthrogram of the left shoulder", ("Diagnostic Testing", "Imaging/Radiology", "MRI")),
    (
        "Lumbar spine x-rays with flexion and extension views",
        ("Diagnostic Testing", "Imaging/Radiology", "X-ray"),
    ),
    ("3 views of the cervical spine", ("Diagnostic Testing", "Imaging/Radiology", "X-ray")),
    (
        "Diagnostic ultrasound of the right wrist",
        ("Diagnostic Testing", "Imaging/Radiology", "Ultrasound"),
    ),
    ("NCV of bilateral lower extremities", ("Diagnostic Testing", "EMG/NCV/NCS", "EMG/NCS")),
    (
        "Quantitative urine drug testing",
        ("Diagnostic Testing", "Lab & Pathology", "Urine drug screen"),
    ),
    (
        "Hepatic and renal function panel",
        ("Diagnostic Testing", "Lab & Pathology", "Laboratory tests"),
    ),
    (
        "Somatosensory evoked potentials (SSEP)",
        ("Diagnostic Testing", "Other Diagnostic Tests", None),
    ),
    ("Videonystagmography (VNG)", ("Diagnostic Testing", "Other Diagnostic Tests", None)),
    (
        "Lumbar transforaminal epidural steroid injection at L4-L5 and L5-S1",
        ("Injection", "Injection", "Epidural steroid injection"),
    ),
    ("Interlaminar ESI C6-7", ("Injection", "Injection", "Epidural steroid injection")),
    (
        "Right L3-L4, L4-L5 facet joint injections",
        ("Injection", "Facet Injection", "Facet joint injection"),
    ),
    (
        "Radiofrequency neurotomy bilateral L4-5 and L5-S1",
        ("Injection", "Facet Injection", "Radiofrequency ablation"),
    ),
    (
        "Right knee intra-articular corticosteroid injection",
        ("Injection", "Injection", "Joint injection"),
    ),
    ("Left occipital nerve block", ("Injection", "Injection", "Nerve block")),
    ("Right suprascapular nerve block", ("Injection", "Injection", "Nerve block")),
    (
        "Ultrasound guided cortisone injection left shoulder",
        ("Injection", "Injection", "Joint injection"),
    ),
    (
        "Physical therapy 2 times a week for 6 weeks for the lumbar spine",
        ("Rehabilitation", "PT/OT", "Physical therapy"),
    ),
    (
        "Additional physical therapy x 8 visits right shoulder",
        ("Rehabilitation", "PT/OT", "Physical therapy"),
    ),
    ("Acupuncture 6 visits for the neck", ("Rehabilitation", "Acupuncture", "Acupuncture")),
    ("Chiropractic treatment 1x6", ("Rehabilitation", "Chiropractic", "Chiropractic treatment")),
    ("Extracorporeal shockwave therapy 3 sessions", ("Rehabilitation", "Other Therapies", None)),
    ("Infrared therapy 2x4", ("Rehabilitation", "Other Therapies", None)),
    ("Pool therapy 2x6", ("Rehabilitation", "Other Therapies", "Aquatic therapy")),
    ("Home H-wave device purchase", ("DMEPOS", "Electrical Stimulation", "H-wave unit")),
    ("Lumbosacral orthosis (LSO)", ("DMEPOS", "Prosthetics/Orthotics", "Brace")),
    ("Cock-up wrist brace", ("DMEPOS", "Prosthetics/Orthotics", "Brace")),
    ("Motorized scooter", ("DMEPOS", "DME", None)),
    ("Continuous passive motion machine rental 21 days", ("DMEPOS", "DME", None)),
    ("Referral to a psychiatrist", ("Psych Services", "Evaluation & Management", "Consultation")),
    ("Hand surgery consult for the left wrist", ("Surgery", "Surgical Consult", "Consultation")),
    ("Psychiatric evaluation", ("Psych Services", "Evaluation & Management", "Consultation")),
    (
        "Psychological testing",
        ("Psych Services", "Evaluation & Management", "Psychological evaluation"),
    ),
    ("Group psychotherapy 6 sessions", ("Psych Services", "Therapies", "Psychotherapy")),
    ("Partial hospitalization program", ("Psych Services", "Therapies", None)),
    (
        "HELP functional restoration program x 160 hours",
        ("Programs", "Programs", "Functional restoration program"),
    ),
    ("Skilled nursing facility stay x 14 days", ("Programs", "Programs", None)),
    (
        "Home health care 4 hours per day 5 days per week",
        ("Home Health", "Home Health", "Home health care"),
    ),
    ("In-home care assistance", ("Home Health", "Home Health", "Home health care")),
    (
        "Transportation to medical appointments",
        ("Transportation", "Transportation", "Transportation"),
    ),
    (
        "Right shoulder arthroscopy with rotator cuff repair",
        ("Surgery", "Arthroscopic Surgery", "Arthroscopy"),
    ),
    (
        "Left knee total knee replacement",
        ("Surgery", "Non-arthroscopic Surgery", "Joint replacement"),
    ),
    ("Right cubital tunnel release", ("Surgery", "Non-arthroscopic Surgery", None)),
    ("L4-5 laminotomy and foraminotomy", ("Surgery", "Spine", "Laminectomy")),
    ("Percutaneous spinal cord stimulator trial", ("Surgery", "Spine", "Spinal cord stimulator")),
    ("Hearing aids", ("DMEPOS", "DME", None)),
    (
        "Retrospective Hydrocodone/APAP 10/325mg #120 with 1 refill",
        ("Pharmaceuticals", "Opioids", "hydrocodone/acetaminophen"),
    ),
    (
        "Prospective request for 1 prescription of Tramadol ER 150mg #30",
        ("Pharmaceuticals", "Opioids", "tramadol"),
    ),
    ("1 prescription of Naproxen 550mg #100", ("Pharmaceuticals", "NSAID", "naproxen")),
    (
        "Menthoderm gel 120ml",
        ("Pharmaceuticals", "Topical Analgesics", "methyl salicylate/menthol"),
    ),
    ("Terocin lotion 120ml", ("Pharmaceuticals", "Topical Analgesics", "lidocaine/menthol")),
    (
        "Cyclobenzaprine 2%/Flurbiprofen 25% 180gm",
        ("Pharmaceuticals", "Topical Compounds", "cyclobenzaprine/flurbiprofen"),
    ),
    (
        "Compound cream: Amitriptyline/Gabapentin/Bupivacaine",
        ("Pharmaceuticals", "Topical Compounds", "amitriptyline/gabapentin/bupivacaine"),
    ),
    ("Fenoprofen 400mg #120", ("Pharmaceuticals", "NSAID", "fenoprofen")),
    ("Etodolac ER 600mg #30", ("Pharmaceuticals", "NSAID", "etodolac")),
    ("Nortriptyline 25mg #30", ("Pharmaceuticals", "Antidepressant", "nortriptyline")),
    ("Venlafaxine ER 75mg #30", ("Pharmaceuticals", "Antidepressant", "venlafaxine")),
    ("Sertraline 50mg #30", ("Pharmaceuticals", "Antidepressant", "sertraline")),
    ("Temazepam 30mg #30", ("Pharmaceuticals", "Benzodiazepines", "temazepam")),
    ("Xanax 1mg #60", ("Pharmaceuticals", "Benzodiazepines", "alprazolam")),
    ("Esomeprazole 40mg #30", ("Pharmaceuticals", "Proton Pump Inhibitors", "esomeprazole")),
    ("Lansoprazole 30mg #30", ("Pharmaceuticals", "Proton Pump Inhibitors", "lansoprazole")),
    ("Famotidine 20mg #60", ("Pharmaceuticals", "H2 Blocker", "famotidine")),
    ("Zofran 4mg #30", ("Pharmaceuticals", "Antiemetic", "ondansetron")),
    (
        "Euflexxa injections x3 right knee",
        ("Pharmaceuticals", "Viscosupplementation", "hyaluronic acid"),
    ),
    ("Oxycodone 15mg #120", ("Pharmaceuticals", "Opioids", "oxycodone")),
    ("Morphine sulfate ER 30mg #60", ("Pharmaceuticals", "Opioids", "morphine")),
    ("Hydromorphone 4mg #60", ("Pharmaceuticals", "Opioids", "hydromorphone")),
    ("Suboxone 8mg/2mg #60", ("Pharmaceuticals", "Opioids", "buprenorphine/naloxone")),
    ("Lactulose 30ml", ("Pharmaceuticals", "GI Agents", "lactulose")),
    ("Skelaxin 800mg #90", ("Pharmaceuticals", "Muscle Relaxant", "metaxalone")),
    ("Neurontin 300mg #90", ("Pharmaceuticals", "Anti-epilepsy drugs", "gabapentin")),
    ("Savella 50mg #60", ("Pharmaceuticals", "Antidepressant", "milnacipran")),
    ("MRI of the brain", ("Diagnostic Testing", "Imaging/Radiology", "MRI")),
    ("MRI of the right hip with arthrogram", ("Diagnostic Testing", "Imaging/Radiology", "MRI")),
    ("CT scan of the head", ("Diagnostic Testing", "Imaging/Radiology", "CT")),
    ("Bilateral knee x-rays standing", ("Diagnostic Testing", "Imaging/Radiology", "X-ray")),
    (
        "Flexion-extension radiographs lumbar spine",
        ("Diagnostic Testing", "Imaging/Radiology", "X-ray"),
    ),
    ("EMG right upper extremity", ("Diagnostic Testing", "EMG/NCV/NCS", "EMG/NCS")),
    (
        "Nerve conduction studies bilateral upper extremities",
        ("Diagnostic Testing", "EMG/NCV/NCS", "EMG/NCS"),
    ),
    ("Random urine drug test", ("Diagnostic Testing", "Lab & Pathology", "Urine drug screen")),
    ("Blood work", ("Diagnostic Testing", "Lab & Pathology", "Laboratory tests")),
    (
        "Functional capacity examination",
        ("Diagnostic Testing", "Other Diagnostic Tests", "Functional capacity evaluation"),
    ),
    (
        "Computerized range of motion testing",
        ("Diagnostic Testing", "Other Diagnostic Tests", None),
    ),
    (
        "Left L5-S1 transforaminal epidural steroid injection under fluoroscopy",
        ("Injection", "Injection", "Epidural steroid injection"),
    ),
    (
        "Bilateral L3-4, L4-5, L5-S1 medial branch radiofrequency neurotomy",
        ("Injection", "Facet Injection", "Radiofrequency ablation"),
    ),
    (
        "Diagnostic medial branch block at right C4-5 and C5-6",
        ("Injection", "Facet Injection", "Facet joint injection"),
    ),
    ("Left greater occipital nerve block", ("Injection", "Injection", "Nerve block")),
    ("Right knee steroid injection", ("Injection", "Injection", "Joint injection")),
    ("Right subacromial injection", ("Injection", "Injection", "Joint injection")),
    (
        "Trigger point injections to the lumbar paraspinal muscles",
        ("Injection", "Injection", "Trigger point injection"),
    ),
    ("Bilateral SI joint injections", ("Injection", "Injection", "Sacroiliac joint injection")),
    (
        "PRP injection right lateral epicondyle",
        ("Injection", "Injection", "Platelet-rich plasma injection"),
    ),
    (
        "Physical therapy for the right shoulder, 2 times per week for 4 weeks",
        ("Rehabilitation", "PT/OT", "Physical therapy"),
    ),
    ("Physiotherapy x 12", ("Rehabilitation", "PT/OT", "Physical therapy")),
    ("Hand therapy 2x4 left hand", ("Rehabilitation", "PT/OT", "Occupational therapy")),
    (
        "Acupuncture with electrical stimulation x 6",
        ("Rehabilitation", "Acupuncture", "Acupuncture"),
    ),
    ("Chiropractic care 8 visits", ("Rehabilitation", "Chiropractic", "Chiropractic treatment")),
    ("Aquatic therapy 2x6 weeks lumbar", ("Rehabilitation", "Other Therapies", "Aquatic therapy")),
    ("Massage 1x6", ("Rehabilitation", "Other Therapies", "Massage therapy")),
    ("Mechanical traction sessions x 6", ("Rehabilitation", "Other Therapies", None)),
    ("TENS unit rental x 1 month", ("DMEPOS", "Electrical Stimulation", "TENS unit")),
    (
        "Interferential stimulator purchase",
        ("DMEPOS", "Electrical Stimulation", "Interferential unit"),
    ),
    ("Knee immobilizer", ("DMEPOS", "Prosthetics/Orthotics", "Brace")),
    ("Lumbar support brace", ("DMEPOS", "Prosthetics/Orthotics", "Brace")),
    ("Custom foot orthotics", ("DMEPOS", "Prosthetics/Orthotics", "Orthotics")),
    ("Game Ready cold compression unit 14 day rental", ("DMEPOS", "DME", "Cold therapy unit")),
    ("Orthopedic consultation", ("Surgery", "Surgical Consult", "Consultation")),
    ("Consultation with a neurosurgeon", ("Surgery", "Surgical Consult", "Consultation")),
    (
        "Rheumatology consultation",
        ("Evaluation & Management", "Medical Specialties", "Consultation"),
    ),
    (
        "Internal medicine evaluation",
        ("Evaluation & Management", "Medical Specialties", "Consultation"),
    ),
    (
        "Office visit with the primary treating physician",
        ("Evaluation & Management", "Medical Specialties", "Follow-up visit"),
    ),
    ("Psychotherapy 1x a week for 6 weeks", ("Psych Services", "Therapies", "Psychotherapy")),
    ("CBT x 10 sessions", ("Psych Services", "Therapies", "Cognitive behavioral therapy")),
    ("Biofeedback training 6 visits", ("Psych Services", "Therapies", "Biofeedback")),
    ("Home health assistance 8 hours per day", ("Home Health", "Home Health", "Home health care")),
    (
        "Non-emergency medical transportation",
        ("Transportation", "Transportation", "Transportation"),
    ),
    (
        "Left shoulder arthroscopic rotator cuff repair",
        ("Surgery", "Arthroscopic Surgery", "Arthroscopy"),
    ),
    ("Right knee arthroscopic chondroplasty", ("Surgery", "Arthroscopic Surgery", "Arthroscopy")),
    (
        "Open reduction internal fixation of the right ankle",
        ("Surgery", "Non-arthroscopic Surgery", None),
    ),
    ("Left de Quervain's release", ("Surgery", "Non-arthroscopic Surgery", None)),
    ("Lumbar fusion L4-S1", ("Surgery", "Spine", "Spinal fusion")),
    ("Cervical disc replacement C5-6", ("Surgery", "Spine", None)),
    ("Percutaneous epidural neuroplasty", ("Surgery", "Spine", None)),
    ("Pre-op chest x-ray", ("Surgery", "Adjunct Surgical Services", "X-ray")),
    ("Post-op sling", ("Surgery", "Adjunct Surgical Services", None)),
    (
        "Associated surgical service: 3 day inpatient stay",
        ("Surgery", "Adjunct Surgical Services", None),
    ),
    (
        "Associated surgical service: Physician assistant",
        ("Surgery", "Adjunct Surgical Services", None),
    ),
    ("Infrared therapy (DOS 4/15/14)", ("Rehabilitation", "Other Therapies", None)),
    (
        "Hot/cold packs applied in the clinic x 6 visits",
        ("Rehabilitation", "Other Therapies", None),
    ),
    ("Ultrasound therapy 2x3 right shoulder", ("Rehabilitation", "Other Therapies", None)),
    ("Cold laser therapy 6 sessions", ("Rehabilitation", "Other Therapies", None)),
    ("Electrical muscle stimulation 2x4 in office", ("Rehabilitation", "Other Therapies", None)),
    ("Paraffin bath treatments x 6", ("Rehabilitation", "Other Therapies", None)),
    ("Vascutherm 4 week rental", ("DMEPOS", "DME", "Cold therapy unit")),
    ("Pneumatic intermittent compression device", ("DMEPOS", "DME", None)),
    ("Bone growth stimulator", ("DMEPOS", "DME", None)),
    ("Dynasplint for the right elbow", ("DMEPOS", "Prosthetics/Orthotics", "Brace")),
    ("Kinesio tape", ("Rehabilitation", "Other Therapies", None)),
    ("Electrodes x 8 pairs per month", ("DMEPOS", "Supplies", None)),
    ("TENS unit with supplies for home use", ("DMEPOS", "Electrical Stimulation", "TENS unit")),
    ("Replacement pads for H-wave unit", ("DMEPOS", "Supplies", None)),
    ("Left shoulder MRA", ("Diagnostic Testing", "Imaging/Radiology", "MRI")),
    (
        "Pain management evaluation and treatment",
        ("Evaluation & Management", "Medical Specialties", "Consultation"),
    ),
    (
        "Referral to pain management for epidural steroid injection",
        ("Evaluation & Management", "Medical Specialties", "Consultation"),
    ),
    (
        "Evaluation and treatment with physical therapy 2x6",
        ("Rehabilitation", "PT/OT", "Physical therapy"),
    ),
    ("Referral to acupuncturist for 6 sessions", ("Rehabilitation", "Acupuncture", "Acupuncture")),
    (
        "Consultation with a psychologist",
        ("Psych Services", "Evaluation & Management", "Psychological evaluation"),
    ),
    ("Toradol injection 60mg", ("Pharmaceuticals", "NSAID", "ketorolac")),
    ("Vitamin D 50,000 IU #12", ("Pharmaceuticals", "Nutritional Products", "vitamin d")),
    ("Ketorolac 10mg #20", ("Pharmaceuticals", "NSAID", "ketorolac")),
    ("Depo-Medrol injection", ("Injection", "Injection", None)),
    ("Prolotherapy injections right knee", ("Injection", "Injection", None)),
    (
        "Right knee Orthovisc injection series x 3",
        ("Pharmaceuticals", "Viscosupplementation", "hyaluronic acid"),
    ),
    (
        "Lidocaine/Prilocaine cream",
        ("Pharmaceuticals", "Topical Analgesics", "lidocaine/prilocaine"),
    ),
    ("Salonpas patches", ("Pharmaceuticals", "Topical Analgesics", "methyl salicylate/menthol")),
    (
        "Capsaicin/Menthol/Camphor in lipoderm base",
        ("Pharmaceuticals", "Topical Compounds", "capsaicin/menthol/camphor"),
    ),
    ("Dronabinol 5mg #60", ("Pharmaceuticals", "Cannabinoids", "dronabinol")),
    ("Androgel 1% #30", ("Pharmaceuticals", "Hormones", "testosterone")),
    ("Metformin 500mg #60", ("Pharmaceuticals", "Other", "metformin")),
    ("Abilify 5mg #30", ("Pharmaceuticals", "Atypical Antipsychotic", "aripiprazole")),
    ("Physical therapy and chiropractic treatment 12 visits", ("Rehabilitation", "PT/OT", None)),
    ("MRI and x-rays of the lumbar spine", ("Diagnostic Testing", "Imaging/Radiology", None)),
    ("8 additional sessions of physical therapy", ("Rehabilitation", "PT/OT", "Physical therapy")),
    (
        "Retrospective request for urine toxicology (DOS 2/3/15)",
        ("Diagnostic Testing", "Lab & Pathology", "Urine drug screen"),
    ),
    ("Lumbar MRI", ("Diagnostic Testing", "Imaging/Radiology", "MRI")),
    ("Right knee arthroscopy, meniscectomy", ("Surgery", "Arthroscopic Surgery", "Arthroscopy")),
    ("Left shoulder surgery", ("Surgery", "Non-arthroscopic Surgery", None)),
    ("Right wrist ganglion cyst excision", ("Surgery", "Non-arthroscopic Surgery", None)),
    ("L5-S1 hemilaminectomy", ("Surgery", "Spine", "Laminectomy")),
    ("Removal of hardware lumbar", ("Surgery", "Spine", None)),
    ("Caregiver 24 hours a day", ("Home Health", "Home Health", "Home health care")),
    ("Uber rides to medical appointments", ("Transportation", "Transportation", "Transportation")),
    ("Gym membership with pool access", ("Other", "Other", None)),
    ("Hot tub", ("Other", "Other", None)),
    ("Ergonomic chair", ("DMEPOS", "DME", None)),
    ("Housekeeping services", ("Home Health", "Home Health", "Home health care")),
]


@pytest.mark.parametrize(("request_text", "expected"), REAL + MORE + QA, ids=lambda v: str(v)[:60])
def test_classify(request_text, expected):
    assert classify_item(request_text) == expected


# --- context: letter, citations, rationale ---------------------------------------------------

SURGERY_LETTER = [
    "Right knee arthroscopy with partial medial meniscectomy",
    "Labs: CBC, BMP",
    "EKG",
    "Chest x-ray",
    "Medical clearance",
    "Crutches",
    "MRI of the left shoulder",
    "Norco 10/325mg #60",
]


@pytest.mark.parametrize(
    ("request_text", "expected"),
    [
        ("Labs: CBC, BMP", ("Surgery", "Adjunct Surgical Services", "Laboratory tests")),
        ("EKG", ("Surgery", "Adjunct Surgical Services", "EKG")),
        ("Chest x-ray", ("Surgery", "Adjunct Surgical Services", "X-ray")),
        ("Medical clearance", ("Surgery", "Adjunct Surgical Services", None)),
        ("Crutches", ("Surgery", "Adjunct Surgical Services", None)),
        # not a pre-operative test: stays what it is
        ("MRI of the left shoulder", ("Diagnostic Testing", "Imaging/Radiology", "MRI")),
        # medications are always Pharmaceuticals
        ("Norco 10/325mg #60", ("Pharmaceuticals", "Opioids", "hydrocodone/acetaminophen")),
        # the surgery itself
        (
            "Right knee arthroscopy with partial medial meniscectomy",
            ("Surgery", "Arthroscopic Surgery", "Arthroscopy"),
        ),
    ],
)
def test_letter_with_surgery(request_text, expected):
    assert classify_item(request_text, letter_requests=SURGERY_LETTER) == expected


def test_tests_without_surgery_in_letter():
    letter = ["Labs: CBC, BMP", "EKG", "MRI of the lumbar spine"]
    assert classify_item("EKG", letter_requests=letter) == (
        "Diagnostic Testing",
        "Other Diagnostic Tests",
        "EKG",
    )
    assert classify_item("Labs: CBC, BMP", letter_requests=letter)[1] == "Lab & Pathology"


def _cite(section=None, document="Chronic Pain Medical Treatment Guidelines"):
    return {
        "source": "MTUS",
        "document": document,
        "chapter": None,
        "section": section,
        "pages": None,
        "year": None,
    }


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ("Urine drug testing", ("Diagnostic Testing", "Lab & Pathology", "Urine drug screen")),
        ("Opioids, criteria for use", ("Pharmaceuticals", "Opioids", None)),
        ("Topical Analgesics", ("Pharmaceuticals", "Topical Analgesics", None)),
        ("Trigger point injections", ("Injection", "Injection", "Trigger point injection")),
        ("Muscle relaxants (for pain)", ("Pharmaceuticals", "Muscle Relaxant", None)),
        ("Proton pump inhibitors", ("Pharmaceuticals", "Proton Pump Inhibitors", None)),
        ("Office visits", ("Evaluation & Management", "Medical Specialties", "Follow-up visit")),
    ],
)
def test_vague_request_uses_citation(section, expected):
    got = classify_item("Retrospective request for DOS 1/1/14", reviewer_citations=[_cite(section)])
    assert got == expected


def test_vague_request_uses_restated_request_in_rationale():
    rationale = (
        "MTUS recommends ongoing review of opioid use. There is no documentation of functional "
        "improvement. Therefore, the request for retrospective Norco 10/325mg #60 (DOS 1/1/14) is "
        "not medically necessary."
    )
    got = classify_item("Retrospective request for DOS 1/1/14", rationale=rationale)
    assert got == ("Pharmaceuticals", "Opioids", "hydrocodone/acetaminophen")


def test_vague_request_with_nothing_to_go_on():
    assert classify_item("Retrospective request for DOS 1/1/14") == ("Other", "Other", None)


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ("Physical medicine treatment", ("Rehabilitation", "PT/OT", "Physical therapy")),
        (
            "Manual therapy & manipulation",
            ("Rehabilitation", "Chiropractic", "Chiropractic treatment"),
        ),
        ("Office visits", ("Evaluation & Management", "Medical Specialties", None)),
    ],
)
def test_examination_asking_for_a_course_is_that_treatment(section, expected):
    got = classify_item("Physical exam 2 times 8", reviewer_citations=[_cite(section)])
    assert got == expected


def test_specific_request_ignores_citations_and_rationale():
    got = classify_item(
        "MRI of the lumbar spine",
        rationale="The request for Norco 10/325mg #60 is not medically necessary.",
        reviewer_citations=[_cite("Urine drug testing")],
    )
    assert got == ("Diagnostic Testing", "Imaging/Radiology", "MRI")


def test_original_request_used_when_request_is_empty():
    got = classify_item("", original_request="Acupuncture x 12 sessions")
    assert got == ("Rehabilitation", "Acupuncture", "Acupuncture")


# --- robustness --------------------------------------------------------------------------------

VALID = {(cat, sub) for cat, subs in SUBCATEGORIES.items() for sub in subs}


@pytest.mark.parametrize(
    "request_text",
    ["", " ", "::", "#", "x" * 5000, "\x00\ufffe", "1/1/14", "Upheld", None, 42, "é" * 10],
)
def test_never_raises_and_returns_valid_pair(request_text):
    got = classify_item(
        request_text,
        original_request=request_text if isinstance(request_text, str) else None,
        rationale=None,
        reviewer_citations=[None, {"section": 3}, {"document": None}],
        letter_requests=[None, "Lumbar fusion", 7],
    )
    assert (got[0], got[1]) in VALID
    assert got[2] is None or isinstance(got[2], str)


def test_every_result_of_the_tables_is_valid():
    for request_text, _ in REAL + MORE:
        category, subcategory, service = classify_item(request_text)
        assert (category, subcategory) in VALID
        if category == "Pharmaceuticals" and service is not None:
            assert service == service.lower()


# --- drug table --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "generic", "drug_class"),
    [
        ("Norco 10/325mg #90", "hydrocodone/acetaminophen", "Opioids"),
        ("Hydrocodone/APAP 10/325", "hydrocodone/acetaminophen", "Opioids"),
        ("Hydrocodone bitartrate 10/325mg", "hydrocodone/acetaminophen", "Opioids"),
        ("Zohydro ER 20mg", "hydrocodone", "Opioids"),
        ("Percocet (oxycodone/APAP)", "oxycodone/acetaminophen", "Opioids"),
        ("Ultracet 37.5/325", "tramadol/acetaminophen", "Opioids"),
        ("Flexiril 10mg", "cyclobenzaprine", "Muscle Relaxant"),
        ("Meloxicam (Mobic) 7.5mg", "meloxicam", "NSAID"),
        ("MS-Contin 30mg", "morphine", "Opioids"),
        ("Retrospective Terocin patch DOS 5/1/14", "lidocaine/menthol", "Topical Analgesics"),
        ("Lidoderm", "lidocaine", "Topical Analgesics"),
        ("Flector", "diclofenac", "Topical Analgesics"),
        ("Voltaren 1% gel", "diclofenac", "Topical Analgesics"),
        ("Voltaren 75mg", "diclofenac", "NSAID"),
        ("Butrans 10mcg/hr patch", "buprenorphine", "Opioids"),
        ("AndroGel 1%", "testosterone", "Hormones"),
        ("Ketophene 20% cream", "ketoprofen", "NSAID"),
        ("Ketoprofen 20% cream", "ketoprofen", "Topical Compounds"),
        (
            "Flurbiprofen 20%/Lidocaine 5% in cream base 180gm",
            "flurbiprofen/lidocaine",
            "Topical Compounds",
        ),
        (
            "Compound: cyclobenzaprine 2%, flurbiprofen 20%",
            "cyclobenzaprine/flurbiprofen",
            "Topical Compounds",
        ),
        ("Lidocaine/menthol/capsaicin cream", "lidocaine/menthol/capsaicin", "Topical Compounds"),
        ("Synvisc-One", "hyaluronic acid", "Viscosupplementation"),
        ("Restoril 15mg", "temazepam", "Benzodiazepines"),
        ("Silenor 3mg", "doxepin", "Sedative-hypnotics"),
        ("Doxepin 10mg", "doxepin", "Antidepressant"),
        ("Relistor", "methylnaltrexone", "GI Agents"),
        ("Narcan", "naloxone", "Opioid Antagonist"),
        ("Suboxone 8/2mg", "buprenorphine/naloxone", "Opioids"),
        ("Fioricet #30", "butalbital/acetaminophen/caffeine", "Misc Analgesics"),
        ("Theramine #90", "theramine", "Nutritional Products"),
    ],
)
def test_lookup_drug(text, generic, drug_class):
    drug = lookup_drug(text)
    assert drug is not None
    assert (drug.generic, drug.drug_class) == (generic, drug_class)


@pytest.mark.parametrize(
    "text", ["MRI of the lumbar spine", "Physical therapy x6", "", "TENS unit", "Home health aide"]
)
def test_lookup_drug_none(text):
    assert lookup_drug(text) is None


def test_drug_classes_are_contract_subcategories():
    classes = set(PHARMACEUTICAL_CLASSES)
    assert set(SUBCATEGORIES["Pharmaceuticals"]) == classes
    from determinations.parsing.vocab import drugs

    for key, drug in drugs._NAMES.items():
        assert drug.drug_class in classes, key
        assert drug.generic == drug.generic.lower().strip(), key


def test_find_drugs_in_order():
    assert [d.generic for d in find_drugs("Norco and Soma, then Neurontin")] == [
        "hydrocodone/acetaminophen",
        "carisoprodol",
        "gabapentin",
    ]


def test_drug_is_frozen():
    drug = Drug("naproxen", "NSAID")
    with pytest.raises(AttributeError):
        drug.generic = "x"  # type: ignore[misc]


# --- the per-letter dispatch is built with the public API only --------------------------------

FIRST_CHARS = [
    (r"anti[- ]?emetic\w*|(?:pre|post)[- ]?op", {"a", "p"}),
    (r"(?:x)?ray", {"x", "r"}),
    (r"\bmri\b", {"m"}),
    (r"c[0-9]-?\d", {"c"}),
    (r"[a-c]?d", {"a", "b", "c", "d"}),
    (r"(?=mri)mri", None),  # a lookahead is not read: every character
    (r"\d+ sessions", None),  # a class escape is not read: every character
]


@pytest.mark.parametrize(("pattern", "wanted"), FIRST_CHARS)
def test_first_characters_are_read_from_the_pattern_text(pattern, wanted):
    from determinations.parsing.vocab.classify import _ALNUM, _first_chars

    assert _first_chars(pattern) == frozenset(_ALNUM if wanted is None else wanted)


def test_the_dispatch_agrees_with_pythons_own_regex_parser():
    """Oracle: CPython's private parser, only in this test (the module itself never uses it)."""
    parser = pytest.importorskip("re._parser")
    constants = pytest.importorskip("re._constants")
    from determinations.parsing.vocab.classify import _ALNUM, _CONCEPTS, _first_chars

    def first(items):
        acc = set()
        for op, av in items:
            if op is constants.LITERAL:
                chars, nullable = {chr(av)}, False
            elif op is constants.IN:
                chars, nullable = set(), False
                for sub_op, sub_av in av:
                    if sub_op is constants.LITERAL:
                        chars.add(chr(sub_av))
                    elif sub_op is constants.RANGE:
                        chars.update(chr(c) for c in range(sub_av[0], sub_av[1] + 1))
                    else:
                        return None, False
            elif op is constants.BRANCH:
                chars, nullable = set(), False
                for branch in av[1]:
                    sub, sub_nullable = first(branch)
                    if sub is None:
                        return None, False
                    chars |= sub
                    nullable = nullable or sub_nullable
            elif op is constants.SUBPATTERN:
                chars, nullable = first(av[-1])
            elif op in (constants.MAX_REPEAT, constants.MIN_REPEAT):
                chars, nullable = first(av[2])
                nullable = nullable or av[0] == 0
            elif op is constants.AT:
                chars, nullable = set(), True
            else:
                return None, False
            if chars is None:
                return None, False
            acc |= chars
            if not nullable:
                return acc, False
        return acc, True

    for _name, pattern in _CONCEPTS:
        oracle, _ = first(parser.parse(pattern))
        wanted = frozenset(_ALNUM) if oracle is None else frozenset(oracle) & frozenset(_ALNUM)
        assert _first_chars(pattern) == wanted, pattern
