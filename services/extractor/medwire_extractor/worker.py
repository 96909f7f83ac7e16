"""The extractor's Kafka shell: articles.clean → extract() → articles.enriched."""

from __future__ import annotations

from collections.abc import Collection
from functools import partial

from medwire_common.schemas import CleanArticle
from medwire_common.stage import Output, parse_record, run_transform_service

from .core import MODEL_ENTITIES, extract
from .core.ner import EntityType, entity_types, warm
from .settings import ExtractorSettings

IN_TOPIC, OUT_TOPIC = "articles.clean", "articles.enriched"


def transform(
    key: bytes | None, value: bytes, model_entities: Collection[EntityType] = MODEL_ENTITIES
) -> list[Output]:
    article = parse_record(
        CleanArticle, value, "extractor: articles.clean record is not a CleanArticle v1"
    )
    enriched = extract(article, model_entities)
    return [Output(OUT_TOPIC, enriched.article_id.encode(), enriched.model_dump_json().encode())]


def main() -> None:
    settings = ExtractorSettings()
    kinds = entity_types(settings.model_entities)
    run_transform_service(
        "extractor",
        settings,
        settings.http_port,
        settings.workers,
        IN_TOPIC,
        OUT_TOPIC,
        partial(transform, model_entities=kinds),
        warm=warm if kinds else None,
    )
