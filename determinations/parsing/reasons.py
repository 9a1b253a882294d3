"""The decisive reasons an item's rationale gives for its decision (issue 19).

``item_reasons(rationale, outcome)`` returns ``[{"code", "evidence"}, ...]``: one entry per code,
in order of appearance, each with the first rationale sentence that supports it (verbatim: a
substring of the rationale). The codes and their definitions are the fixed vocabulary in
``docs/parsing.md`` ("Reasons"). Each code has one rule below: a sentence supports the code when
one of the rule's patterns matches it and none of its ``unless`` patterns does. Rules apply to
items of their own outcome (the vocabulary's two halves); see ``docs/parsing.md`` for the limits.

Bounded: at most ``MAX_RATIONALE_CHARS`` of a rationale and ``MAX_SENTENCE_CHARS`` of a sentence
are read, and every pattern is built from bounded windows (no nested unbounded repeats). Never
raises: anything unexpected gives ``[]``.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cache, reduce
from operator import itemgetter, or_
from typing import Any

from .literals import PREFIX, beginnings, first_words, needs

UPHELD = "upheld"
OVERTURNED = "overturned"

# The longest rationale in the published letters is under 6,000 characters.
MAX_RATIONALE_CHARS = 20_000
MAX_SENTENCE_CHARS = 800  # the longest labelled evidence sentence has 569

# --- shared pieces ------------------------------------------------------------------------------

# A window of a few words inside one clause (no sentence or clause break, no "but"/"however").
# A pattern written "A" + _NEAR + "B" is matched as two scans, A then B starting at most 90
# characters after A ends with no clause break between ("." ";" ":" "but" "however"...): linear
# work, where one regex with a lazy window would retry B at every character after every A.
_NEAR = "\x0090\x00"
_SHORT = "\x0040\x00"
_WIDE = "\x00180\x00"
_GAP = re.compile("\x00(\\d+)\x00")
_BEGIN = 3  # a chain's part is tried only where the text's next 3 characters can begin it
_CLAUSE_BREAK = re.compile(r"[.;:]|\b(?:but|however|although|whereas)\b")


def _breaks(text: str, start: int, end: int) -> bool:
    """Whether ``_CLAUSE_BREAK`` matches in ``text[start:end]``: substring tests first (C
    speed), the regex only when one of its words is there."""
    window = text[start:end]
    if "." in window or ";" in window or ":" in window:
        return True
    if "but" in window or "how" in window or "alth" in window or "wher" in window:
        return _CLAUSE_BREAK.search(text, start, end) is not None
    return False


# Saying that something is missing, said before the thing: "no documentation of", "without",
# "does not demonstrate", "lack of", "failed to show"...
_ABSENT_BEFORE = (
    r"\b(?:no|not|without|lacks?|lacking|lack of|absence of|absent|none|nor|never|neither"
    r"|fails? to|failed to|unable to|cannot|insufficient|inadequate|minimal|little|limited"
    r"|unclear|not clear|no clear|no longer|did ?n[o']t|does ?n[o']t|do ?n[o']t|has ?n[o']t"
    r"|have ?n[o']t|had ?n[o']t|is ?n[o']t|was ?n[o']t|were ?n[o']t|are ?n[o']t)\b"
)
# The same, said after the thing: "... has not been documented", "... is unclear".
_ABSENT_AFTER = (
    r"\b(?:(?:has|have|had|is|are|was|were)(?: not|n't)(?: been)?(?: clearly| adequately"
    r"| objectively| specifically| fully)? (?:documented|demonstrated|shown|established|noted"
    r"|reported|provided|evident|described|identified|indicated|objectified|quantified|clear"
    r"|present|submitted|mentioned|measured|specified|outlined|addressed|discussed|recorded"
    r"|included|apparent|seen|found|tried|attempted|undergone|completed|trialed|utilized"
    r"|used|performed|given)"
    r"|(?:is|are|was|were|remains?) (?:unclear|lacking|absent|missing|unknown|not clear"
    r"|undocumented|not evident|not apparent))\b"
)
# Saying that the *documentation* is missing (narrower: "no side effects" is not meant).
_UNDOCUMENTED_BEFORE = (
    r"(?:\b(?:no|without|lack of|lacks?|absence of|insufficient|inadequate|limited|missing)"
    r" (?:\w+ ){0,3}?(?:documentation|documented|evidence|mention|record|indication|report"
    r"|discussion|notes?)\b"
    r"|\b(?:not|never) (?:\w+ ){0,2}?(?:documented|provided|mentioned|recorded|noted|addressed"
    r"|discussed|included|submitted|performed|done|completed|obtained)\b"
    r"|\b(?:does|do|did)(?: not|n't) (?:\w+ ){0,2}?(?:document|include|mention|indicate|show"
    r"|address|discuss|reflect|contain|describe|note|provide)\b"
    r"|\bfail(?:s|ed)? to (?:document|include|mention|indicate|show|address|provide)\b"
    r"|\bunclear (?:if|whether)\b"
    r"|\bno (?:\w+ ){0,2}?(?:was|were|has been|have been) (?:done|performed))"
)

# A sentence that only states the guideline (no patient, case or record in it) is background.
_GUIDELINE = (
    r"\b(?:guidelines?|mtus|odg|acoem|cpmtg|acoem|recommend(?:s|ed|ation|ations)?|criteria"
    r"|should|may be|is indicated|are indicated)\b"
)
_APPLIED = (
    r"^(?:the )?(?:patient|claimant|applicant|injured worker|iw)\b"
    r"|\b(?:(?:this|the|his|her|our) (?:patient|injured worker|iw|claimant|applicant|employee"
    r"|worker|individual|case|member|records?|medical records?|documentation|notes?|progress notes?"
    r"|(?:progress |medical |treating )?reports?|submitted|provided|available|reviewed|request"
    r"|requested|requesting|provider|physician|treating|file|clinical|history)"
    r"|there (?:is|was|are|were|has been|have been|does not|do not)"
    r"|he|she|his|her|patient's|worker's|claimant's|applicant's|has had|in this|currently"
    r"|already"
    r"|to date|so far|here|documented|submitted|reviewed|provided|requests?|requested|requesting)\b"
)


# The guideline's evidence (studies), not the patient's record: "insufficient evidence to support
# its use", "remains unproven"; "no evidence provided of ..." is the record, so it is excluded.
_LITERATURE = (
    r"\b(?:insufficient|inadequate|limited|little|no|lack of|lacks|lacking|absence of|without"
    r"|conflicting|inconclusive|weak|poor|minimal) (?!(?:further|additional|ongoing|continued"
    r"|current) )(?:\w+ ){0,3}?(?:(?:evidence|data|studies"
    r"|research|literature|trials)(?! (?:was "
    r"|were |is |has been )?(?:provided|submitted|documented|presented|noted|given|found in"
    r"|in the|of (?:at least|any|significant|objective|functional|pain|\d)))(?: \w+){0,3}? "
    r"(?:to support|supporting|for|of|on|regarding|demonstrating|showing) (?:the |its |their "
    r"|any )?(?:\w+ )?(?:use|efficacy|effectiveness|benefits?|utility|value|role|treatment"
    r"|long[- ]term)|(?:quality|high[- ]quality|published|peer[- ]reviewed|randomi[sz]ed"
    r"|controlled|scientific) (?:\w+ )?(?:studies|trials|research|literature|evidence)\b)"
    r"|\b(?:remains?|is|are|as yet|still) (?:\w+ )?(?:unproven|questionable|inconclusive)"
    r"|\bnot (?:been )?(?:proven|shown|found|established) to be (?:\w+ )?(?:effective|beneficial)"
    r"|\b(?:evidence|studies|study|trials?|research|literature|data) (?:\w+ ){0,3}?(?:that|shows?"
    r"|showed|suggests?|found|concluded|indicates?) (?:\w+ ){0,8}?(?:is|are|was|were) (?:\w+ )?"
    r"(?:more |less |as |not )?(?:effective|beneficial|superior|inferior|efficacious)"
    r"|\b(?:compared|versus) (?:with |to )?(?:placebo|sham|controls?)\b"
)

# Where a rule looks: "any" sentence; "applied": not guideline text alone; "patient": the
# sentence must name the patient, the records or the case.
ANY, APPLIED, PATIENT = "any", "applied", "patient"


@dataclass(frozen=True)
class Rule:
    """One reason code: the sentences that support it.

    ``when``: word beginnings (lower case), one of which a word of the sentence must start
    with before any pattern runs (the speed guard: most sentences are ruled out by a set
    lookup). ``negated``: the sentence must also hold a negation word (``NEGATION_WORDS``).
    ``says``: patterns, any one of which supports the code; ``_NEAR`` / ``_SHORT`` / ``_WIDE``
    inside one mean "then, within so many characters of the same clause". ``unless``: patterns
    that veto it (the negations and look-alikes). ``context``: ANY sentence, an APPLIED one (not
    guideline text alone, see ``_GUIDELINE`` / ``_APPLIED``), or one naming the PATIENT or the
    records. ``fallback``: on an item of the rule's outcome that no rule of that outcome
    matched, the code is given anyway, with the sentence that applies the guideline (see
    ``_fallback_sentence``). ``variants``: patterns naming one form of a treatment ("manipulation
    under anesthesia"); a sentence naming one supports the code only for a request that names it
    too, since guidelines list the forms they do not recommend beside the one requested.
    """

    code: str
    outcome: str
    when: tuple[str, ...]
    says: tuple[str, ...]
    unless: tuple[str, ...] = ()
    negated: bool = False
    context: str = APPLIED
    fallback: bool = False
    variants: tuple[str, ...] = ()


# What continuing a treatment needs: objective functional improvement or pain relief from it.
_IMPROVEMENT = (
    r"(?:objective |measurable |significant |clinically significant |meaningful |sustained "
    r"|documented |specific |quantifiable |quantified |any |overall )?"
    r"(?:functional (?:improvement|gains?|benefit|restoration|response|change)"
    r"|improve(?:ment|d)? (?:in |of )?(?:\w+ )?(?:function(?:ality|ing)?|activities of daily living"
    r"|adls?|activity|range of motion|strength|pain|symptoms|quality of life)"
    r"|(?:increase[sd]?|improve[sd]?) (?:in )?(?:function(?:ality|ing)?|activity levels?|adls?)"
    r"|(?:pain )?relief|reduc(?:tion|ed|e) (?:in |of )?(?:pain|medication|opioid|symptoms)"
    r"|decrease[sd]? (?:in )?(?:pain|medication|symptoms)|(?:prior|previous|past|ongoing)"
    r" (?:\w+ )?(?:benefit|response|efficacy|improvement)|benefit(?:s|ed|ted)?(?: from)?"
    r"|efficacy (?:of|from) (?:the |this |his |her )?(?:prior|previous|past|current|ongoing)"
    r"|(?:medication|treatment|therapeutic|drug) efficacy|efficacy of (?:the |this )?(?:medication"
    r"|treatment|drug)"
    r"|improvement|response to (?:prior|previous|the|this)|effective(?:ness)?"
    r"|return(?:ed)? to work|pain scores?|vas scores?|progress (?:in terms of|with|from|toward))"
)
# Conservative / first-line care that must have been tried (and failed) first.
_CONSERVATIVE = (
    r"(?:conservative (?:care|treatments?|therapy|therapies|management|measures|modalities"
    r"|options)|first[- ]line (?:treatments?|therapy|therapies|medications?|agents?|options?"
    r"|drugs?)|(?:trials?|course) of (?:\w+ ){0,3}?(?:physical therapy|pt|therapy|medications?"
    r"|nsaids?|antidepressants?|anticonvulsants?|anti-?epileptics?|conservative|exercise"
    r"|tricyclics?|oral)|exhausted (?:\w+ ){0,3}?(?:treatments?|care|therapy|options|measures)"
    r"|(?:antidepressants?|anticonvulsants?|tricyclics?|aeds?|anti-?epilepsy drugs?"
    r"|gabapentin|neuropathic medications?)|fail(?:ed|ure of|ure with|ure to respond to"
    r"|ed to respond to) (?:\w+ ){0,4}?(?:treatments?|therapy|therapies|care|medications?"
    r"|modalities|measures|conservative|first[- ]line|pt|injections?|oral)"
    r"|(?:other|prior|previous|lesser|less invasive|alternative) (?:\w+ )?(?:treatments?"
    r"|therapies|modalities|medications|measures|options))"
)
_INDICATION = (
    r"(?:(?:objective|physical|neurologic(?:al)?|clinical|exam(?:ination)?|focal|specific"
    r"|significant|corroborat\w*|positive|mechanical|imaging|electrodiagnostic|diagnostic"
    r"|red[- ]flag) (?:\w+ )?(?:findings?|deficits?|signs?|evidence|abnormalit(?:y|ies)"
    r"|changes?|loss|symptoms)|radiculopathy|radicular (?:symptoms|pain|findings|signs)"
    r"|red flags?|neurologic(?:al)? (?:compromise|involvement)|indications? (?:for|to)\b"
    r"|(?:clear |specific |clinical |surgical |medical )indications?|diagnos(?:is|es)"
    r"|(?:clinical |medical |specific |clear )?rationale|clinical reason|(?:specific |clear "
    r"|functional |treatment )?goals?|instability|(?:guideline |the )?criteria"
    r"|(?:a |any )?(?:clear |specific |documented )?(?:reason|need|purpose) (?:for|to|of|why)\b"
    r"|tolerat(?:e|ed|ion|ing)|(?:suspicion|signs?|evidence) of (?:cancer|infection|tumou?r"
    r"|fracture|malignancy)|willingness|(?:a |any )?(?:program|plan) of (?:functional|evidence"
    r"|exercise|restoration)|functional restoration program|(?:history|risk) of (?:bleeding"
    r"|bleeding disorders?)"
    r"|neuropathic pain|facet[- ]mediated|nerve (?:root )?(?:compromise|impingement|entrapment)"
    r"|(?:significant )?(?:change|progression|worsening) (?:in|of) (?:\w+ )?(?:symptoms|findings"
    r"|condition|pain)|progressive|trauma|surgical (?:lesion|candidate|consideration)"
    r"|(?:why|what) (?:\w+ ){0,3}?(?:is|was|are|were) (?:being )?(?:requested|needed|necessary)"
    r"|insomnia|sleep (?:disturbance|hygiene)|spasm"
    r"|(?:acute )?exacerbation|flare[- ]up|gastrointestinal (?:risk|events|symptoms|complaints)"
    r"|gi (?:risk|events|symptoms|complaints)|risk factors?|depression|anxiety|tenderness"
    r"|trigger points?|twitch response|(?:a )?(?:specific )?plan)"
)
_MONITORING = (
    r"(?:urine drug (?:screens?|tests?|testing|screening)|uds|drug (?:screens?|screening|testing)"
    r"|(?:pain|opioid|narcotic|medication) (?:management )?(?:agreement|contract)"
    r"|risk (?:assessment|stratification)|(?:four|4) a'?s|aberrant (?:drug[- ]?)?(?:behaviou?rs?"
    r"|taking|use)|cures|pdmp|(?:ongoing |appropriate |opioid )?monitoring|adverse effects"
    r"|side effects|(?:lab|laboratory|blood) (?:tests?|testing|monitoring|work|results|levels)"
    r"|(?:liver|renal|kidney|hepatic) function|cbc|ongoing (?:review|assessment)"
    r"|screening for (?:abuse|addiction|misuse)|activities of daily living, adverse)"
)

RULES: tuple[Rule, ...] = (
    # --- upheld: why the request failed -------------------------------------------------------
    Rule(
        "functional_improvement_not_documented",
        UPHELD,
        negated=True,
        when=("improv", "function", "relief", "benefit", "efficacy", "effective", "pain"),
        says=(
            _ABSENT_BEFORE + _NEAR + r"\b" + _IMPROVEMENT,
            r"\b" + _IMPROVEMENT + _SHORT + _ABSENT_AFTER,
            # a long clause: "did not provide any notes documenting ... functional improvement"
            _ABSENT_BEFORE + _WIDE + r"\b(?:objective|functional) improvement\b",
        ),
        unless=(
            _LITERATURE,
            r"\bwithout (?:significant |any )?(?:side effects|adverse)",
        ),
    ),
    Rule(
        "conservative_care_not_documented",
        UPHELD,
        negated=True,
        when=(
            "conservative",
            "first",
            "trial",
            "therapy",
            "exercise",
            "fail",
            "modification",
            "antidepress",
            "anticonvuls",
            "exhaust",
            "prior",
            "previous",
            "other",
            "alternative",
            "gabapentin",
        ),
        says=(
            _ABSENT_BEFORE + _NEAR + r"\b" + _CONSERVATIVE,
            r"\b" + _CONSERVATIVE + _SHORT + _ABSENT_AFTER,
            r"\b" + _CONSERVATIVE + _SHORT + r"\b(?:has|have|had|is|are) yet to be\b",
        ),
        unless=(
            r"\bno (?:\w+ )?(?:benefit|improvement|relief) (?:from|with) ",
            r"\bdespite\b",
        ),
    ),
    Rule(
        "exceeds_guideline_limit",
        UPHELD,
        when=(
            "exceed",
            "excess",
            "beyond",
            "more than",
            "longer than",
            "greater than",
            "already",
            "long-term",
            "long term",
            "prolonged",
            "chronic use",
            "maximum",
            "surpass",
            "over the",
            "number of",
            "duration",
            "limit",
            "levels",
            "outside",
            "exceptional",
            "long term",
            "sessions",
            "visits",
        ),
        says=(
            r"\bexceed(?:s|ed|ing)?\b",
            r"\bin excess of\b",
            r"\bsurpass(?:es|ed)?\b",
            r"\b(?:more|longer|greater|further) than (?:\w+ ){0,4}?(?:recommended|guidelines?"
            r"|supported|allowed|maximum|allowable|suggested|indicated|endorsed)",
            r"\bbeyond (?:\w+ ){0,4}?(?:recommended|guidelines?|supported|allowed|maximum"
            r"|allowable|suggested|the (?:initial|first|acute))",
            r"\boutside (?:of )?(?:the )?(?:recommended |evidence[- ]based )?(?:guidelines?"
            r"|recommendations?)",
            r"\b(?:no|not|without|lack of) (?:\w+ ){0,4}?exceptional (?:factors|circumstances)"
            + _NEAR
            + r"\b(?:beyond|additional|further|more|continued|exceed\w*|extend\w*)\b",
            r"\b(?:over|above|outside) (?:the )?(?:recommended|guidelines?|allowed|maximum)"
            r" (?:\w+ )?(?:number|limit|amount|quantity|duration|frequency|period|time)",
            r"\b(?:already|previously) (?:\w+ ){0,3}?(?:had|received|completed|attended"
            r"|undergone|been (?:given|provided|authorized|certified|approved)|participated)"
            r"\b" + _NEAR + r"\b(?:sessions|visits|treatments|recommended|guidelines?|injections"
            r"|courses?|trials?)",
            r"\b(?:long[- ]term|chronic|prolonged|extended|continued|ongoing) (?:\w+ ){0,2}?use"
            r"\b" + _NEAR + r"\b(?:not recommended|not supported|not indicated|beyond|exceed)",
            r"\bnot (?:\w+ )?(?:recommended|indicated|supported|appropriate) (?:\w+ ){0,3}?"
            r"(?:for |beyond |past |longer than |more than "
            r"|in excess of )(?:long[- ]term|chronic|prolonged|extended|\d+|one|two|three|four"
            r"|six|the (?:recommended|initial))",
            r"\b(?:more|greater) than (?:\w+ ){0,2}?(?:levels?|joints?|injections?|blocks?)"
            r"\b" + _NEAR + r"\b(?:recommended|guidelines?|supported|should)",
            r"\b(?:quantity|number|frequency|duration|amount) (?:\w+ ){0,4}?(?:requested"
            r"|of the request)\b"
            + _NEAR
            + r"\b(?:exceed|more than|beyond|not supported|excessive)",
            r"\bexcessive\b",
            # a count judged too many: "8 initial sessions are not medically appropriate"
            r"\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|additional"
            r"|further) (?:\w+ )?(?:sessions|visits) (?:is|are|would be"
            r"|will be)(?: not|n't) (?:medically )?(?:appropriate|supported|recommended|indicated"
            r"|warranted)\b",
        ),
        unless=(
            r"\b(?:does|do|did|would|will)(?: not|n't) exceed",
            r"\bnot (?:\w+ )?in excess of\b",
            r"\bwithin (?:the )?(?:recommended|guidelines?)",
        ),
    ),
    Rule(
        "not_recommended",
        UPHELD,
        when=(
            "recommend",
            "under study",
            "investigational",
            "experimental",
            "evidence",
            "not supported",
            "not approved",
            "fda",
            "support",
        ),
        says=(
            r"\bnot (?:\w+ )?recommended\b",
            r"\b(?:does|do|did)(?: not|n't) (?:\w+ )?recommend\b",
            r"\brecommend(?:s|ed)? against\b",
            r"\b(?:is|are|remains?|currently|considered|as) (?:\w+ )?(?:under study"
            r"|investigational|experimental)\b",
            _LITERATURE,
            r"\b(?:is|are)(?: not|n't) (?:\w+ )?(?:supported|endorsed) by (?:the )?"
            r"(?:\w+ )?(?:guidelines?|mtus|odg|acoem|evidence|literature)",
            r"\bnot (?:\w+ ){0,2}?approved\b",
            # "Guidelines do not support the use of SSEPs for ..."
            r"\b(?:guidelines?|mtus|odg|acoem)(?: \w+){0,2}? (?:does|do|did)(?: not|n't)"
            r" (?:\w+ )?(?:support|endorse) (?:the )?(?:use|usage)\b",
        ),
        unless=(
            r"\bnot (?:\w+ )?recommended (?:\w+ ){0,2}?(?:unless|except|without|beyond|until"
            r"|longer than|more than|for (?:long[- ]term|chronic|prolonged|more|longer|over)"
            r"|past|in excess|after|when|if|until|in the absence)",
            r"\bnot (?:\w+ )?recommended (?:\w+ ){0,3}?(?:routine|routinely)",
            # "not routinely recommended": recommended in some cases, not "not recommended" at all
            r"\bnot routinely (?:\w+ )?recommended\b",
            # topical analgesics are "recommended as an option ... largely experimental in use"
            r"\blargely experimental\b",
            # "... does not support the use of opioids beyond 16 weeks": a limit, not "not at all"
            r"\b(?:does|do|did)(?: not|n't) (?:\w+ )?(?:support|endorse) (?:\w+ ){0,6}?(?:unless"
            r"|except|without|beyond|longer than|more than|for (?:long[- ]term|chronic|prolonged"
            r"|more|longer|over)|past|in excess|after|until|in the absence|routine|routinely)\b",
            # the conclusion restating the decision ("... is not supported by Guidelines and is not
            # medically necessary") is not a reason
            r"\b(?:is|are) not supported by (?:the )?(?:\w+ )?guidelines? and (?:is |are )?not"
            r" medically necessary\b",
            r"\b(?:does|do|did)(?: not|n't) (?:\w+ )?recommend (?:\w+ ){0,3}?(?:routine|routinely)",
            r"\bat least one (?:drug|ingredient|component|agent)",
            r"\bnot (?:\w+ )?recommended (?:\w+ )?(?:for|in) (?:\w+ ){0,3}?(?:absence|lack)",
            r"\bprimary (?:\w+ )?(?:modality|treatment)|\bas an adjunct\b",
            r"\bin (?:the )?absence of\b",
            # "the addition of cyclobenzaprine to other agents is not recommended": a combination
            # the letter does not say the patient takes, as conditional as "not recommended if"
            r"\b(?:addition|adding) (?:of )?(?:\w+ ){0,3}?to (?:other|another) (?:\w+ )?(?:agents?"
            r"|medications?|drugs?|treatments?)\b",
        ),
        context=ANY,
        # the chiropractic guideline's "Manipulation under anesthesia is not recommended", quoted
        # for a request of manipulation without it
        variants=(
            r"\bunder (?:general |conscious |intravenous |iv )?(?:anesthesia|anaesthesia"
            r"|sedation)\b",
            r"\bmua\b",
        ),
    ),
    Rule(
        "indication_not_documented",
        UPHELD,
        negated=True,
        when=(
            "finding",
            "deficit",
            "sign",
            "radicul",
            "red flag",
            "indicat",
            "diagnos",
            "rationale",
            "reason",
            "goal",
            "criteri",
            "instabil",
            "neuropath",
            "facet",
            "nerve",
            "change",
            "progress",
            "trauma",
            "surg",
            "why",
            "what",
            "necessity",
            "need",
            "insomnia",
            "sleep",
            "spasm",
            "exacerbat",
            "flare",
            "gastro",
            "gi ",
            "risk",
            "depress",
            "anxiety",
            "tender",
            "trigger",
            "plan",
            "program",
            "purpose",
            "evidence",
            "abnormal",
            "tolerat",
            "suspicion",
            "willing",
            "reveal",
            "show",
            "demonstrat",
            "establish",
            "identify",
            "report",
        ),
        says=(
            _ABSENT_BEFORE + _NEAR + r"\b" + _INDICATION + r"\b",
            r"\b" + _INDICATION + _SHORT + _ABSENT_AFTER,
            r"\b(?:does|do|did)(?: not|n't) (?:\w+ ){0,2}?(?:meet|satisfy|fulfill)",
            r"\bcriteria (?:\w+ ){0,3}?(?:are|were|have|has)(?: not|n't) (?:been )?(?:met"
            r"|satisfied|fulfilled)",
            r"\bit is (?:\w+ )?(?:unclear|not clear) (?:why|what|how)",
            r"\bnecessity (?:\w+ ){0,4}?(?:was|were|has|have|is|are)(?: not|n't)(?: been)? provided"
            r"|\bjustification for (?:the )?medical necessity",
            r"\b(?:does|do|did)(?: not|n't) (?:\w+ )?(?:reveal|show|demonstrate|indicate|document"
            r"|establish|identify|report) (?:that )?(?:the |this |his |her )?(?:patient|claimant"
            r"|injured worker|iw|applicant)(?:'s)? (?:\w+ ){0,3}?(?:has|had|have|is|was"
            r"|condition|suffers|meets|presents|exhibits)\b",
            r"\b(?:no|lack of|without) (?:\w+ ){0,2}?(?:indication|evidence|documentation) (?:that"
            r"|of) (?:the |this )?(?:patient|claimant|injured worker|iw|applicant) (?:has|had|have"
            r"|is|was|suffers)\b(?!(?:\w+ ){0,4}?(?:failed|tried|trial|improv|benefit|relief"
            r"|respond|been (?:monitored|compliant)))",
            _ABSENT_BEFORE + _NEAR + r"\b(?:to|that would|which would) (?:warrant|justify) (?:a |an"
            r" |the )?(?:\w+ )?(?:surg\w*|imaging|mri|ct|x-rays?|emg|ncv|stud(?:y|ies)|injections?"
            r"|procedures?|use|intervention|operation|testing|diagnostic)",
        ),
        unless=(
            _LITERATURE,
            r"\b(?:beyond|outside(?: of)?|exceed\w*) (?:the )?(?:recommended )?guidelines?"
            r"|\bexceptional factors",
            r"\b(?:therefore|thus|hence),? (?:the )?(?:\w+ ){0,2}?need for\b",
            # "no objective evidence to support failure of other conservative modalities": the
            # missing failure of prior care (conservative_care_not_documented), not an indication
            r"\bevidence (?:\w+ ){0,3}?(?:failure|failed trials?) of\b",
        ),
    ),
    Rule(
        "monitoring_not_documented",
        UPHELD,
        negated=True,
        when=(
            "urine",
            "uds",
            "drug screen",
            "drug test",
            "agreement",
            "contract",
            "risk assess",
            "4 a",
            "four a",
            "aberrant",
            "cures",
            "pdmp",
            "monitor",
            "side effect",
            "adverse effect",
            "lab",
            "blood",
            "function test",
            "cbc",
            "ongoing review",
            "ongoing assess",
            "screening",
        ),
        says=(
            _UNDOCUMENTED_BEFORE + _NEAR + r"\b" + _MONITORING,
            r"\b" + _MONITORING + _SHORT + _ABSENT_AFTER,
        ),
    ),
    Rule(
        "compound_ingredient_not_recommended",
        UPHELD,
        when=("at least one", "compound", "ingredient", "component"),
        says=(
            r"\bat least one (?:\w+ ){0,2}?(?:drug|ingredient|component|agent|medication)s?\b",
            r"\bcompound(?:ed)? (?:\w+ ){0,4}?(?:contain(?:s|ing)?|with|includ(?:es|ing))\b"
            + _NEAR
            + r"\bnot (?:\w+ )?(?:recommended|supported|approved)",
            r"\b(?:ingredient|component)s? (?:\w+ ){0,6}?(?:is|are)(?: not|n't) (?:\w+ )?"
            r"(?:recommended|supported|approved)",
            r"\b(?:the|this) (?:entire |whole )?(?:compound(?:ed)?|topical) (?:\w+ ){0,3}?"
            r"(?:is|are)(?: also)? not (?:recommended|supported|medically necessary)",
        ),
        context=ANY,
    ),
    Rule(
        "associated_request_not_certified",
        UPHELD,
        when=(
            "certif",
            "not medically necessary",
            "not necessary",
            "associated",
            "not approved",
            "not authorized",
            "not supported",
            "non-certified",
            "noncertified",
            "not been approved",
            "not been authorized",
            "not been established",
        ),
        says=(
            r"\b(?:is|are)(?: not|n't) (?:\w+ )?(?:appropriate|necessary|indicated|supported"
            r"|certified)(?: \w+){0,3}?,? (?:and )?(?:therefore|thus|hence|so),? (?:the )?(?:\w+ )"
            r"{0,3}?(?:need|request|use) (?:for|of)\b",
            r"\b(?:since|as|because|given(?: that)?|if|with|as a result,?) (?:\w+ ){0,3}?"
            r"(?:the )?(?:\w+ ){0,6}?(?:surgery|surgical|procedure|operation|repair|fusion"
            r"|arthroscopy|replacement|decompression|discectomy|laminectomy|injection|block"
            r"|release|primary|associated|requested|underlying)\b"
            + _NEAR
            + r"\b(?:is|was|has|have|are|were)(?: not|n't)(?: been)?(?: \w+)? (?:medically"
            r" necessary|necessary|certified|approved|authorized|supported|indicated|established"
            r"|substantiated)",
            r"\b(?:non-?certified|not certified|noncertified|not (?:been )?approved)\b"
            + _NEAR
            + r"\b(?:associated|related|post-?operative|pre-?operative|peri-?operative"
            r"|concurrent|ancillary|accompanying)",
            r"\b(?:associated|related|post-?operative|pre-?operative|peri-?operative|ancillary"
            r"|accompanying|concurrent) (?:\w+ ){0,4}?(?:requests?|services?|items?|care"
            r"|equipment|\w+) (?:\w+ ){0,3}?(?:is|are|was|were)(?: also)? (?:not|non)"
            r"(?: medically)? (?:necessary|needed|indicated|certified|required)",
            r"\b(?:surgery|surgical (?:procedure|request|intervention)|procedure|operation)"
            r" (?:\w+ ){0,6}?(?:is|was|has|have|are|were)(?: not|n't)(?: been)?(?: \w+)?"
            r" (?:medically necessary|certified|approved|authorized|found (?:to be )?medically"
            r" necessary)\b" + _NEAR + r"\b(?:therefore|thus|so|consequently|also|hence|as well"
            r"|associated|post-?operative|pre-?operative|is not|are not)",
        ),
        context=ANY,
    ),
    # --- overturned: why the request met the guideline ----------------------------------------
    Rule(
        "criteria_met",
        OVERTURNED,
        when=(
            "meet",
            "met",
            "satisf",
            "fulfil",
            "consistent",
            "accordance",
            "keeping",
            "support",
            "criteria",
            "indicat",
            "appropriate",
            "reasonable",
            "in line",
            "present here",
            " why",
        ),
        says=(
            r"\b(?:meets?|met|satisf(?:y|ies|ied)|fulfill?s?|fulfilled) (?:\w+ ){0,5}?"
            r"(?:criteria|guidelines?|requirements?|indications?|recommendations?|standards?)",
            r"\b(?:criteria|requirements?|indications?) (?:\w+ ){0,5}?(?:have been|has been|are"
            r"|were|is|was|appear to (?:be|have been)|being) (?:\w+ )?(?:met|satisfied|fulfilled"
            r"|present|documented)",
            r"\b(?:is|are|was|were|appears?|seems?) (?:\w+ )?(?:consistent|in accordance|in keeping"
            r"|in line|compliant) with (?:\w+ ){0,3}?(?:guidelines?|mtus|odg|acoem"
            r"|recommendations?|criteria)",
            r"\b(?:guidelines?|mtus|odg|acoem) (?:\w+ ){0,4}?support(?:s|ed)? (?:\w+ ){0,3}?"
            r"(?:request|use|procedure|treatment|in this case|for this patient)",
            r"\b(?:explains?|explaining|to explain|detail(?:s|ed)?|document(?:s|ed)?) why\b",
            r"\b(?:is|are) indicated as a medical necessity|\b(?:were|are|was|is) present here"
            r"|\bwould be (?:\w+ )?(?:appropriate|reasonable|indicated|warranted)",
            r"\b(?:is|are|was|were) (?:\w+ )?(?:indicated|supported|appropriate|warranted"
            r"|reasonable) (?:\w+ ){0,3}?(?:in this case|for this patient|for the patient"
            r"|at this time|here|given|based on|per|according to|by the guidelines?)",
        ),
        unless=(
            r"\b(?:not|n't|never|no longer|neither|nor)\b"
            + _SHORT
            + r"\b(?:meets?|met|satisf\w*|fulfill?\w*|consistent|accordance|indicated|supported"
            r"|appropriate|warranted|reasonable)",
            r"\b(?:meets?|met)\b" + _SHORT + r"\bnot\b",
            r"\bno (?:\w+ )?(?:longer )?(?:indicated|supported)",
        ),
        context=ANY,
        fallback=True,
    ),
    Rule(
        "improvement_documented",
        OVERTURNED,
        when=(
            "improv",
            "function",
            "relief",
            "benefit",
            "efficacy",
            "effective",
            "reduc",
            "decreas",
            "return",
            "%",
            "percent",
            "better",
            "help",
        ),
        says=(
            r"\b(?:\d+ ?(?:%|percent)|significant|substantial|objective|measurable|documented"
            r"|noted|reported|reports?|demonstrat\w+|evidence of|documentation of|there (?:is|was"
            r"|has been)|has (?:had|shown|experienced|achieved|obtained|reported|noted|made)"
            r"|with|had|achieved|experienced|shown|continued|ongoing|sustained|good|excellent"
            r"|notable|marked|clear|positive)\b" + _SHORT + r"\b" + _IMPROVEMENT,
            r"\b" + _IMPROVEMENT + _SHORT + r"\b(?:(?:has|have|had|is|are|was|were) (?:been )?"
            r"(?:clearly |objectively )?(?:documented|demonstrated|shown|established|noted"
            r"|reported|evident|described|achieved|obtained|seen|observed)|(?:was|were) noted)\b",
            r"\b(?:helps?|helped|helping|beneficial|benefit(?:s|ed|ted)|improv(?:es|ed|ing)"
            r"|effective)\b",
        ),
        unless=(
            _ABSENT_BEFORE + _NEAR + r"\b" + _IMPROVEMENT,
            r"\b" + _IMPROVEMENT + _SHORT + _ABSENT_AFTER,
            r"\b(?:not|n't|no|without|never|minimal|little)\b"
            + _SHORT
            + r"\b(?:helps?|helped|helping|beneficial|benefit|improv\w*|effective|relief)\b",
            r"\b(?:if|when|unless|until|provided|as long as) (?:\w+ ){0,5}?(?:there is|is"
            r"|are|documented|documentation|evidence|demonstrat\w+)",
            r"\b(?:should|must|would|may|can|could|need(?:s|ed)? to|requires?|required)\b",
            _LITERATURE,
        ),
        context=PATIENT,
    ),
    Rule(
        "prior_care_failed",
        OVERTURNED,
        when=(
            "fail",
            "despite",
            "refractory",
            "respond",
            "unresponsive",
            "persist",
            "resistant",
            "not help",
            "no relief",
            "no benefit",
            "no improvement",
            "without relief",
            "without improvement",
            "without benefit",
            "not improve",
            "exhaust",
            "continues",
        ),
        says=(
            r"\bfail(?:ed|ure|ures|ing|s)?\b",
            r"\bdespite\b",
            r"\b(?:refractory|unresponsive|resistant) to\b",
            r"\b(?:did|does|has|have|had)(?: not|n't) (?:\w+ )?(?:respond(?:ed)?|improve[d]?"
            r"|help(?:ed)?|resolve[d]?|benefit(?:ed|ted)?)\b",
            r"\b(?:no|without|minimal|little|limited) (?:\w+ )?(?:relief|improvement|benefit"
            r"|response|success)\b",
            r"\bexhausted\b",
            r"\b(?:persistent|continued|ongoing) (?:\w+ ){0,3}?(?:pain|symptoms|complaints)"
            r"\b" + _NEAR + r"\b(?:after|with|following)\b",
        ),
        unless=(
            _UNDOCUMENTED_BEFORE + _NEAR + r"\b(?:fail\w*|trial|tried|conservative)",
            r"\b(?:should|must|would|may|can|could|need(?:s|ed)? to|requires?|required|if"
            r"|when|unless|until|after failure)\b",
        ),
        context=PATIENT,
    ),
)

CODES: tuple[str, ...] = tuple(rule.code for rule in RULES)


@dataclass(frozen=True)
class _Chain:
    """A pattern split at its windows: parts[0], then parts[1] within gaps[0] characters...

    ``anchor``: the part scanned over the whole sentence (the shortest pattern, a proxy for the
    cheapest); the others are tried only at the word starts of the windows beside it, and only
    where the text begins as a match of the part can (``begins``, literals.py; None: anywhere).
    """

    parts: tuple[re.Pattern[str], ...]
    gaps: tuple[int, ...]
    anchor: int = 0
    begins: tuple[frozenset[str] | None, ...] = ()
    # per part, the first words its matches start with (literals.first_words; None: not known)
    firsts: tuple[_Firsts | None, ...] = ()


@dataclass(frozen=True)
class _Firsts:
    """The words a part's matches start with (literals.first_words), arranged for ``_where``:
    whole words and beginnings of at least ``PREFIX`` characters under the stems a sentence's
    word then has (``word_keys`` / ``by_word_key``, ``start_keys`` / ``by_start_key``: see
    ``_keys``); shorter beginnings, always looked for (``short``)."""

    word_keys: frozenset[str]
    by_word_key: dict = field(hash=False, compare=False)
    start_keys: frozenset[str] = frozenset()
    by_start_key: dict = field(default_factory=dict, hash=False, compare=False)
    short: list[str] = field(default_factory=list, hash=False, compare=False)


@cache  # one object per piece, so the rules that share a piece share its places (_where)
def _firsts(patterns: tuple[str, ...]) -> _Firsts | None:
    """The first words of a match of any of ``patterns`` (None when one is not known)."""
    words: set[str] = set()
    starts: set[str] = set()
    for pattern in patterns:
        known = first_words(pattern)
        if known is None:
            return None
        words |= known[0]
        starts |= known[1]
    by_word_key: dict[str, list[str]] = {}
    for word in sorted(words):
        for key in _keys(word):
            by_word_key.setdefault(key, []).append(word)
    by_start_key: dict[str, list[str]] = {}
    for start in sorted(starts):
        if len(start) >= PREFIX:
            for key in _keys(start + "*"):
                by_start_key.setdefault(key, []).append(start)
    short = [start for start in sorted(starts) if len(start) < PREFIX]
    return _Firsts(
        frozenset(by_word_key),
        {key: tuple(words) for key, words in by_word_key.items()},
        frozenset(by_start_key),
        {key: tuple(starts) for key, starts in by_start_key.items()},
        short,
    )


def _chains(patterns: tuple[str, ...]) -> tuple[_Chain, ...]:
    """Each windowed pattern as a chain; the plain ones joined into one regex (one scan)."""
    plain = [pattern for pattern in patterns if not _GAP.search(pattern)]
    chains = []
    if plain:
        joined = re.compile("|".join(f"(?:{p})" for p in plain))
        chains.append(_Chain((joined,), (), firsts=(_firsts(tuple(plain)),)))
    for pattern in patterns:
        pieces = _GAP.split(pattern)
        if len(pieces) > 1:
            parts = tuple(re.compile(piece) for piece in pieces[::2])
            anchor = min(range(len(parts)), key=lambda index: len(pieces[2 * index]))
            begins = tuple(beginnings(piece, _BEGIN) for piece in pieces[::2])
            firsts = tuple(_firsts((piece,)) for piece in pieces[::2])
            gaps = tuple(int(gap) for gap in pieces[1::2])
            chains.append(_Chain(parts, gaps, anchor, begins, firsts))
    return tuple(chains)


@dataclass(frozen=True)
class _Compiled:
    rule: Rule
    when: frozenset[str]
    says: tuple[_Chain, ...]
    unless: tuple[_Chain, ...]
    # The literal gates (literals.py), as sets of words one of which a sentence must hold.
    # ``words``: one such set for the whole rule (None: none known); ``chain_gates``: per chain
    # of ``says``, per pattern of the chain, the sets that pattern needs (all of them).
    words: frozenset[str] | None
    chain_gates: tuple[tuple[tuple[frozenset[str], ...], ...], ...]
    unless_gates: tuple[tuple[tuple[frozenset[str], ...], ...], ...]  # the same for ``unless``


# The words that begin a negation in _ABSENT_BEFORE / _ABSENT_AFTER / _UNDOCUMENTED_BEFORE.
NEGATION_WORDS = (
    "no",
    "not",
    "non",
    "none",
    "nor",
    "never",
    "neither",
    "without",
    "lack",
    "absen",
    "fail",
    "unable",
    "cannot",
    "insufficient",
    "inadequate",
    "minimal",
    "little",
    "limited",
    "unclear",
    "missing",
    "undocumented",
    "yet",
    "didn't",
    "doesn't",
    "don't",
    "hasn't",
    "haven't",
    "hadn't",
    "isn't",
    "wasn't",
    "weren't",
    "aren't",
)
_WORD = re.compile(r"[a-z0-9']+")
_STEM = 5  # word beginnings are compared on at most this many characters


_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789'"


def _stems(words: tuple[str, ...]) -> frozenset[str]:
    """The five-character word beginnings that begin with ``words``.

    A sentence's words are compared on their first five characters (``_word_set``), so a
    beginning of three or four characters ("fail") stands for every five-character one it
    begins ("faile", "failu", ...); one of one or two characters is a whole word ("no").
    """
    stems: set[str] = set()
    for word in words:
        word = re.split(r"[ -]", word.strip())[0][:_STEM]
        if not word:
            continue
        stems.add(word)
        if len(word) == _STEM - 1:
            stems.update(word + a for a in _LETTERS)
        elif len(word) == _STEM - 2:
            stems.update(word + a + b for a in _LETTERS for b in _LETTERS)
            stems.update(word + a for a in _LETTERS)
    return frozenset(stems)


# A word's first five characters, for a sentence ``_word_set`` cannot split (one scan).
_WORD_STEM = re.compile(r"(?<![a-z0-9'])[a-z0-9']{1,5}")
# An ASCII sentence's \w+ words, by str.split once every other character is a space.
_TO_SPACE = str.maketrans({chr(code): " " for code in range(128) if not re.match(r"\w", chr(code))})


_NEGATION = _stems(NEGATION_WORDS)
_WORD_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789_"  # \\w in a lower-cased ASCII text


@cache
def _keys(entry: str) -> frozenset[str]:
    """The stems (first ``_STEM`` characters) of the sentence words that can be ``entry``, a
    whole word, or, written "reco*", begin with it: what the literal gates and ``_where`` look up
    in a sentence's stems (``_words``). A long whole word shares its stem with other words (a
    weaker gate, never a wrong one); a beginning shorter than a stem stands for every stem that
    begins with it, as in ``_stems``."""
    if not entry.endswith("*"):
        return frozenset({entry[:_STEM]})
    keys = {entry[:-1][:_STEM]}
    frontier = set(keys)
    while len(next(iter(frontier))) < _STEM:
        frontier = {key + letter for key in frontier for letter in _WORD_LETTERS}
        keys |= frontier
    return frozenset(keys)


def _gate(pattern: str) -> tuple[frozenset[str], ...]:
    """The word sets every match of ``pattern`` needs (a windowed one: what each part needs).

    Only clauses of whole words are kept (a set lookup; substrings would cost a scan each), as
    the stems a sentence holding one of the words has (``_keys``).
    """
    return tuple(
        frozenset(key for word in clause[0] for key in _keys(word))
        for part in _GAP.split(pattern)[::2]
        for clause in needs(part)
        if clause[0] and not clause[1]
    )


def _chain_gates(patterns: tuple[str, ...]) -> tuple[tuple[tuple[frozenset[str], ...], ...], ...]:
    """Per chain of ``_chains(patterns)``, in its order: the gates of the chain's patterns."""
    plain = tuple(_gate(p) for p in patterns if not _GAP.search(p))
    windowed = tuple((_gate(p),) for p in patterns if _GAP.search(p))
    return ((plain,) if plain else ()) + windowed


def _compile(rule: Rule) -> _Compiled:
    gates = {pattern: _gate(pattern) for pattern in rule.says}
    words: frozenset[str] | None = frozenset()
    for gate in gates.values():
        if not gate:
            words = None  # a pattern that needs no known word: no gate for the rule
            break
        words |= min(gate, key=len)
    return _Compiled(
        rule,
        _stems(rule.when),
        _chains(rule.says),
        _chains(rule.unless),
        words,
        _chain_gates(rule.says),
        _chain_gates(rule.unless),
    )


_COMPILED: dict[str, tuple[_Compiled, ...]] = {
    outcome: tuple(_compile(rule) for rule in RULES if rule.outcome == outcome)
    for outcome in (UPHELD, OVERTURNED)
}


@dataclass(frozen=True)
class _Plan:
    """One outcome's rules with their ``when`` words and literal gates as bit masks, so that a
    sentence is screened for all rules at once: a C loop over the words it holds (``_mask``).

    Bit ``i`` is rule ``i``; a word's bits in ``when_bits`` are the rules whose ``when`` holds it,
    in ``gate_bits`` the rules whose rule gate (``_Compiled.words``) holds it and, above the
    rules' bits, the gate clauses (``_Compiled.chain_gates``' word sets) that hold it. A chain's
    ``needs`` are, per pattern, the bits of the clauses it needs: it may match when all are set.
    ``rows``: per mask of rules, the rules' rows in rule order.
    """

    when_bits: dict[str, int]
    when_keys: frozenset[str]
    plain: int  # the rules that need no negation
    gate_bits: dict[str, int]
    gate_keys: frozenset[str]
    ungated: int  # the rules with no rule gate
    every: int
    rows: tuple[tuple[tuple, ...], ...]


def _plan(compiled: tuple[_Compiled, ...]) -> _Plan:
    when_bits: dict[str, int] = {}
    gate_bits: dict[str, int] = {}
    clause_bit: dict[frozenset[str], int] = {}
    plain = ungated = 0

    def needs(gates) -> tuple[tuple[int, ...], ...]:
        out = []
        for chain in gates:
            masks = []
            for gate in chain:
                mask = 0
                for clause in gate:
                    if clause not in clause_bit:
                        clause_bit[clause] = 1 << (len(compiled) + len(clause_bit))
                        for word in clause:
                            gate_bits[word] = gate_bits.get(word, 0) | clause_bit[clause]
                    mask |= clause_bit[clause]
                masks.append(mask)
            out.append(tuple(masks))
        return tuple(out)

    rows = []
    for number, rule in enumerate(compiled):
        bit = 1 << number
        for stem in rule.when:
            when_bits[stem] = when_bits.get(stem, 0) | bit
        if not rule.rule.negated:
            plain |= bit
        if rule.words is None:
            ungated |= bit
        else:
            for word in rule.words:
                gate_bits[word] = gate_bits.get(word, 0) | bit
        says, unless = needs(rule.chain_gates), needs(rule.unless_gates)
        variants = rule.rule.variants
        variant = re.compile("|".join(f"(?:{p})" for p in variants)) if variants else None
        rows.append(
            (bit, rule.rule.code, rule.says, says, rule.unless, unless, rule.rule.context, variant)
        )
    every = (1 << len(compiled)) - 1
    return _Plan(
        when_bits,
        frozenset(when_bits),
        plain,
        gate_bits,
        frozenset(gate_bits),
        ungated,
        every,
        tuple(tuple(row for row in rows if row[0] & mask) for mask in range(every + 1)),
    )


def _mask(bits: dict[str, int], keys: frozenset[str], words: set[str], start: int) -> int:
    """``start`` with the bits of the sentence ``words`` that ``bits`` has: C loops."""
    return reduce(or_, map(bits.__getitem__, words & keys), start)


_PLANS: dict[str, _Plan] = {outcome: _plan(compiled) for outcome, compiled in _COMPILED.items()}
_GUIDELINE_RE = re.compile(_GUIDELINE)
_APPLIED_RE = re.compile(_APPLIED)

# A sentence ends at . ! or ? followed by a space and a capital, digit, quote or bracket; an
# abbreviation ("e.g.", "Dr.", "pp.", "vs.", "No.") or a decimal does not end it.
_SENTENCE_END = re.compile(r"[.!?](?:[\"'\u201d)\]])?(?= +[\"'\u201c(\[]?[A-Z0-9])")
_ABBREVIATIONS = frozenset(
    {"e.g", "i.e", "dr", "mr", "mrs", "ms", "vs", "etc", "no", "nos", "p", "pp", "pg", "fig"}
    | {"approx", "al", "cf", "jr", "sr", "st", "inc", "ltd", "co", "ref", "vol", "ed", "ch"}
)


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``, stripped, in order."""
    spans = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        word = text[max(start, end - 6) : match.start()].rsplit(" ", 1)[-1].lower().lstrip("(")
        if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
            continue
        spans.append((start, end))
        start = end
    spans.append((start, len(text)))
    out = []
    for begin, end in spans:
        while begin < end and text[begin] == " ":
            begin += 1
        while end > begin and text[end - 1] == " ":
            end -= 1
        if end > begin:
            out.append((begin, end))
    return out


def item_reasons(rationale: Any, outcome: Any, request: Any = None) -> list[dict[str, str]]:
    """The decisive reasons ``rationale`` gives, as the contract's ``reasons`` list; never raises.

    ``request``, the item's request when known, lets a rule's ``variants`` tell a guideline's
    list of the forms it does not recommend from the form requested.

    >>> [r["code"] for r in item_reasons("There is no documentation of improvement.", "upheld")]
    ['functional_improvement_not_documented']
    >>> item_reasons("There is documentation of functional improvement.", "upheld")
    []
    """
    try:
        return _reasons(rationale, outcome, request if isinstance(request, str) else None)
    except Exception:  # bounded and pure, but a reason must never take a letter down
        return []


def _words(lower: str) -> set[str]:
    """An ASCII sentence's ``\\w+`` words' stems, for the literal gates (``_word_set``)."""
    return _word_set(lower.translate(_TO_SPACE).split())


_FIRST_STEM = itemgetter(slice(0, _STEM))


def _word_set(split: list[str]) -> set[str]:
    """Each word's first ``_STEM`` characters (the whole word when shorter): the ``when`` and
    negation stems and, as ``_keys``, the literal gates' words. Built by a C loop (``map``)."""
    return set(map(_FIRST_STEM, split))


# A \w character (ASCII) kept, any other byte a space: ``bytes.translate``, a C table lookup.
_SPACE_BYTES = bytes(code if re.match(r"\w", chr(code), re.ASCII) else 32 for code in range(256))


def _reasons(rationale: Any, outcome: Any, request: str | None) -> list[dict[str, str]]:
    if not isinstance(rationale, str) or not rationale:
        return []
    plan = _PLANS.get(outcome)
    if plan is None:
        return []
    when_bits, when_keys, gate_bits, gate_keys = (
        plan.when_bits,
        plan.when_keys,
        plan.gate_bits,
        plan.gate_keys,
    )
    text = rationale[:MAX_RATIONALE_CHARS]
    found: dict[str, tuple[int, int, str]] = {}
    done = 0  # the rules found
    spans = sentences(text)
    vetoed: set[str] = set()  # matched but vetoed: a look-alike, so no fallback for that code
    # An ASCII rationale is lower-cased once (each sentence a slice of it: lower() keeps ASCII
    # lengths), and its non-word characters made spaces once; any other, sentence by sentence.
    lowered: str | None = text.replace("\u2019", "'")
    spaced = None
    if lowered.isascii():
        lowered = lowered.lower()
        spaced = lowered.encode("ascii").translate(_SPACE_BYTES).decode("ascii")
    else:
        lowered = None
    for index, (begin, end) in enumerate(spans):
        if done == plan.every:
            break
        stop = min(end, begin + MAX_SENTENCE_CHARS)
        if lowered is not None:
            lower = lowered[begin:stop]
            ascii = True
        else:
            lower = text[begin:stop].lower()
            if "\u2019" in lower:
                lower = lower.replace("\u2019", "'")
            ascii = lower.isascii()
        # \w+ words, for the literal gates, on first need; None (no gate) when not ASCII: \w is
        # wider there
        words: set[str] | None = None
        if ascii and "'" not in lower and "_" not in lower:
            # then _WORD's words are the \w+ words: one split gives the stems and the words
            split = (
                spaced[begin:stop] if spaced is not None else lower.translate(_TO_SPACE)
            ).split()
            stems = words = _word_set(split)
        else:
            stems = set(_WORD_STEM.findall(lower))
        # the rules not found yet whose when word and negation the sentence has
        live = _mask(when_bits, when_keys, stems, 0) & ~done
        if stems.isdisjoint(_NEGATION):
            live &= plan.plain
        if not live:
            continue
        if ascii and words is None:
            words = _words(lower)
        mask = None
        if words is not None:
            mask = _mask(gate_bits, gate_keys, words, plan.ungated)
            live &= mask  # no pattern of a rule whose gate is shut can match
        patient: bool | None = None
        scans: dict = {}
        for bit, code, says, says_needs, unless, unless_needs, context, variant in plan.rows[live]:
            where = _first(says, lower, scans, says_needs, mask, words)
            if where is None:
                continue
            if _first(unless, lower, scans, unless_needs, mask, words) is not None:
                vetoed.add(code)
                continue
            if context != ANY:
                if patient is None:
                    patient = bool(_APPLIED_RE.search(lower))
                if not patient and (context == PATIENT or _GUIDELINE_RE.search(lower) is not None):
                    continue
            if variant is not None and request is not None:
                named = variant.search(lower)
                if named is not None and variant.search(request.lower()) is None:
                    continue  # another form of the treatment than the one requested
            found[code] = (index, where, text[begin:end])
            done |= bit
    if not found:
        for compiled in _COMPILED[outcome]:
            if compiled.rule.fallback and compiled.rule.code not in vetoed:
                sentence = _fallback_sentence(text, spans)
                if sentence:
                    found[compiled.rule.code] = (0, 0, sentence)
    ordered = sorted(found.items(), key=lambda pair: pair[1][:2])
    return [{"code": code, "evidence": where[2]} for code, where in ordered]


# The concluding sentence ("Therefore, the request for ... is medically necessary.") states the
# decision, not the reason.
_CONCLUSION = re.compile(
    r"^(?:therefore|thus|hence|as such|accordingly|consequently|in conclusion|in summary|so"
    r"|it is deemed|the request|this request|based on the (?:above|foregoing))\b"
    r"|^(?:\w+ ){0,3}?(?:is|are) (?:deemed |considered |found )?(?:medically necessary"
    r"|certified|overturned)"
)


def _fallback_sentence(text: str, spans: list[tuple[int, int]]) -> str | None:
    """The last sentence before the conclusion: where a reviewer applies the guideline."""
    for begin, end in reversed(spans):
        sentence = text[begin:end]
        if not _CONCLUSION.search(sentence[:200].lower()):
            return sentence
    return None


def _first(
    chains: tuple[_Chain, ...],
    text: str,
    scans: dict,
    needs: tuple[tuple[int, ...], ...] | None = None,
    mask: int | None = None,
    words: set[str] | None = None,
) -> int | None:
    """Where a chain of ``chains`` matches ``text`` (the first that does), or None.

    ``scans`` keeps each part's matches in this sentence, so a part shared by several rules (the
    negations) is scanned once. ``needs``: per chain, its literal gates as bits (``_Plan``),
    tried on ``mask``, the gate clauses the sentence holds, before the chain's regexes.
    ``words``: the sentence's (``_words``), for the places a part can start (``_where``).
    """
    for number, chain in enumerate(chains):
        if mask is not None and needs is not None:
            for need in needs[number]:
                if need & mask == need:
                    break
            else:
                continue
        firsts = chain.firsts if words is not None else ()
        if not chain.gaps:
            if firsts and firsts[0] is not None:
                # only where a word a match can start with is: the leftmost match, as search's
                regex = chain.parts[0]
                for position in _where(firsts[0], text, words, scans):
                    if regex.match(text, position) is not None:
                        return position
                continue
            match = chain.parts[0].search(text)
            if match is not None:
                return match.start()
            continue
        anchor = chain.anchor
        # (start of the leftmost part matched, end of the rightmost part matched)
        if firsts and firsts[anchor] is not None:
            reached = _spans_at(chain.parts[anchor], firsts[anchor], text, words, scans)
        else:
            reached = _spans(chain.parts[anchor], text, scans)
        for index in range(anchor + 1, len(chain.parts)):
            if not reached:
                break
            gap = chain.gaps[index - 1]
            part = _Part(chain, index, firsts, text, words, scans)
            reached = [
                (start, end)
                for start, prev_end in reached[:20]
                for begin, end in part.at(prev_end, prev_end + gap)
                if not _breaks(text, prev_end, begin)
            ]
        for index in range(anchor - 1, -1, -1):
            if not reached:
                break
            gap = chain.gaps[index]
            part = _Part(chain, index, firsts, text, words, scans)
            reached = [
                (begin, last_end)
                for next_start, last_end in reached[:20]
                for begin, end in part.at(next_start - gap - _PART_CHARS, next_start)
                if next_start - gap <= end <= next_start and not _breaks(text, end, next_start)
            ]
        if reached:
            return min(start for start, _ in reached)
    return None


class _Part:
    """One part of a chain in one sentence: its matches at the word starts of a window."""

    __slots__ = ("begins", "pattern", "positions", "scans", "text")

    def __init__(self, chain, index, firsts, text, words, scans):
        self.pattern = chain.parts[index]
        self.begins = chain.begins[index]
        self.text = text
        self.scans = scans
        known = firsts[index] if firsts else None
        # where the part can start (the words it starts with, and word starts: see _where)
        self.positions = _where(known, text, words, scans, word_starts=True) if known else None

    def at(self, low: int, high: int) -> list[tuple[int, int]]:
        if self.positions is None:
            starts = self.scans.get("starts")
            if starts is None:
                starts = self.scans["starts"] = [m.start() for m in _WORD.finditer(self.text)]
            return _at(self.pattern, self.text, starts, low, high, self.begins)
        positions = self.positions
        spans = []
        for position in positions[
            bisect_left(positions, max(low, 0)) : bisect_right(positions, high)
        ]:
            match = self.pattern.match(self.text, position)
            if match is not None:
                spans.append(match.span())
        return spans


# \w in an ASCII text (the sentences _where reads: words is None for the others)
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def _where(
    known: _Firsts,
    text: str,
    words: set[str],
    scans: dict,
    word_starts: bool = False,
) -> list[int]:
    """Every position, in order, where a \\w+ word of ``text`` starts that is one of
    ``known``'s words or begins with one of its beginnings: where a match can start.

    ``words``: the text's stems (``_words``), so only the words it may hold are looked for, by
    ``str.find``. ``word_starts``: only the starts of ``_WORD`` words too (not after "'"), the
    positions ``_at`` tries.
    """
    key = (id(known), word_starts)
    found = scans.get(key)
    if found is not None:
        return found
    positions: list[int] = []
    # each word's and beginning's places, kept for the sentence's other parts ("not", "is"...)
    places = scans.get("places")
    if places is None:
        places = scans["places"] = {}
    by_word_key = known.by_word_key
    for stem in known.word_keys & words:
        for word in by_word_key[stem]:
            found_at = places.get(word)
            if found_at is None:
                found_at = places[word] = _places(text, word, True)
            positions += found_at
    starts = known.short
    if known.start_keys:
        by_start_key = known.by_start_key
        starts = [
            start for stem in known.start_keys & words for start in by_start_key[stem]
        ] + starts
    for start in starts:
        found_at = places.get(start + "*")
        if found_at is None:
            found_at = places[start + "*"] = _places(text, start, False)
        positions += found_at
    if word_starts and "'" in text:
        positions = [index for index in positions if index == 0 or text[index - 1] != "'"]
    positions = sorted(set(positions)) if positions else positions
    scans[key] = positions
    return positions


def _places(text: str, word: str, whole: bool) -> list[int]:
    """Where ``word`` starts a \\w+ word of ``text`` (``whole``: is the whole word)."""
    found = []
    find = text.find
    size = len(text)
    length = len(word)
    index = find(word)
    while index >= 0:
        if index == 0 or text[index - 1] not in _WORD_CHARS:
            end = index + length
            if not whole or end == size or text[end] not in _WORD_CHARS:
                found.append(index)
        index = find(word, index + 1)
    return found


def _spans_at(pattern, known, text: str, words: set[str], scans: dict) -> list[tuple[int, int]]:
    """``_spans`` (finditer's first 50 matches), trying only where ``_where`` says."""
    key = id(pattern)  # not the pattern: a Pattern's hash is computed over its whole code
    spans = scans.get(key)
    if spans is None:
        spans = []
        last = 0
        for position in _where(known, text, words, scans):
            if position < last:
                continue
            match = pattern.match(text, position)
            if match is not None:
                spans.append(match.span())
                last = max(match.end(), position + 1)
                if len(spans) == 50:
                    break
        scans[key] = spans
    return spans


_PART_CHARS = 120  # the longest text one part of a chain is expected to match


def _at(
    pattern: re.Pattern[str],
    text: str,
    starts: list[int],
    low: int,
    high: int,
    begins: frozenset[str] | None = None,
) -> list[tuple[int, int]]:
    """Matches of ``pattern`` that begin at a word start between ``low`` and ``high``.

    ``begins``: the ``_BEGIN`` characters any match begins with; other starts are not tried.
    """
    spans = []
    for position in starts[bisect_left(starts, max(low, 0)) : bisect_right(starts, high)]:
        if begins is not None and text[position : position + _BEGIN] not in begins:
            continue
        match = pattern.match(text, position)
        if match is not None:
            spans.append(match.span())
    return spans


def _spans(pattern: re.Pattern[str], text: str, scans: dict) -> list[tuple[int, int]]:
    key = id(pattern)  # not the pattern: a Pattern's hash is computed over its whole code
    spans = scans.get(key)
    if spans is None:
        spans = scans[key] = [match.span() for match in pattern.finditer(text)][:50]
    return spans
