"""The bigram search core: lexemes, the tsvector and tsquery literals, snippets, and the
choice of how to run a search (match fractions, windows of newest articles)."""

from __future__ import annotations

import itertools

import pytest

from medwire_api.core.search import (
    FIRST_WINDOW,
    MAX_POSITION,
    WINDOW_MARGIN,
    EmptyQuery,
    has_phrase,
    match_fraction,
    rarest_lexemes_literal,
    snippet,
    tokens,
    tsquery_literal,
    tsvector_literal,
    window_rank,
    window_ranks,
)


def test_han_runs_become_bigrams_and_other_words_stay_whole() -> None:
    assert list(tokens("恒瑞医药，PD-1单抗；药")) == [
        "恒瑞",
        "瑞医",
        "医药",
        "pd",
        "1",
        "单抗",
        "药",
    ]
    assert list(tokens("ＡＩ平台")) == ["ai", "平台"]  # full-width letters are ASCII
    assert list(tokens("①号线，ｐｄ－１")) == ["1", "号线", "pd", "1"]


def test_tsvector_weights_the_title_and_keeps_positions_apart() -> None:
    literal = tsvector_literal("医药", "医药公司")
    assert literal == "'医药':1A '医药':3 '药公':4 '公司':5"  # position 2 separates title and body


def test_tsvector_stops_at_the_last_position_postgresql_keeps() -> None:
    literal = tsvector_literal("", "甲乙" * MAX_POSITION)
    positions = [int(part.split(":")[1]) for part in literal.split()]
    assert max(positions) == MAX_POSITION  # and nothing beyond


def test_tsquery_makes_each_term_a_phrase_and_needs_every_term() -> None:
    assert tsquery_literal("恒瑞医药 签约") == "('恒瑞' <-> '瑞医' <-> '医药') & ('签约')"
    assert tsquery_literal("药") == "('药':*)"
    assert tsquery_literal("o'brien") == "('o' <-> 'brien')"  # quotes never reach the literal
    with pytest.raises(EmptyQuery):
        tsquery_literal("，。 ！")


FRACTIONS = {"医疗": 0.6, "疗器": 0.6, "器械": 0.59, "恒瑞": 0.02, "药品": 0.3, "药企": 0.1}


def test_the_index_is_asked_for_the_rarest_lexeme_of_each_term() -> None:
    assert rarest_lexemes_literal("医疗器械 恒瑞", FRACTIONS) == "'器械' & '恒瑞'"
    # a lexeme the statistics do not have is rarer than any
    assert rarest_lexemes_literal("医疗器械厂", FRACTIONS) == "'械厂'"
    assert rarest_lexemes_literal("药 pd-1", FRACTIONS) == "'药':* & 'pd'"
    with pytest.raises(EmptyQuery):
        rarest_lexemes_literal("，。", FRACTIONS)
    assert has_phrase("恒瑞 签约医药")
    assert not has_phrase("恒瑞 药 2026")


def test_a_term_is_as_common_as_its_rarest_lexeme_and_terms_multiply() -> None:
    assert match_fraction("医疗器械", FRACTIONS, rare=0.001) == 0.59
    assert match_fraction("恒瑞", FRACTIONS, rare=0.001) == 0.02
    assert match_fraction("医疗器械 恒瑞", FRACTIONS, rare=0.001) == pytest.approx(0.59 * 0.02)
    # a lexeme the statistics do not have is rare, and makes its term rare
    assert match_fraction("恒瑞医疗", FRACTIONS, rare=0.001) == 0.001
    assert match_fraction("片仔癀", FRACTIONS, rare=0.0) == 0.0


def test_a_single_character_is_as_common_as_the_lexemes_it_starts() -> None:
    assert match_fraction("药", FRACTIONS, rare=0.001) == pytest.approx(0.4)
    assert match_fraction("疗", FRACTIONS, rare=0.001) == pytest.approx(0.6)
    assert match_fraction("医", {"医疗": 0.7, "医药": 0.8}, rare=0.001) == 1.0
    assert match_fraction("癀", FRACTIONS, rare=0.001) == 0.001


def test_windows_grow_by_root_two_and_leave_out_a_third_of_the_articles() -> None:
    ranks = window_ranks(100_000, 10_000)
    assert ranks[:3] == [FIRST_WINDOW, 1448, 2 * FIRST_WINDOW]
    assert all(b / a == pytest.approx(2**0.5, rel=0.01) for a, b in itertools.pairwise(ranks))
    assert ranks[-1] <= 100_000 * 2 // 3 < ranks[-1] * 2**0.5
    assert window_ranks(1000, 1000) == []


def test_no_window_is_kept_that_could_not_pay() -> None:
    # 1,000 of a million: a window of W is used only if the 2,000,000,000 / W articles expected
    # to match cost more to read than W / 10, so W < 141,421 (and the window just above it)
    ranks = window_ranks(1_000_000, 1000)
    assert 141_421 <= ranks[-1] < 141_421 * 2**0.5
    needed = 141_421 * 1.01
    assert window_rank(WINDOW_MARGIN * 1000 * 1_000_000 / needed, 1_000_000, 1000, ranks) is None


def test_a_window_is_the_smallest_expected_to_hold_the_matches_wanted_with_margin() -> None:
    ranks = window_ranks(1_000_000, 1000)
    # 10% of the articles match: 1,000 matches need 10,000 articles, 20,000 with the margin
    rank = window_rank(100_000, 1_000_000, 1000, ranks)
    assert rank is not None
    assert WINDOW_MARGIN * 10_000 <= rank < WINDOW_MARGIN * 10_000 * 2**0.5
    # nine in ten match: 2,222 articles needed with the margin, and the next window is 2,896
    assert window_rank(900_000, 1_000_000, 1000, ranks) == 2896
    assert window_rank(900_000, 1_000_000, 10, ranks) == FIRST_WINDOW
    # rare terms, or nothing known: search every article
    assert window_rank(2_000, 1_000_000, 1000, ranks) is None
    # 1% match: a window of 200,000 would cost more than reading the 10,000 matches
    assert window_rank(10_000, 1_000_000, 1000, ranks) is None
    assert window_rank(0, 1_000_000, 1000, ranks) is None
    assert window_rank(100_000, 0, 1000, []) is None


def test_snippet_marks_matches_escapes_html_and_cuts_around_the_first() -> None:
    text = "前言" * 50 + "<b>与恒瑞医药签约</b>" + "后记" * 50
    cut = snippet(text, "恒瑞医药 签约", width=40)
    assert cut.startswith("…") and cut.endswith("…")
    assert "&lt;b&gt;与<mark>恒瑞医药</mark><mark>签约</mark>&lt;/b&gt;" in cut
    assert snippet("没有匹配", "恒瑞") == "没有匹配"
