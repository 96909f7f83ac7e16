"""The search core: the words of a query as the index has them, the OpenSearch request a search
makes (terms, filters, score, sort, highlighting), its cursors, and snippets from its hits."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from medwire_api.core.cursor import BadCursor, encode_cursor
from medwire_api.core.search import (
    TITLE_BOOST,
    EmptyQuery,
    SearchFilters,
    checked_query,
    cursor_of,
    filter_clauses,
    ids_body,
    search_after_of,
    search_body,
    snippet_of,
    sort_of,
    term_clause,
    tokens,
)

TODAY = date(2026, 12, 3)


def test_han_runs_become_bigrams_and_other_words_stay_whole() -> None:
    assert tokens("恒瑞医药，PD-1单抗；药") == ["恒瑞", "瑞医", "医药", "pd", "1", "单抗", "药"]
    assert tokens("ＡＩ平台") == ["ai", "平台"]  # full-width letters are ASCII
    assert tokens("①号线，ｐｄ－１") == ["1", "号线", "pd", "1"]


def test_a_query_without_anything_to_find_is_refused() -> None:
    assert checked_query(" 恒瑞医药  ＡＩ ，。 ") == ["恒瑞医药", "ai"]
    with pytest.raises(EmptyQuery, match="no letters"):
        checked_query("，。 ！")


def test_a_term_matches_as_a_phrase_in_title_subtitle_or_text_the_title_weighing_most() -> None:
    clause = term_clause("恒瑞医药")["multi_match"]
    assert clause["query"] == "恒瑞医药" and clause["type"] == "phrase"
    assert clause["fields"] == [f"title^{TITLE_BOOST:g}", "subtitle^2", "text^1"]


def test_a_single_han_character_finds_the_bigrams_it_starts() -> None:
    prefixes = term_clause("药")["bool"]["should"]
    assert {field for p in prefixes for field in p["prefix"]} == {"title", "subtitle", "text"}
    assert all(next(iter(p["prefix"].values()))["value"] == "药" for p in prefixes)
    # a Latin letter is a word of its own, not a prefix
    assert "multi_match" in term_clause("a")


def _query(body: dict[str, Any]) -> dict[str, Any]:
    query: dict[str, Any] = body["query"]["function_score"]["query"]["bool"]
    return query


def test_every_term_must_match_and_filters_do_not_score() -> None:
    body = search_body("恒瑞医药 签约", SearchFilters(topic="创新药"), "relevance", TODAY, 21)
    query = _query(body)
    assert [c["multi_match"]["query"] for c in query["must"]] == ["恒瑞医药", "签约"]
    assert query["filter"] == [{"term": {"topics": "创新药"}}]
    with pytest.raises(EmptyQuery):
        search_body("，。", SearchFilters(), "relevance", TODAY, 21)


def test_each_filter_becomes_an_exact_clause_on_the_indexed_field() -> None:
    every = SearchFilters(
        source="新华网",
        published_from=date(2025, 1, 1),
        published_to=date(2025, 6, 30),
        organizations=("省药监局", "山西省药品监督管理局"),
        person="李庭芳",
        division="1401",
        topic="医疗器械",
        event_type="signing",
        min_relevance=0.5,
    )
    assert filter_clauses(every) == [
        {
            "bool": {
                "should": [{"term": {"source": "新华网"}}, {"term": {"source_domain": "新华网"}}],
                "minimum_should_match": 1,
            }
        },
        {"range": {"published_at": {"gte": "2025-01-01", "lte": "2025-06-30"}}},
        {"terms": {"organizations": ["省药监局", "山西省药品监督管理局"]}},
        {"term": {"persons": "李庭芳"}},
        {"prefix": {"adcodes": "1401"}},
        {"term": {"topics": "医疗器械"}},
        {"term": {"event_types": "signing"}},
        {"range": {"relevance": {"gte": 0.5}}},
    ]
    assert filter_clauses(SearchFilters()) == []
    assert filter_clauses(SearchFilters(published_to=date(2025, 1, 1))) == [
        {"range": {"published_at": {"lte": "2025-01-01"}}}
    ]
    # an organisation PostgreSQL does not know still filters (on the name as given): nothing
    assert filter_clauses(SearchFilters(organizations=("没有这家",))) == [
        {"terms": {"organizations": ["没有这家"]}}
    ]
    assert filter_clauses(SearchFilters(min_relevance=0.0)) == [
        {"range": {"relevance": {"gte": 0.0}}}
    ]


def test_the_score_decays_with_age_from_the_day_given_and_weighs_undated_articles_down() -> None:
    score = search_body("恒瑞", SearchFilters(), "relevance", TODAY, 21)["query"]["function_score"]
    decay, undated = score["functions"]
    assert decay["exp"]["published_at"]["origin"] == "2026-12-03"
    assert decay["exp"]["published_at"]["decay"] == 0.5
    assert undated["filter"] == {"bool": {"must_not": {"exists": {"field": "published_at"}}}}
    assert 0 < undated["weight"] < 0.5
    assert score["score_mode"] == score["boost_mode"] == "multiply"


def test_pages_sort_by_score_or_date_then_article_id_undated_last_when_newest() -> None:
    assert sort_of("relevance") == [{"_score": "desc"}, {"article_id": "desc"}]
    assert sort_of("newest") == [
        {"published_at": {"order": "desc", "missing": "_last"}},
        {"article_id": "desc"},
    ]
    assert sort_of("oldest")[0] == {"published_at": {"order": "asc", "missing": "_first"}}


def test_a_page_asks_for_its_size_scores_and_a_highlighted_passage_after_the_cursor() -> None:
    body = search_body("恒瑞", SearchFilters(), "newest", TODAY, 11, after=[1754006400000, "a1"])
    assert body["size"] == 11 and body["track_scores"] is True and body["_source"] is False
    assert body["search_after"] == [1754006400000, "a1"]
    marks = body["highlight"]
    assert marks["encoder"] == "html"  # the text around the marks is escaped
    assert (marks["pre_tags"], marks["post_tags"]) == (["<mark>"], ["</mark>"])
    assert marks["fields"]["text"]["number_of_fragments"] == 1
    assert "search_after" not in search_body("恒瑞", SearchFilters(), "newest", TODAY, 11)


def test_the_ids_of_every_match_are_read_in_article_order_without_scores() -> None:
    body = ids_body("恒瑞", SearchFilters(topic="中药"), 10_000, after=["a9"])
    assert body["query"]["bool"]["filter"] == [{"term": {"topics": "中药"}}]
    assert body["sort"] == [{"article_id": "asc"}] and body["search_after"] == ["a9"]
    assert "highlight" not in body and "function_score" not in body["query"]


@pytest.mark.parametrize(
    "order, sort_values",
    [
        ("relevance", [3.2516942, "a1"]),
        ("relevance", [0.0, "b"]),
        ("newest", [1754006400000, "a1"]),
        ("newest", [-(2**63), "undated"]),  # an undated article's key, as OpenSearch gives it
        ("oldest", [2**63 - 1, "z"]),
    ],
)
def test_a_cursor_gives_back_the_sort_values_it_was_made_from(
    order: Any, sort_values: list[Any]
) -> None:
    assert search_after_of(order, cursor_of(order, sort_values)) == sort_values


@pytest.mark.parametrize(
    "order, cursor",
    [
        ("newest", cursor_of("relevance", [1.5, "a"])),  # another order's
        ("newest", encode_cursor("newest", "2025-08-01", "a1")),  # a date listing's
        ("relevance", encode_cursor("relevance", "high", "a1")),
        ("newest", encode_cursor("newest", 1.5, "a1")),
        ("newest", "not-a-cursor"),
    ],
)
def test_a_cursor_not_issued_by_a_search_of_that_order_is_refused(order: Any, cursor: str) -> None:
    with pytest.raises(BadCursor):
        search_after_of(order, cursor)


def test_a_snippet_is_the_highlighted_passage_or_empty_without_text() -> None:
    hit = {"highlight": {"text": ["&lt;b&gt;与<mark>恒瑞医药</mark>签约"]}}
    assert snippet_of(hit) == "&lt;b&gt;与<mark>恒瑞医药</mark>签约"
    assert snippet_of({"_id": "a1"}) == ""
