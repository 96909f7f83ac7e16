"""The extractor's Kafka shell: articles.clean → extract() → articles.enriched."""

from __future__ import annotations

from medwire_common.schemas import CleanArticle
from medwire_common.stage import Output, parse_record, run_transform_service

from .core import extract
from .settings import ExtractorSettings

IN_TOPIC, OUT_TOPIC = "articles.clean", "articles.enriched"


def transform(key: bytes | None, value: bytes) -> list[Output]:
    article = parse_record(
        CleanArticle, value, "extractor: articles.clean record is not a CleanArticle v1"
    )
    enriched = extract(article)
    return [Output(OUT_TOPIC, enriched.article_id.encode(), enriched.model_dump_json().encode())]


def main() -> None:
    settings = ExtractorSettings()
    run_transform_service(
        "extractor", settings, settings.http_port, settings.workers, IN_TOPIC, OUT_TOPIC, transform
    )
