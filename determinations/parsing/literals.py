"""What text every match of a regex must contain: a cheap test that rules a regex out.

``needs(pattern)`` reads the pattern's syntax tree and returns clauses, all of which hold in any
text the pattern matches: a clause is a set of whole words (``\\w+`` runs) and of substrings, one
of which the text holds. So a text that fails a clause cannot match, and the regex need not run:
a set lookup instead of a scan. The clauses are necessary, never sufficient, and derived from the
pattern itself (not written by hand), so the regex alone still decides. Anything the walk does
not understand adds no clause (a weaker test, never a wrong one).
"""

from __future__ import annotations

import re
from functools import cache

# re's own parser and its constants (private modules, read only; 3.11+)
from re import _constants as _c
from re import _parser as _p

_CAP = 256  # the most strings a literal run may stand for before it is cut
_BOUND = "\x01"  # a word boundary inside a literal run (\b)
_NONWORD = re.compile(r"[^\w]+")  # \x01 included
_WORDCHAR = re.compile(r"\w")
PREFIX = 4  # a word beginning is looked up as its first four characters and "*"


class Clause(tuple):
    """(words, substrings): the text has one of the words as a whole word or a substring."""

    __slots__ = ()


@cache
def _tree(pattern: str) -> list:
    return list(_p.parse(pattern))


@cache  # the rules share their pieces (the negations): each is read once, at import
def needs(pattern: str) -> tuple[Clause, ...]:
    """The clauses every match of ``pattern`` satisfies (empty: nothing known)."""
    try:
        exact, clauses = _seq(_tree(pattern))
    except Exception:  # an unexpected tree: no test, the regex decides
        return ()
    if exact is not None:
        clauses.append(_clause(exact))
    out: list[Clause] = []
    for clause in clauses:
        if clause is not None and clause not in out:
            out.append(clause)
    out.sort(key=_weakness)
    return tuple(out[:3])


def _weakness(clause: Clause) -> tuple[int, int]:
    """Clauses least likely to hold first (short words and many alternatives hold more)."""
    names, subs = clause
    shortest = min([len(name) for name in names] + [len(sub) for sub in subs])
    return (-shortest, len(names) + 3 * len(subs))


def _clause(strings) -> Clause | None:
    """The clause "one of ``strings`` is in the text", as words, word beginnings, substrings."""
    names: set[str] = set()
    subs: set[str] = set()
    for string in strings:
        atom = _atom(string)
        if atom is None:
            return None
        (names if atom[0] else subs).add(atom[1])
    # a substring that holds whenever a shorter one does adds nothing
    kept = {sub for sub in subs if not any(other != sub and other in sub for other in subs)}
    return Clause((frozenset(names), tuple(sorted(kept))))


def _atom(string: str) -> tuple[bool, str] | None:
    """(True, word) when the string holds a whole word; (False, substring); None: nothing."""
    runs = _NONWORD.split(string)
    bounded = [
        run
        for index, run in enumerate(runs)
        if run and (index > 0 or not runs[0]) and (index < len(runs) - 1)
    ]
    # runs[i] for 0 < i < len-1 are bounded on both sides; runs[0] only when string starts
    # with a non-word character (then runs[0] == "" and is skipped), same at the end.
    if bounded:
        return True, max(bounded, key=len)
    if len(runs) > 1 and not runs[0] and len(runs[1]) >= PREFIX:
        return True, runs[1][:PREFIX] + "*"  # a word that begins so
    raw = string.replace(_BOUND, "")
    if not raw.strip():
        return None
    return False, raw


def _seq(items: list, after_break: bool = False) -> tuple[set[str] | None, list]:
    """(the strings the sequence matches, when few and known; the clauses it needs).

    ``after_break``: what precedes the sequence is a word boundary or a non-word character.
    """
    clauses: list = []
    start = _BOUND if after_break else ""
    run: set[str] = {start}
    whole = True
    for index, (op, av) in enumerate(items):
        exact, inner = _node(op, av, after_break)
        if exact is None and op is _c.BRANCH:
            # the alternatives between word boundaries: each is then a whole word or phrase
            left = _BOUND if index and _breaks(items[index - 1]) else ""
            right = _BOUND if index + 1 < len(items) and _breaks(items[index + 1]) else ""
            if left or right:
                inner = _branch_clause(av, left, right) or inner
        clauses += inner
        if exact is None:
            clauses.append(_clause(run))
            after_break = _ends_break(op, av, after_break)
            run, whole = {_BOUND if after_break else ""}, False
            continue
        after_break = all(_string_ends_break(string, after_break) for string in exact)
        product = {a + b for a in run for b in exact}
        if len(product) > _CAP:
            clauses.append(_clause(run))
            run, whole = set(exact), False
        else:
            run = product
    if whole:
        return run, clauses
    clauses.append(_clause(run))
    return None, clauses


def _string_ends_break(string: str, after_break: bool) -> bool:
    return (not string and after_break) or (string != "" and not _WORDCHAR.match(string[-1]))


def _ends_break(op, av, after_break: bool) -> bool:
    """After a repeat whose every round ends with a non-word character ("(?:\\w+ ){0,3}")."""
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
        low, _high, sub = av
        sub = list(sub)
        if sub and _breaks(sub[-1]) and (low > 0 or after_break):
            return True
    return False


def _breaks(item) -> bool:
    """Whether ``item`` is a word boundary or a non-word character (a word ends beside it)."""
    op, av = item
    if op is _c.AT:
        return av is _c.AT_BOUNDARY
    return op is _c.LITERAL and not _WORDCHAR.match(chr(av))


def _branch_clause(av, left: str, right: str) -> list:
    """One clause for an alternation whose alternatives are all literal strings."""
    strings: set[str] = set()
    for branch in av[1]:
        exact, _inner = _seq(list(branch))
        if exact is None:
            return []
        strings |= {left + string + right for string in exact}
    clause = _clause(strings)
    return [clause] if clause is not None else []


def _node(op, av, after_break: bool = False) -> tuple[set[str] | None, list]:
    if op is _c.LITERAL:
        return {chr(av)}, []
    if op is _c.IN:
        chars: set[str] = set()
        for kind, value in av:
            if kind is _c.LITERAL:
                chars.add(chr(value))
            elif kind is _c.RANGE and value[1] - value[0] < _CAP:
                chars.update(chr(code) for code in range(value[0], value[1] + 1))
            else:  # NEGATE, CATEGORY (\w, \d...), a wide range
                return None, []
        return (chars if len(chars) <= _CAP else None), []
    if op is _c.AT:
        return ({_BOUND} if av is _c.AT_BOUNDARY else {""}), []
    if op in (_c.ASSERT, _c.ASSERT_NOT):
        return {""}, []  # zero width: the match's own text is what follows
    if op is _c.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        if add_flags:
            return None, []  # (?i) and the like: not understood
        return _seq(list(sub), after_break)
    if op is _c.ATOMIC_GROUP:
        return _seq(list(av), after_break)
    if op is _c.BRANCH:
        results = [_seq(list(branch), after_break) for branch in av[1]]
        if all(exact is not None for exact, _ in results):
            union = set().union(*(exact for exact, _ in results))
            if len(union) <= _CAP:
                return union, []
        # one clause: the best of each branch, joined
        names: set[str] = set()
        subs: set[str] = set()
        for exact, inner in results:
            options = [clause for clause in inner if clause is not None]
            if exact is not None:
                options.append(_clause(exact))
            options = [clause for clause in options if clause is not None]
            if not options:
                return None, []
            best = min(options, key=_weakness)
            names |= best[0]
            subs |= set(best[1])
        return None, [Clause((frozenset(names), tuple(sorted(subs))))]
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
        low, high, sub = av
        exact, inner = _seq(list(sub))
        if exact is not None and high <= 2:
            options = {""} if low == 0 else set()
            options |= exact if low <= 1 else set()
            if high == 2:
                options |= {a + b for a in exact for b in exact}
            if len(options) <= _CAP:
                return options, []
        if low == 0:
            return None, []
        return None, inner + ([_clause(exact)] if exact is not None else [])
    return None, []  # ANY, NOT_LITERAL, CATEGORY, GROUPREF...


@cache
def beginnings(pattern: str, size: int = 3) -> frozenset[str] | None:
    """Every ``size`` characters a match of ``pattern`` can begin with (None: not known).

    None too when a match may be shorter than ``size``: then no beginning is ruled out.
    """
    try:
        complete, ends = _begin(_tree(pattern), size)
    except Exception:  # an unexpected tree: no test, the regex decides
        return None
    if complete is None or ends:
        return None
    return frozenset(complete)


def _begin(items: list, size: int, word: bool = False) -> tuple[set[str] | None, set[str]]:
    """(beginnings of ``size`` characters, whole matches shorter than that) of a sequence.

    ``word``: a beginning is complete as soon as it holds a character that ends a word (or a
    word boundary, kept as ``_BOUND``): enough to know the match's first word (``first_words``).
    """
    complete: set[str] = set()
    partial = {""}
    for op, av in items:
        if word and op is _c.AT and av is _c.AT_BOUNDARY:
            # after some text, a boundary ends the word (at the start it tells nothing)
            bounded = {head + _BOUND for head in partial if head}
            complete |= bounded
            partial = {head for head in partial if not head}
            if not partial:
                return complete, set()
            continue
        if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
            continue  # zero width
        following: set[str] = set()
        for head in partial:
            sub, ends = _begin_node(op, av, size - len(head), word)
            if sub is None:
                return None, set()
            complete |= {head + string for string in sub}
            following |= {head + string for string in ends}
        if word:
            ended = {string for string in following if _ENDS_WORD.search(string)}
            complete |= ended
            following -= ended
        partial = following
        if len(complete) + len(partial) > _CAP:
            return None, set()
        if not partial:
            return complete, set()
    return complete, partial


def _begin_node(op, av, size: int, word: bool = False) -> tuple[set[str] | None, set[str]]:
    if op is _c.LITERAL:
        return ({chr(av)}, set()) if size == 1 else (set(), {chr(av)})
    if op is _c.IN:
        chars, _inner = _node(op, av)
        if chars is None:
            return None, set()
        return (chars, set()) if size == 1 else (set(), chars)
    if op is _c.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        return (None, set()) if add_flags else _begin(list(sub), size, word)
    if op is _c.ATOMIC_GROUP:
        return _begin(list(av), size, word)
    if op is _c.BRANCH:
        complete: set[str] = set()
        ends: set[str] = set()
        for branch in av[1]:
            sub, sub_ends = _begin(list(branch), size, word)
            if sub is None:
                return None, set()
            complete |= sub
            ends |= sub_ends
        return complete, ends
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
        low, high, sub = av
        complete = set()
        ends = {""} if low == 0 else set()
        partial = {""}
        seen = {""}  # every head after any number of rounds
        empty_round = False  # a round may match nothing: then fewer than ``low`` rounds do
        for rounds in range(1, min(high, size) + 1):
            following: set[str] = set()
            for head in partial:
                inner, inner_ends = _begin(list(sub), size - len(head), word)
                if inner is None:
                    return None, set()
                complete |= {head + string for string in inner}
                following |= {head + string for string in inner_ends if string}
                empty_round = empty_round or "" in inner_ends
            if word:
                ended = {string for string in following if _ENDS_WORD.search(string)}
                complete |= ended
                following -= ended
            partial = following
            seen |= partial
            if rounds >= low:
                ends |= partial
            if len(complete) + len(seen) > _CAP:
                return None, set()
            if not partial:
                break
        if empty_round:
            ends |= seen
        return complete, ends
    return None, set()


_ENDS_WORD = re.compile(r"[^\w]")  # a non-word character or _BOUND: the first word has ended


@cache
def first_words(pattern: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """(words, beginnings): every match of ``pattern`` starts where a ``\\w+`` word starts that
    is one of ``words`` or begins with one of ``beginnings`` (None: not known).

    So a match need only be tried where such a word is (``str.find``), not at every character
    as a scan does. Only for a pattern that begins with ``\\b`` and a word character.
    """
    if not pattern.startswith(r"\b"):
        return None
    for size in (24, 16, 10, 6, 4):
        try:
            complete, ends = _begin(_tree(pattern), size, word=True)
        except Exception:  # an unexpected tree: not known
            return None
        if complete is not None:
            break
    else:
        return None
    words: set[str] = set()
    beginnings_: set[str] = set()
    for string in complete | ends:
        if not string or not _WORDCHAR.match(string[0]):
            return None
        end = _ENDS_WORD.search(string)
        if end is not None:
            words.add(string[: end.start()])
        else:
            beginnings_.add(string)
    # a beginning that another beginning begins adds nothing
    kept = {b for b in beginnings_ if not any(o != b and b.startswith(o) for o in beginnings_)}
    words = {w for w in words if not any(w.startswith(b) for b in kept)}
    return frozenset(words), frozenset(kept)
