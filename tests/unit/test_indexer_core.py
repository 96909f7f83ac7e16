"""The indexer's pure core: the mapping it creates, an article's document and version, and what
each item of a bulk response means for its record."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from medwire_common.schemas import EnrichedArticle, Event, Location, Organization, Person, Source
from medwire_indexer.core import bulk_body, document_of, index_body, judge_bulk_items, version_of
from medwire_indexer.core.document import PROPERTIES


def enriched() -> EnrichedArticle:
    return EnrichedArticle(
        article_id="a1",
        page_id="p1",
        url="http://news.test/1.html",
        canonical_url="http://news.test/1.html",
        source=Source(name="山西科技报", domain="news.test"),
        title="恒瑞医药签约",
        published_at=date(2026, 2, 1),
        fetched_at=datetime(2026, 2, 1, 8, 0, 0, 123000, tzinfo=UTC),
        text="正文",
        organizations=[
            Organization(name="山西省药品监督管理局", aliases=["省药监局"]),
            Organization(name="省药监局"),
        ],
        persons=[Person(name="张三"), Person(name="张三")],
        locations=[Location(name="太原市", adcode="140100"), Location(name="某地")],
        events=[Event(type="signing"), Event(type="signing"), Event(type="forum")],
        topics=["医疗器械"],
    )


def test_mapping_is_strict_with_cjk_bigram_text_and_keyword_filters() -> None:
    body = index_body(1, 0, "articles")
    assert body["mappings"]["dynamic"] == "strict"
    analyzer = body["settings"]["analysis"]["analyzer"]["cjk_bigram_text"]
    assert analyzer["tokenizer"] == "standard"
    assert analyzer["filter"] == ["cjk_width", "lowercase", "cjk_bigram"]
    props = body["mappings"]["properties"]
    for field in ("title", "text"):
        assert props[field] == {"type": "text", "analyzer": "cjk_bigram_text"}
    for field in ("source", "topics", "event_types", "organizations", "persons", "adcodes"):
        assert props[field]["type"] == "keyword", field
    assert props["published_at"]["type"] == props["fetched_at"]["type"] == "date"
    assert body["aliases"] == {"articles": {}}


def test_document_names_every_mapped_field_and_each_value_once() -> None:
    doc = document_of(enriched())
    assert set(doc) == set(PROPERTIES)  # a strict mapping refuses any other field
    assert doc["organizations"] == ["山西省药品监督管理局", "省药监局"]
    assert doc["persons"] == ["张三"]
    assert doc["adcodes"] == ["140100"]
    assert doc["event_types"] == ["signing", "forum"]
    assert doc["published_at"] == "2026-02-01"


def test_version_is_the_fetch_time_in_milliseconds_so_a_refetch_is_newer() -> None:
    article = enriched()
    assert version_of(article) == 1769932800123
    later = article.model_copy(update={"fetched_at": datetime(2026, 2, 2, tzinfo=UTC)})
    assert version_of(later) > version_of(article)


def test_bulk_body_is_ndjson_of_externally_versioned_index_actions() -> None:
    lines = bulk_body("articles", [("a1", 7, {"title": "标题"})]).decode().splitlines()
    assert json.loads(lines[0]) == {
        "index": {"_index": "articles", "_id": "a1", "version": 7, "version_type": "external"}
    }
    assert json.loads(lines[1]) == {"title": "标题"}


def test_bulk_items_are_indexed_current_retried_or_rejected() -> None:
    def item(status: int, kind: str = "") -> dict[str, object]:
        error = {"type": kind, "reason": "why"} if kind else None
        return {"index": {"status": status, **({"error": error} if error else {})}}

    response = {
        "items": [
            item(201),
            item(409, "version_conflict_engine_exception"),
            item(429, "es_rejected_execution_exception"),
            item(503, "unavailable_shards_exception"),
            item(400, "mapper_parsing_exception"),
        ]
    }
    outcomes = [v.outcome for v in judge_bulk_items(response, 5)]
    assert outcomes == ["indexed", "current", "retry", "retry", "rejected"]
    assert "mapper_parsing_exception" in judge_bulk_items(response, 5)[4].detail


def test_a_bulk_response_that_does_not_answer_every_action_is_retried() -> None:
    assert [v.outcome for v in judge_bulk_items({"items": []}, 2)] == ["retry", "retry"]
    assert [v.outcome for v in judge_bulk_items({"error": "x"}, 1)] == ["retry"]
