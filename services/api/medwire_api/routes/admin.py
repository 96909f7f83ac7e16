"""Admin routes, behind `Authorization: Bearer $MEDWIRE_ADMIN_TOKEN` (off when it is unset):
crawl requests onto `crawl.requests`, and replay of a dead-letter topic onto its topic (source
management: managed_sources.py)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any, Literal

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field, model_validator

from medwire_common.schemas import CrawlRequest
from medwire_common.sources import SourcesError, load_sources
from medwire_common.stage import new_producer

from ..deps import EngineDep
from ..problems import ProblemError
from ..schemas import Problem
from ..settings import ApiSettings
from .guards import AdminInput, allowed_start_urls, allowed_target, require_admin
from .managed_sources import managed_source

CRAWL_TOPIC = "crawl.requests"
REPLAYABLE = ("crawl.requests", "pages.raw", "articles.clean", "articles.enriched")


router = APIRouter(
    prefix="/v1",
    tags=["admin"],
    dependencies=[Depends(require_admin)],
    responses={401: {"model": Problem}, 403: {"model": Problem}, 422: {"model": Problem}},
)


class CrawlOrder(AdminInput):
    source: str | None = Field(
        None, max_length=100, description="A managed source, or one of the crawlers' sources.yaml"
    )
    url: str | None = Field(None, max_length=2000, description="One page to fetch")

    @model_validator(mode="after")
    def _one(self) -> CrawlOrder:
        if (self.source is None) == (self.url is None):
            raise ValueError("give either `source` or `url`")
        return self


class Enqueued(BaseModel):
    topic: str
    key: str
    request: CrawlRequest


async def producer(request: Request) -> Any:
    """The app's Kafka producer, started on first use (read-only replicas never start one)."""
    state = request.app.state
    async with state.producer_lock:
        if state.producer is None:
            started = new_producer(state.settings)
            try:
                await asyncio.wait_for(started.start(), 10)
            except Exception as exc:  # noqa: BLE001 - any failure: Kafka is not reachable
                await started.stop()
                raise ProblemError(503, f"Kafka is unreachable: {exc!r}") from exc
            state.producer = started
    return state.producer


@router.post(
    "/crawls", status_code=202, response_model=Enqueued, responses={409: {"model": Problem}}
)
async def request_crawl(request: Request, order: CrawlOrder, engine: EngineDep) -> Enqueued:
    """Ask the crawlers to crawl a source (managed here, or of their sources.yaml) or one URL.
    URLs must be http(s) and may not resolve to internal addresses unless `MEDWIRE_CRAWL_ALLOW`
    lists them."""
    settings: ApiSettings = request.app.state.settings
    managed = await managed_source(engine, order.source) if order.source else None
    definition = managed.definition if managed else None
    if managed is not None:
        if not managed.enabled:
            raise ProblemError(409, f"the source {order.source!r} is switched off")
        await allowed_start_urls(settings, managed.definition, "crawl")  # addresses change
        key = managed.definition.domain
    elif order.url is not None:
        key = await allowed_target(settings, order.url)
    else:
        key = _configured_key(settings, str(order.source))
    crawl = CrawlRequest(
        source=order.source, url=order.url, requested_at=datetime.now(UTC), definition=definition
    )
    topic = settings.topic(CRAWL_TOPIC)
    sending = await producer(request)
    try:
        await asyncio.wait_for(
            sending.send_and_wait(topic, crawl.model_dump_json().encode(), key=key.encode()), 15
        )
    except Exception as exc:  # noqa: BLE001 - not enqueued, whatever the reason: say so
        raise ProblemError(503, f"the crawl request was not enqueued: {exc!r}") from exc
    return Enqueued(topic=topic, key=key, request=crawl)


def _configured_key(settings: ApiSettings, name: str) -> str:
    """The key of a crawl of a sources.yaml source: its domain when the API has the file."""
    if not settings.sources:
        return f"source:{name}"
    try:
        known = load_sources(settings.sources)
    except SourcesError as exc:
        raise ProblemError(503, f"the sources file cannot be read: {exc}") from exc
    if name not in known:
        names = ", ".join(sorted(known)) or "none"
        raise ProblemError(422, f"no source named {name!r} (managed or in sources.yaml: {names})")
    return known[name].domain


class ReplayOrder(AdminInput):
    topic: Literal[REPLAYABLE] = Field(  # type: ignore[valid-type]
        description="Replay `<topic>.dlq` onto this topic"
    )
    max_records: int = Field(10_000, ge=1, le=100_000)


class Replayed(BaseModel):
    source: str
    target: str
    replayed: int


async def _partitions(settings: ApiSettings, topic: str) -> list[int]:
    """The partitions of `topic`; none if it does not exist (nothing was ever dead-lettered)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()
    try:
        [described] = await admin.describe_topics([topic])
    finally:
        await admin.close()
    if described.get("error_code", 0):
        return []
    return sorted(p["partition"] for p in described.get("partitions", []))


@router.post("/replay", response_model=Replayed)
async def replay(request: Request, order: ReplayOrder) -> Replayed:
    """Send the dead letters of a topic back onto it (after the stage that rejected them has
    been fixed). Each dead letter is replayed once: the replay's consumer group remembers how
    far it got; a record that fails again is dead-lettered again, and can be replayed again."""
    settings: ApiSettings = request.app.state.settings
    source, target = settings.topic(order.topic + ".dlq"), settings.topic(order.topic)
    sending = await producer(request)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=settings.group("medwire-replay"),
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    try:
        await asyncio.wait_for(consumer.start(), 10)
        partitions = [TopicPartition(source, p) for p in await _partitions(settings, source)]
        if not partitions:
            return Replayed(source=source, target=target, replayed=0)
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        count = 0
        for tp in partitions:
            committed = await consumer.committed(tp)
            consumer.seek(tp, committed or 0)
        while count < order.max_records and [
            tp for tp in partitions if await consumer.position(tp) < ends[tp]
        ]:
            batch = await consumer.getmany(timeout_ms=1000, max_records=500)
            for tp, records in batch.items():
                for record in records:
                    if record.offset >= ends[tp] or count >= order.max_records:
                        break
                    headers = [
                        *((k, v) for k, v in record.headers if not k.startswith("medwire-")),
                        ("medwire-replayed-from", source.encode()),
                    ]
                    await sending.send_and_wait(
                        target, record.value, key=record.key, headers=headers
                    )
                    await consumer.commit({tp: record.offset + 1})
                    count += 1
        return Replayed(source=source, target=target, replayed=count)
    except ProblemError:
        raise
    except Exception as exc:  # noqa: BLE001 - Kafka trouble: what was replayed is committed
        raise ProblemError(503, f"replay of {source} stopped: {exc!r}") from exc
    finally:
        await consumer.stop()
