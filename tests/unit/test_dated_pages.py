"""A page by date's statement is made once for each shape of request and run with each
request's values (`queries.dated.dated_page`): made for one request, it must be, with the
next request's parameters, exactly the statement made for that request. A value left in the
statement rather than bound by name would answer the next request with the first one's."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy.dialects import postgresql

from medwire_api.queries import dated, filters
from medwire_api.queries.dated import Sort, _dated, dated_page
from medwire_api.queries.filters import ArticleFilters, organization_listing, place_listing

PAIRS: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({}, {}),
    ({"source": "新华网"}, {"source": "健康界"}),
    (
        {"published_from": date(2025, 1, 1), "published_to": date(2025, 6, 1)},
        {"published_from": date(2024, 2, 2), "published_to": date(2024, 3, 3)},
    ),
    ({"organization": "甲"}, {"organization": "乙"}),
    ({"person": "张三"}, {"person": "李四"}),
    ({"adcode": "140000"}, {"adcode": "110000"}),
    ({"adcode": "140700"}, {"adcode": "110100"}),
    ({"region": "太原市"}, {"region": "朝阳区"}),
    ({"topic": "创新药"}, {"topic": "医疗器械"}),
    ({"event_type": "signing"}, {"event_type": "launch"}),
    ({"min_relevance": 0.2}, {"min_relevance": 0.7}),
    ({"q": "疫苗", "matches": ["a1"]}, {"q": "医保 谈判", "matches": ["b1", "b2"]}),
    ({"hide_duplicates": True, "topic": "创新药"}, {"hide_duplicates": True, "topic": "中药"}),
    (
        {"listing": organization_listing("甲"), "source": "新华网"},
        {"listing": organization_listing("乙"), "source": "健康界"},
    ),
    ({"listing": place_listing("140000")}, {"listing": place_listing("650000")}),
    (
        {"listing": place_listing("140105"), "q": "签约", "matches": ["a1"]},
        {"listing": place_listing("110101")},
    ),
]
AFTER = [None, ("2025-03-01", "a9")], [None, ("2024-01-02", "b1")]


def rendered(stmt: Any, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    compiled = stmt.compile(dialect=postgresql.dialect())
    return str(compiled), compiled.construct_params(params)


@pytest.mark.parametrize("first, second", PAIRS)
@pytest.mark.parametrize("order", [Sort.newest, Sort.oldest])
@pytest.mark.parametrize("cursor", [0, 1])
def test_a_statement_made_for_one_request_is_the_next_ones_with_its_parameters(
    first: dict[str, Any], second: dict[str, Any], order: Sort, cursor: int
) -> None:
    dated._PAGES.clear()
    a, b = ArticleFilters(**first), ArticleFilters(**second)
    made, _ = dated_page(a, order, AFTER[0][cursor], 21)
    reused, params = dated_page(b, order, AFTER[1][cursor], 11)
    if first == second == {}:
        assert reused is made
    fresh = _dated(b, order, AFTER[1][cursor], 11)
    assert rendered(reused, params) == rendered(fresh, params)
    # and the values are the second request's, not the first's
    bound = rendered(reused, params)[1].values()
    # (as filter_values binds them: a region as the list of names it stands for)
    values = filters.filter_values(b)
    assert all(values[f"f_{k}"] in bound for k in second if k in filters._PLAIN)


def test_requests_of_other_shapes_get_statements_of_their_own() -> None:
    dated._PAGES.clear()
    made = [
        dated_page(ArticleFilters(**filters), Sort.newest, None, 5)[0]
        for filters in (
            {"listing": organization_listing("甲")},
            {"listing": organization_listing("甲"), "topic": "中药"},
            {"listing": place_listing("140000")},
            {"listing": place_listing("140100")},
        )
    ]
    assert len({id(stmt) for stmt in made}) == 4
    assert "left(article_locations.adcode, 4)" in rendered(made[3], {})[0]
