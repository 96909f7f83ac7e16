"""The cleaner's Kafka shell: pages.raw → clean_page() → articles.clean; a bad page, and a page
with no article (its verdict as the reason), → pages.raw.dlq, where it can be found and replayed."""

from __future__ import annotations

from medwire_common.schemas import RawPage
from medwire_common.stage import Output, RecordError, parse_record, run_transform_service

from .core import PageTooLarge, clean_page
from .settings import CleanerSettings

IN_TOPIC, OUT_TOPIC = "pages.raw", "articles.clean"


def transform(key: bytes | None, value: bytes) -> list[Output]:
    raw = parse_record(RawPage, value, "cleaner: pages.raw record is not a RawPage v1")
    try:
        cleaning = clean_page(raw)
    except PageTooLarge as exc:
        raise RecordError(
            "page_too_large", f"cleaner: page {raw.page_id} ({raw.url}): {exc}"
        ) from exc
    if not cleaning.articles:
        raise RecordError(
            cleaning.outcome,
            f"cleaner: page {raw.page_id} ({raw.url}) has no article ({cleaning.outcome}): "
            f"{cleaning.reason}",
        )
    return [
        Output(OUT_TOPIC, a.article_id.encode(), a.model_dump_json().encode())
        for a in cleaning.articles
    ]


def main() -> None:
    settings = CleanerSettings()
    run_transform_service(
        "cleaner", settings, settings.http_port, settings.workers, IN_TOPIC, OUT_TOPIC, transform
    )
