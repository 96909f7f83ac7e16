"""A static check that a regular expression cannot backtrack catastrophically: the patterns of
managed sources come from admins and run in the crawler on every link it finds, where `re`
cannot be interrupted, so a pattern like `(a+)+$` would hang a crawler on one long URL.

Refused, conservatively (a safe pattern can always be written another way):
- a quantifier inside a quantified group (`(a+)+`, `(\\w*/)*`): exponential;
- an alternation inside a quantified group whose branches can start alike (`(a|ab)+`,
  `(\\d|1)*`) or be empty: exponential too;
- a backreference (`(a*)\\1`): matching one is NP-hard.
Possessive quantifiers (`a++`) and atomic groups (`(?>…)`) do not backtrack and are allowed:
they are how such a pattern is made safe."""

from __future__ import annotations

import re
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as parser  # type: ignore[attr-defined]
from typing import Any

_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT)
Intervals = list[tuple[int, int]] | None  # code points a match can start with; None: any


class UnsafePattern(ValueError):
    pass


def check_backtracking(pattern: str) -> None:
    """Raise `UnsafePattern` saying why if `pattern` (a valid regex) can backtrack
    catastrophically."""
    try:
        parsed = parser.parse(pattern)
    except re.error as exc:
        raise UnsafePattern(f"{pattern!r} is not a valid regular expression: {exc}") from exc
    _walk(pattern, list(parsed), repeated=False)


def _walk(pattern: str, items: list[tuple[Any, Any]], repeated: bool) -> None:
    """Check `items`; `repeated`: they are inside a quantified group that backtracks."""
    for op, av in items:
        if op in (sre.GROUPREF, sre.GROUPREF_EXISTS):
            raise UnsafePattern(
                f"{pattern!r} uses a backreference (matching one can take exponential time)"
            )
        if op in _REPEATS:
            low, high, body = av
            varies = high > 1 and high != low
            if varies and repeated:
                raise UnsafePattern(
                    f"{pattern!r} has a quantifier inside a quantified group, which can take "
                    "exponential time on a long URL: rewrite it, or make the inner quantifier "
                    "possessive (`++`, `*+`) or the group atomic (`(?>…)`)"
                )
            _walk(pattern, list(body), repeated or high > 1)
        elif op is sre.POSSESSIVE_REPEAT or op is sre.ATOMIC_GROUP:
            continue  # gives nothing back once matched: no backtracking into it
        elif op is sre.BRANCH:
            branches = [list(b) for b in av[1]]
            if repeated and _overlapping(branches):
                raise UnsafePattern(
                    f"{pattern!r} repeats an alternation whose branches can match alike, "
                    "which can take exponential time: make each branch start differently"
                )
            for branch in branches:
                _walk(pattern, branch, repeated)
        elif op is sre.SUBPATTERN:
            _walk(pattern, list(av[3]), repeated)
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            _walk(pattern, list(av[1]), repeated)


def _overlapping(branches: list[list[tuple[Any, Any]]]) -> bool:
    starts = [_first(b) for b in branches]
    for i, a in enumerate(starts):
        for b in starts[i + 1 :]:
            if a is None or b is None or any(lo <= y and x <= hi for lo, hi in a for x, y in b):
                return True
    return False


def _first(items: list[tuple[Any, Any]]) -> Intervals:
    """The code points a match of `items` can start with, when it is simply known."""
    if not items:
        return None  # an empty branch matches alike with any other
    op, av = items[0]
    if op is sre.LITERAL:
        return [(av, av)]
    if op is sre.IN:
        intervals: list[tuple[int, int]] = []
        for kind, value in av:
            if kind is sre.LITERAL:
                intervals.append((value, value))
            elif kind is sre.RANGE:
                intervals.append(value)
            else:
                return None  # negated sets and categories (`\w`) match too much to tell
        return intervals
    if op is sre.SUBPATTERN:
        return _first(list(av[3]))
    if op in _REPEATS and av[0] >= 1:
        return _first(list(av[2]))
    return None
