"""The reason rules' literal gates (determinations/parsing/literals.py) never rule out a match.

A gate is what every match of a pattern must contain, read off the pattern's syntax tree; the
rules skip a pattern whose gate a sentence fails. A gate that failed a sentence the pattern
matches would change the reasons, so every chain of every rule is run ungated over the sentences
of the letters in tests/assets/letters and, where it matches, its gate must be open.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from determinations.parsing import reasons
from determinations.parsing.literals import beginnings, first_words, needs

ASSETS = Path(__file__).parent / "assets" / "letters"


@pytest.fixture(autouse=True)
def _media_root():
    """Shadows tests/conftest.py's Django fixture: the parser needs no settings or database."""


def _open(gates: tuple[tuple[frozenset[str], ...], ...], words: set[str]) -> bool:
    """Whether one of the patterns whose gates are ``gates`` may match a sentence of ``words``:
    the gates read one by one, as the sentence screen's bit masks (``reasons._Plan``) must."""
    for gate in gates:
        for needed in gate:
            if needed.isdisjoint(words):
                break
        else:
            return True
    return False


def _rationales() -> list[str]:
    texts = []
    for path in sorted(ASSETS.rglob("*.expected.json")):
        for item in json.loads(path.read_text(encoding="utf-8")).get("items") or []:
            if item.get("rationale"):
                texts.append(item["rationale"])
    return texts


def test_needs_reads_words_and_word_beginnings():
    assert needs(r"\bexceed(?:s|ed)?\b") == ((frozenset({"exceed", "exceeds", "exceeded"}), ()),)
    # "not" is a whole word; "recommend..." only a word's beginning (its first four characters)
    assert set(needs(r"\bnot (?:\w+ )?recommend")) == {
        (frozenset({"not"}), ()),
        (frozenset({"reco*"}), ()),
    }
    # no word every match holds, only substrings (which the rules do not use: a scan each)
    assert needs(r"\w+ (?:a|b)") == ((frozenset(), (" a", " b")),)
    assert needs("(") == ()  # not a pattern: no gate, never an error


def test_beginnings_of_a_pattern():
    assert beginnings(r"(?:a |any )?(?:clear )?plan") == {"a c", "a p", "any", "cle", "pla"}
    assert beginnings(r"(?:a?){2}bcd") == {"aab", "abc", "bcd"}  # rounds that match nothing
    assert beginnings(r"\b(?:no|not)\b") is None  # "no" is shorter than three characters
    assert beginnings(r"\w+ ") is None


def test_gates_are_open_wherever_a_chain_matches():
    matched = 0
    for text in _rationales():
        for begin, end in reasons.sentences(text):
            lower = text[begin:end][: reasons.MAX_SENTENCE_CHARS].lower().replace("\u2019", "'")
            if not lower.isascii():
                continue  # no gate is used there
            words = reasons._words(lower)
            for outcome in (reasons.UPHELD, reasons.OVERTURNED):
                for compiled in reasons._COMPILED[outcome]:
                    pairs = list(zip(compiled.says, compiled.chain_gates, strict=True)) + list(
                        zip(compiled.unless, compiled.unless_gates, strict=True)
                    )
                    for chain, gates in pairs:
                        if reasons._first((chain,), lower, {}) is not None:
                            matched += 1
                            assert _open(gates, words), (compiled.rule.code, lower)
                    says = any(reasons._first((c,), lower, {}) is not None for c in compiled.says)
                    if says and compiled.words is not None:
                        assert not compiled.words.isdisjoint(words), (compiled.rule.code, lower)
    assert matched > 500


def test_the_sentence_screen_is_the_rules_when_words_and_gates():
    """``_Plan``'s bit masks say, for all rules at once, what each rule's ``when`` stems, rule
    gate and chain gates (``_open``) say one by one."""
    checked = 0
    for text in _rationales():
        for begin, end in reasons.sentences(text):
            lower = text[begin:end][: reasons.MAX_SENTENCE_CHARS].lower().replace("\u2019", "'")
            if not lower.isascii():
                continue
            words = reasons._words(lower)
            for outcome in (reasons.UPHELD, reasons.OVERTURNED):
                plan = reasons._PLANS[outcome]
                when = reasons._mask(plan.when_bits, plan.when_keys, words, 0)
                gate = reasons._mask(plan.gate_bits, plan.gate_keys, words, plan.ungated)
                for number, compiled in enumerate(reasons._COMPILED[outcome]):
                    bit = 1 << number
                    assert bool(when & bit) == (not words.isdisjoint(compiled.when))
                    rule_open = compiled.words is None or not compiled.words.isdisjoint(words)
                    assert bool(gate & bit) == rule_open
                    row = plan.rows[bit][0]
                    assert row[1] == compiled.rule.code
                    for chain_needs, gates in (
                        (row[3], compiled.chain_gates),
                        (row[5], compiled.unless_gates),
                    ):
                        for need, chain_gates in zip(chain_needs, gates, strict=True):
                            opened = any(mask & gate == mask for mask in need)
                            assert opened == _open(chain_gates, words)
                            checked += 1
    assert checked > 10_000


def test_beginnings_hold_wherever_a_chain_part_matches():
    parts = {
        part: begins
        for outcome in (reasons.UPHELD, reasons.OVERTURNED)
        for compiled in reasons._COMPILED[outcome]
        for chain in compiled.says + compiled.unless
        if chain.gaps  # a windowed chain (the plain one is one regex, scanned)
        for part, begins in zip(chain.parts, chain.begins, strict=True)
        if begins is not None
    }
    assert len(parts) > 20
    for text in _rationales()[:40]:
        for begin, end in reasons.sentences(text):
            lower = text[begin:end].lower()
            for match in reasons._WORD.finditer(lower):
                for part, begins in parts.items():
                    if part.match(lower, match.start()):
                        assert lower[match.start() : match.start() + 3] in begins, part.pattern


def test_first_words_of_a_pattern():
    assert first_words(r"\b(?:no|not|lack of)\b") == (frozenset({"no", "not", "lack"}), frozenset())
    # a word that may go on ("exceed", "exceeds"...): its beginning; "n't" starts the word "n"
    assert first_words(r"\bexceed\w*|\bn't") == (frozenset({"n"}), frozenset({"exceed"}))
    assert first_words(r"(?:a|b)") is None  # no leading \b: a match may start inside a word
    assert first_words(r"\b\d+ sessions") is None  # not a literal word


def test_a_part_is_tried_wherever_it_matches():
    """Every word start where a chain's part matches is among the places _where tries."""
    parts = {
        (part, known)
        for outcome in (reasons.UPHELD, reasons.OVERTURNED)
        for compiled in reasons._COMPILED[outcome]
        for chain in compiled.says + compiled.unless
        for part, known in zip(chain.parts, chain.firsts, strict=True)
        if known is not None
    }
    assert len(parts) > 40
    tried = 0
    for text in _rationales()[:60]:
        for begin, end in reasons.sentences(text):
            lower = text[begin:end][: reasons.MAX_SENTENCE_CHARS].lower().replace("\u2019", "'")
            if not lower.isascii():
                continue  # _where is used on ASCII sentences only
            words = reasons._words(lower)
            starts = [match.start() for match in re.finditer(r"\b\w", lower)]
            word_starts = {match.start() for match in reasons._WORD.finditer(lower)}
            for part, known in parts:
                where = set(reasons._where(known, lower, words, {}))
                at = set(reasons._where(known, lower, words, {}, word_starts=True))
                for start in starts:
                    if part.match(lower, start):
                        tried += 1
                        assert start in where, (part.pattern[:60], lower)
                        assert (start in at) == (start in word_starts), (part.pattern[:60], lower)
    assert tried > 1000
