"""The bigram search core: lexemes, the tsvector and tsquery literals, snippets."""

from __future__ import annotations

import pytest

from medwire_api.core.search import (
    MAX_POSITION,
    EmptyQuery,
    snippet,
    tokens,
    tsquery_literal,
    tsvector_literal,
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


def test_snippet_marks_matches_escapes_html_and_cuts_around_the_first() -> None:
    text = "前言" * 50 + "<b>与恒瑞医药签约</b>" + "后记" * 50
    cut = snippet(text, "恒瑞医药 签约", width=40)
    assert cut.startswith("…") and cut.endswith("…")
    assert "&lt;b&gt;与<mark>恒瑞医药</mark><mark>签约</mark>&lt;/b&gt;" in cut
    assert snippet("没有匹配", "恒瑞") == "没有匹配"
