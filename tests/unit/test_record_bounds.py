"""Records that cannot be stored or mean nothing are refused by the first stage that reads them,
as `invalid_record` with the field named (issue #18, finding 6), and the cleaner and extractor
never produce one: no NUL, relevance 0–1, offsets ≥ 0, dates within 1900-01-01 … 2100-12-31,
a body that is base64."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from medwire_cleaner.core import clean
from medwire_cleaner.core.decode import decode_page
from medwire_cleaner.worker import transform as clean_transform
from medwire_common.schemas import CleanArticle, EnrichedArticle, RawPage
from medwire_common.stage import RecordError, apply_transform, parse_record
from medwire_extractor.core import extract, relevance
from medwire_extractor.core.amounts import find_amounts, find_quantities
from medwire_extractor.core.timeexpr import find_dates
from medwire_extractor.worker import transform as extract_transform

FETCHED = datetime(2025, 8, 1, 8, 0, tzinfo=UTC)
TEXT = "省药监局与晋中市人民政府签署医疗器械临床试验研究平台合作备忘录。" * 3


def clean_record(**changes: Any) -> dict[str, Any]:
    record = CleanArticle.of("a1", TEXT, FETCHED, title="医疗器械", published_at=date(2025, 8, 1))
    return {**record.model_dump(mode="json"), **changes}


def enriched_record(**changes: Any) -> dict[str, Any]:
    article = CleanArticle.of("a1", TEXT, FETCHED, title="医疗器械", published_at=date(2025, 8, 1))
    return {**extract(article).model_dump(mode="json"), **changes}


def refused(model: type, record: dict[str, Any]) -> RecordError:
    with pytest.raises(RecordError) as err:
        parse_record(model, json.dumps(record).encode(), "test")
    assert err.value.reason == "invalid_record"
    return err.value


# The four cases of the finding.


def test_nul_in_a_clean_article_is_an_invalid_record_before_the_extractor_runs() -> None:
    value = json.dumps(clean_record(text="医疗器械\x00注册人制度")).encode()
    result = apply_transform(extract_transform, b"a1", value)
    assert result.failure is not None and result.failure.reason == "invalid_record"
    assert "first at text" in str(result.failure) and "NUL" in str(result.failure)
    assert not result.outputs


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"relevance": 5.0}, "relevance"),
        ({"relevance": -0.1}, "relevance"),
        ({"published_at": "0001-01-01"}, "published_at"),
        ({"published_at": "2101-01-01"}, "published_at"),
        ({"position": -5}, "position"),
    ],
)
def test_out_of_bounds_enriched_article_is_an_invalid_record(
    changes: dict[str, Any], field: str
) -> None:
    err = refused(EnrichedArticle, enriched_record(**changes))
    assert f"first at {field}" in str(err)


def test_a_page_copied_with_a_new_body_reads_the_new_body() -> None:
    # `body` keeps what it decoded: a copy with another body_b64 must not read the old bytes.
    page = RawPage.of("http://x.test/a.html", b"<p>x</p>", "text/html", FETCHED)
    other = page.model_copy(update={"body_b64": RawPage.encode_body(b"<p>y</p>")})
    assert (page.body, other.body) == (b"<p>x</p>", b"<p>y</p>")
    assert RawPage.model_validate_json(other.model_dump_json()).body == b"<p>y</p>"


def test_invalid_base64_body_is_an_invalid_record_naming_the_field() -> None:
    page = RawPage.of("http://x.test/a.html", b"<p>x</p>", "text/html", FETCHED)
    value = json.dumps({**page.model_dump(mode="json"), "body_b64": "not base64!"}).encode()
    result = apply_transform(clean_transform, b"k", value)
    assert result.failure is not None and result.failure.reason == "invalid_record"
    assert "first at body_b64" in str(result.failure) and "base64" in str(result.failure)


# The same rules everywhere else in the records.


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"organizations": [{"name": "a\x00", "spans": [[0, 1]]}]}, "organizations.0.name"),
        ({"organizations": [{"name": "a", "spans": [[-1, 1]]}]}, "organizations.0.spans.0.0"),
        ({"organizations": [{"name": "a", "spans": [[5, 1]]}]}, "organizations.0.spans.0"),
        ({"events": [{"type": "launch", "date": "9999-12-31"}]}, "events.0.date"),
        ({"amounts": [{"text": "x", "value": -1}]}, "amounts.0.value"),
        ({"relevance": "NaN"}, "relevance"),
        ({"minhash": [1, 2, 3]}, "minhash"),  # band keys need all 64 (the API's store)
        ({"minhash": [2**63] * 64}, "minhash.0"),  # not a bigint
        ({"fetched_at": "0001-01-01T00:00:00Z"}, "fetched_at"),
        ({"an_unknown_field": {"k": ["a\x00"]}}, "(record)"),
        ({"an_unknown_\x00_name": 1}, "(record)"),
        ({"an_unknown_field": float("nan")}, "(record)"),  # not JSON: passed on as null
    ],
)
def test_every_field_is_bounded_and_nul_free(changes: dict[str, Any], field: str) -> None:
    err = refused(EnrichedArticle, enriched_record(**changes))
    assert f"first at {field}:" in str(err), str(err)


def test_lone_surrogates_are_refused_from_json_and_from_python() -> None:
    escaped = json.dumps(clean_record(title="\ud800")).encode()  # JSON escape \ud800
    raw = escaped.replace(b"\\ud800", "\ud800".encode("utf-8", "surrogatepass"))
    for value in (escaped, raw):
        with pytest.raises(RecordError) as err:
            parse_record(CleanArticle, value, "test")
        assert err.value.reason == "invalid_record"
    with pytest.raises(ValidationError):
        CleanArticle(**{**clean_record(), "title": "\udc00"})


def test_a_url_that_does_not_split_is_an_invalid_record_not_a_crash_of_the_cleaner() -> None:
    page = RawPage.of("http://x.test/a.html", b"<p>x</p>", "text/html", FETCHED)
    for url in ("http://[::1", "http://x.test:99999/"):
        value = json.dumps({**page.model_dump(mode="json"), "final_url": url}).encode()
        result = apply_transform(clean_transform, b"k", value)
        assert result.failure is not None and result.failure.reason == "invalid_record"
        assert "first at final_url" in str(result.failure)


def test_a_nul_in_a_header_name_is_refused() -> None:
    page = RawPage.of("http://x.test/a.html", b"<p>x</p>", "text/html", FETCHED)
    record = {**page.model_dump(mode="json"), "headers": {"x\x00": "1"}}
    err = refused(RawPage, record)
    assert "first at headers" in str(err)


# What the stages produce stays within the bounds.


def test_cleaner_drops_nul_and_lone_surrogates_from_a_page() -> None:
    line = "医疗器械注册人制度在山西省全面实施，省药监局表示将加快推进。"
    body = ("医疗器械\x00注册人制度\n" + line * 4).encode()
    [article] = clean(RawPage.of("http://x.test/a.txt", body, "text/plain", FETCHED))
    assert article.title == "医疗器械注册人制度" and "\x00" not in article.text
    escaped = decode_page(b"\\ud800\\u0000abc", "text/plain; charset=unicode_escape", False)
    assert escaped.text == "\ufffdabc"


def test_cleaner_does_not_date_a_page_from_a_masthead_of_the_year_0001() -> None:
    line = "医疗器械注册人制度在山西省全面实施，省药监局表示将加快推进。"
    body = ("0001年1月\n1\n星期五\n医疗器械注册人制度全面实施\n" + line * 4).encode()
    articles = clean(RawPage.of("http://x.test/a.txt", body, "text/plain", FETCHED))
    assert articles and all(a.published_at is None for a in articles)


def test_extractor_finds_no_date_outside_the_window() -> None:
    text = "0001年1月1日，省药监局与晋中市人民政府签署合作协议。9999年12月31日举行启动仪式。"
    assert find_dates(text, date(2025, 8, 1)) == []
    # the day before a page of 1900-01-01 is outside too
    assert find_dates("昨天举行启动仪式", date(1900, 1, 1)) == []
    enriched = extract(CleanArticle.of("a", text, FETCHED, title="t"))
    assert all(a.date is None for a in enriched.agreements)


def test_extractor_drops_amounts_too_large_to_be_numbers() -> None:
    huge = "1" * 400
    text = f"项目总投资{huge}亿元，引进{huge}家企业，占地{huge}亩，同比增长{huge}%。"
    assert find_amounts(text) == []
    assert find_quantities(text) == []
    extract(CleanArticle.of("a", text, FETCHED, title="t"))  # no ValidationError


def test_relevance_stays_within_zero_and_one_on_the_densest_text() -> None:
    assert relevance("医药" * 50, "医药" * 500) == 1.0
    assert relevance("", "") == 0.0
