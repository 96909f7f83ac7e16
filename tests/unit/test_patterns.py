"""The static backtracking check of admin patterns (medwire_common.patterns)."""

from __future__ import annotations

import pytest

from medwire_common.patterns import UnsafePattern, check_backtracking


@pytest.mark.parametrize(
    "pattern, why",
    [
        (r"(a+)+$", "quantifier inside a quantified group"),
        (r"(?:\w*/)*\.html", "quantifier inside a quantified group"),
        (r"(.*a){3,}", "quantifier inside a quantified group"),
        (r"(?:(?:ab)+c?)*", "quantifier inside a quantified group"),
        (r"(a|ab)*c", "alternation"),
        (r"(1\d|1)+x", "alternation"),
        (r"(x|)+y", "alternation"),
        (r"(?:[a-f]x|[e-z])+\b", "alternation"),
        (r"(a*)b\1", "backreference"),
        (r"(unclosed", "not a valid regular expression"),
    ],
)
def test_patterns_that_can_backtrack_catastrophically_are_refused(pattern: str, why: str) -> None:
    with pytest.raises(UnsafePattern, match=why):
        check_backtracking(pattern)


@pytest.mark.parametrize(
    "pattern",
    [
        r"/news/\d+\.html$",
        r"^https?://[^/]+/(?:content|article)/\d{8}/\d+\.s?html?$",
        r"(?:/news|/article)+",  # `re` factors the common prefix out of the branches
        r"(?:[a-c]|[d-f])+",
        r"(\d|1)+x",  # one character either way: `re` makes it the class [\d1]
        r"(\d++\.)+",  # possessive: gives nothing back
        r"(?>\d+\.)+",  # atomic group
        r"(a{2})+",  # a fixed count is not a choice
        r"\d+\d+",  # polynomial at worst, and not what this check is for
    ],
)
def test_patterns_that_cannot_are_kept(pattern: str) -> None:
    check_backtracking(pattern)
