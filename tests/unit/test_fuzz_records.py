"""Fuzz (hypothesis) of every record schema and every stage's handling of a record (issue #18,
deliverable 4): any bytes in give a result or a dead letter, never a crash, and a record that is
merely malformed is never an `unexpected_error`.

Bounded and reproducible for CI: derandomized, no example database, a fixed number of examples
(MEDWIRE_FUZZ_EXAMPLES raises it for a longer local run); no broker, no database.
"""

from __future__ import annotations

import base64
import json
import math
import os
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from medwire_api.db import article_columns
from medwire_api.entities import entity_rows
from medwire_api.ingest import IN_TOPIC as API_IN_TOPIC
from medwire_cleaner.worker import transform as clean_transform
from medwire_common.schemas import (
    EARLIEST_DAY,
    LATEST_DAY,
    CleanArticle,
    CrawlRequest,
    EnrichedArticle,
    RawPage,
    SourceConfig,
)
from medwire_common.stage import Output, RecordError, apply_transform, parse_record
from medwire_extractor.core import extract
from medwire_extractor.worker import transform as extract_transform

EXAMPLES = int(os.environ.get("MEDWIRE_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Schemas are cheap to fuzz: more examples.
FUZZ_SCHEMA = settings(FUZZ, max_examples=EXAMPLES * 2)
FETCHED = datetime(2025, 8, 1, 8, 0, tzinfo=UTC)

# Strings with what breaks storage or parsing: NUL, lone surrogates, controls, CJK.
NASTY_CHARS = st.sampled_from(["\x00", "\ud800", "\udfff", "\x1b", "\ufeff", "\u2028", "%", "["])
TEXTS = st.lists(
    st.characters() | NASTY_CHARS | st.sampled_from("医药器械年月日亿元家"), max_size=30
).map("".join)
EDGES = st.sampled_from(
    [
        -5,
        -1,
        0,
        1,
        5.0,
        1.0000001,
        2**31,
        2**32,
        2**63,
        -(2**63) - 1,
        10**30,
        1e308,
        -0.0,
        "0001-01-01",
        "1899-12-31",
        "1900-01-01",
        "2100-12-31",
        "2101-01-01",
        "9999-12-31T23:59:59Z",
        "1900-01-01T00:00:00+14:00",
        "0001-01-01T00:00:00-12:00",
        "25:99",
        "",
        "http://[::1",
        "http://a:99999/",
        "http://[64:ff9b::a9fe:a9fe]/",
        "file:///tmp/x.html",
        "%%% not base64 %%%",
        "QQ",
        "QQ==",
    ]
)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | TEXTS
    | EDGES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXTS, inner, max_size=4),
    max_leaves=6,
)


def encodings(record: Any) -> st.SearchStrategy[bytes]:
    """A record as bytes: JSON with escapes, raw UTF-8 (surrogates kept), or cut short."""

    def raw(r: Any) -> bytes:
        return json.dumps(r, ensure_ascii=False).encode("utf-8", "surrogatepass")

    def cut(r: Any, at: int) -> bytes:
        return json.dumps(r).encode()[:at]

    return st.one_of(
        st.just(record).map(lambda r: json.dumps(r).encode()),
        st.just(record).map(raw),
        st.integers(0, 200).map(lambda at: cut(record, at)),
    )


def mutations(valid: dict[str, Any], nested: dict[str, list[str]] | None = None) -> Any:
    """`valid` with one field (or a field of one nested item) replaced by a hostile value."""
    top = st.builds(
        lambda field, value: {**valid, field: value},
        st.sampled_from([*valid, "an_unknown_field"]),
        JSON_VALUES,
    )
    if not nested:
        return top
    items = st.builds(
        lambda field, keys: {**valid, field: [keys]},
        st.sampled_from(sorted(nested)),
        st.dictionaries(
            st.sampled_from(sorted({k for ks in nested.values() for k in ks})),
            JSON_VALUES,
            max_size=5,
        ),
    )
    return top | items


def hostile_bytes(valid: dict[str, Any], nested: dict[str, list[str]] | None = None) -> Any:
    return mutations(valid, nested).flatmap(encodings)


def assert_valid_or_invalid_record(model: type[BaseModel], value: bytes) -> None:
    """Either a model that survives a trip through JSON, or an invalid_record."""
    try:
        record = parse_record(model, value, "fuzz")
    except RecordError as err:
        assert err.reason == "invalid_record", err
        return
    assert model.model_validate_json(record.model_dump_json()) == record
    assert_storable(record.model_dump())


def assert_storable(value: Any) -> None:
    """What PostgreSQL and JSON can hold: no NUL or lone surrogate, finite numbers, dates in
    the window."""
    if isinstance(value, str):
        assert "\x00" not in value and not any("\ud800" <= c <= "\udfff" for c in value)
    elif isinstance(value, float):
        assert math.isfinite(value)
    elif isinstance(value, date):
        day = value.date() if isinstance(value, datetime) else value
        assert EARLIEST_DAY <= day <= LATEST_DAY
    elif isinstance(value, dict):
        for key, item in value.items():
            assert_storable(key)
            assert_storable(item)
    elif isinstance(value, list | tuple):
        for item in value:
            assert_storable(item)


def assert_handled(
    transform: Callable[[bytes | None, bytes], list[Output]],
    value: bytes,
    produces: type[BaseModel],
) -> None:
    """The stage gives valid outputs, or a dead letter that is not an unexpected_error."""
    result = apply_transform(transform, b"key", value)
    if result.failure is not None:
        assert result.failure.reason != "unexpected_error", str(result.failure)
        assert not result.outputs
    for out in result.outputs:
        produces.model_validate_json(out.value)


# Valid records to start from.

PAGE = RawPage.of(
    "http://fixture.test/a.html",
    "<html><body><h1>医疗器械注册人制度</h1><p>省药监局表示将加快推进。</p></body></html>".encode(),
    "text/html",
    FETCHED,
).model_dump(mode="json")
ARTICLE = CleanArticle.of(
    "a1", "2025年7月25日，省药监局与晋中市人民政府签署合作协议。", FETCHED, title="医疗器械"
).model_dump(mode="json")
ENRICHED = extract(CleanArticle.model_validate(ARTICLE)).model_dump(mode="json")
REQUEST = CrawlRequest(source="demo", url="http://fixture.test/", requested_at=FETCHED).model_dump(
    mode="json"
)
ENTITY_FIELDS = {
    "organizations": ["name", "aliases", "type", "spans"],
    "persons": ["name", "roles", "organization", "spans"],
    "locations": ["name", "province", "city", "district", "adcode", "spans"],
    "amounts": ["text", "value", "unit", "kind"],
    "quantities": ["text", "value", "unit", "approx"],
    "events": ["type", "date", "location", "participants", "summary"],
    "agreements": ["parties", "title", "date"],
    "policies": ["title", "issuer"],
}
SOURCE_FIELDS = {
    "definition": [
        "name",
        "kind",
        "start_urls",
        "article_pattern",
        "follow_pattern",
        "region",
        "language",
        "recrawl_s",
    ],
    "source": ["name", "domain"],
}


# One property per record schema, and any bytes for all of them.


@pytest.mark.parametrize("model", [RawPage, CrawlRequest, CleanArticle, EnrichedArticle])
@FUZZ_SCHEMA
@given(value=st.binary(max_size=300) | JSON_VALUES.map(lambda v: json.dumps(v).encode()))
def test_any_bytes_are_a_record_or_an_invalid_record(model: type[BaseModel], value: bytes) -> None:
    assert_valid_or_invalid_record(model, value)


@FUZZ_SCHEMA
@given(hostile_bytes(PAGE, {"source": ["name", "domain"], "headers": ["content-type"]}))
def test_raw_page_schema_gives_a_page_or_an_invalid_record(value: bytes) -> None:
    assert_valid_or_invalid_record(RawPage, value)


@FUZZ_SCHEMA
@given(hostile_bytes(REQUEST, SOURCE_FIELDS))
def test_crawl_request_schema_gives_a_request_or_an_invalid_record(value: bytes) -> None:
    assert_valid_or_invalid_record(CrawlRequest, value)


@FUZZ_SCHEMA
@given(hostile_bytes(ARTICLE, {"source": ["name", "domain"]}))
def test_clean_article_schema_gives_an_article_or_an_invalid_record(value: bytes) -> None:
    assert_valid_or_invalid_record(CleanArticle, value)


@FUZZ_SCHEMA
@given(hostile_bytes(ENRICHED, ENTITY_FIELDS))
def test_enriched_article_schema_gives_an_article_or_an_invalid_record(value: bytes) -> None:
    assert_valid_or_invalid_record(EnrichedArticle, value)


# One property per stage.

CONTENT_TYPES = st.sampled_from(
    [
        "text/html",
        "text/html; charset=gbk",
        "text/html; charset=big5",
        "text/plain; charset=utf-8",
        "text/plain; charset=unicode_escape",
        "text/plain; charset=utf-16",
        "text/plain; charset=no-such-charset",
        "application/octet-stream",
        "",
    ]
)
BODIES = st.binary(max_size=400) | st.builds(
    lambda title, paragraphs, charset: (
        f"<html><head><title>{title}</title></head><body><h1>{title}</h1>"
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + "</body></html>"
    ).encode(charset, "surrogatepass" if charset == "utf-8" else "replace"),
    TEXTS,
    st.lists(TEXTS, max_size=5),
    st.sampled_from(["utf-8", "gb18030", "big5"]),
)
URLS = st.sampled_from(
    [
        "http://[::1",
        "http://a:99999/",
        "http://[64:ff9b::a9fe:a9fe]/",
        "http:///no-host",
        "file:///tmp/x.html",
        "urn:medwire:x",
        "",
    ]
) | TEXTS.map(lambda t: f"http://x.test/{t}")


@st.composite
def hostile_pages(draw: st.DrawFn) -> bytes:
    """Raw pages that are valid records but hostile content: any body, charset, URL, status."""
    url = draw(URLS)
    page = {
        **PAGE,
        "url": url,
        "final_url": draw(st.just(url) | URLS),
        "status": draw(st.sampled_from([200, 204, 299, 301, 404, 500, 999])),
        "headers": {"content-type": draw(CONTENT_TYPES)},
        "body_b64": base64.b64encode(draw(BODIES)).decode(),
        "declared_encoding": draw(st.none() | st.sampled_from(["gbk", "x-unknown", ""])),
        "source": {"name": draw(TEXTS), "domain": draw(st.just("") | TEXTS)},
    }
    return json.dumps(page).encode()


@FUZZ
@given(st.binary(max_size=300) | hostile_pages() | mutations(PAGE).flatmap(encodings))
def test_cleaner_cleans_or_dead_letters_any_page(value: bytes) -> None:
    assert_handled(clean_transform, value, CleanArticle)


DAYS = st.dates(min_value=EARLIEST_DAY, max_value=LATEST_DAY)
ARTICLE_TEXTS = st.lists(
    TEXTS
    | st.sampled_from(
        [
            "0001年1月1日",
            "9999年12月31日",
            "12月31日",
            "1月1日",
            "昨天",
            "明天",
            "今年5月中旬",
            "去年12月下旬",
            "1" * 400 + "亿元",
            "9" * 30 + "万家企业",
            "同比增长" + "9" * 400 + "%",
            "山西省药品监督管理局",
            "晋中市人民政府",
            "签署合作协议",
            "\n",
            "《若干措施》",
        ]
    ),
    max_size=12,
).map("".join)


@st.composite
def hostile_articles(draw: st.DrawFn) -> bytes:
    """Clean articles that are valid records with hostile text and page dates at the edges."""
    article = {
        **ARTICLE,
        "title": draw(ARTICLE_TEXTS),
        "text": draw(ARTICLE_TEXTS),
        "published_at": draw(
            st.none() | DAYS.map(date.isoformat) | st.sampled_from(["1900-01-01", "2100-12-31"])
        ),
    }
    return json.dumps(article).encode()


@FUZZ
@given(st.binary(max_size=300) | hostile_articles() | mutations(ARTICLE).flatmap(encodings))
def test_extractor_enriches_or_dead_letters_any_article(value: bytes) -> None:
    assert_handled(extract_transform, value, EnrichedArticle)


def api_rows(key: bytes | None, value: bytes) -> list[Output]:
    """What the API's ingest does to a record before the database: parse it (`ingest.py`), then
    build its rows (`db.article_columns`, `entities.entity_rows`), which must never crash."""
    article = parse_record(EnrichedArticle, value, f"api: {API_IN_TOPIC} record")
    columns = article_columns([article])
    entity_rows([article])
    assert not any("\x00" in v for vs in columns.values() for v in vs if isinstance(v, str))
    return []


@FUZZ
@given(hostile_bytes(ENRICHED, ENTITY_FIELDS))
def test_api_ingest_parses_or_dead_letters_any_enriched_record(value: bytes) -> None:
    assert_handled(api_rows, value, EnrichedArticle)


def crawl_request_handling(key: bytes | None, value: bytes) -> list[Output]:
    """What the crawler does to a request before crawling (`worker.crawl_handler`)."""
    from medwire_crawler.worker import IN_TOPIC as CRAWL_IN_TOPIC
    from medwire_crawler.worker import resolve

    request = parse_record(CrawlRequest, value, f"crawler: {CRAWL_IN_TOPIC} record")
    resolve(request, CRAWL_SOURCES)
    return []


CRAWL_SOURCES = {"demo": SourceConfig(name="demo", kind="sitemap", start_urls=["http://x.test/"])}


@FUZZ
@given(hostile_bytes(REQUEST, SOURCE_FIELDS))
def test_crawler_parses_or_dead_letters_any_crawl_request(value: bytes) -> None:
    assert_handled(crawl_request_handling, value, CrawlRequest)


@FUZZ
@given(URLS.map(lambda url: json.dumps({"url": url}).encode()))
def test_crawler_parses_or_dead_letters_any_ad_hoc_url(value: bytes) -> None:
    assert_handled(crawl_request_handling, value, CrawlRequest)
