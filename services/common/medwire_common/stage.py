"""The consume → process → produce → commit loop that every stage runs.

Offsets are committed only after every output of a batch is acknowledged by the broker
(acks=all, idempotent producer), so delivery is at-least-once; a record that cannot be processed
goes to `<topic>.dlq` with the reason in its headers and the stage goes on; a transient failure
(broker or database unreachable) retries the same batch with exponential backoff, never drops it.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import FrameType
from typing import Any, TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, MessageSizeTooLargeError, TopicAlreadyExistsError
from pydantic import BaseModel, ValidationError

from .lifetime import die_with_parent
from .logs import configure_logging
from .metrics import HealthCheck, StageMetrics, start_http_server
from .reasons import PAGE_VERDICTS
from .settings import CommonSettings

log = logging.getLogger(__name__)

# Time for every worker of a pool to start (spawn, import the core): a few seconds, more on a
# loaded machine.
POOL_START_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class Output:
    """One record to produce; `topic` is the logical name, the stage adds the prefix."""

    topic: str
    key: bytes | None
    value: bytes


class RecordError(Exception):
    """The record itself is bad (malformed, undecodable, too large): it goes to the DLQ."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason

    def __reduce__(self) -> tuple[type[RecordError], tuple[str, str]]:
        # Failures cross process boundaries (worker pool → stage); keep both fields.
        return (RecordError, (self.reason, str(self)))


M = TypeVar("M", bound=BaseModel)


def parse_record(model: type[M], value: bytes, what: str) -> M:
    """Validate one JSON record, or fail it with a reason that says where it is wrong."""
    try:
        return model.model_validate_json(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(record)"
        raise RecordError(
            "invalid_record",
            f"{what}: {exc.error_count()} validation error(s), first at {where}: {first['msg']}",
        ) from exc


class TransientError(Exception):
    """Something outside the record failed (database down): retry the batch later."""


@dataclass
class Processed:
    outputs: list[Output] = field(default_factory=list)
    failure: RecordError | None = None
    seconds: float = 0.0


def parse_batch(
    model: type[M], records: Sequence[ConsumerRecord], what: str
) -> tuple[list[tuple[int, M]], list[Processed]]:
    """Validate a batch: the records that parse, each with its place in the batch, and one
    result per record (a failure for each that does not parse, to be dead-lettered)."""
    parsed: list[tuple[int, M]] = []
    results: list[Processed] = []
    for i, record in enumerate(records):
        try:
            parsed.append((i, parse_record(model, record.value, what)))
            results.append(Processed())
        except RecordError as exc:
            results.append(Processed(failure=exc))
    return parsed, results


Transform = Callable[[bytes | None, bytes], list[Output]]
# Loads what a core loads on first use (a model, a dictionary), so a worker starts warm.
Warm = Callable[[], object]
BatchHandler = Callable[[Sequence[ConsumerRecord]], Awaitable[list[Processed]]]


def apply_transform(transform: Transform, key: bytes | None, value: bytes) -> Processed:
    """Run a pure transform on one record, turning any exception into a DLQ-bound failure.
    Module-level so that it can run in a worker process."""
    start = time.perf_counter()
    try:
        outputs = transform(key, value)
        return Processed(outputs=outputs, seconds=time.perf_counter() - start)
    except RecordError as exc:
        return Processed(failure=exc, seconds=time.perf_counter() - start)
    except Exception as exc:  # noqa: BLE001 - any crash of the core on one record is that record's failure
        failure = RecordError("unexpected_error", f"{type(exc).__name__}: {exc}")
        return Processed(failure=failure, seconds=time.perf_counter() - start)


def _start_worker() -> None:
    """The initializer of every pool worker."""
    die_with_parent()
    # Ctrl-C in a terminal reaches the whole process group: the service, not its workers,
    # decides when they stop (it finishes its batch, then shuts the pool down).
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _warm_worker(transform: Transform, warm: Warm | None = None) -> int:
    """A task that makes a worker import `transform`'s module (receiving the transform does),
    the slow part of a worker's start, and load what the core loads on first use (`warm`: a
    model, a dictionary); says which worker it is."""
    if warm is not None:
        warm()
    return os.getpid()


class WorkerPool:
    """A process pool for a pure transform that replaces itself if a worker dies.

    Workers are spawned (fresh interpreters), not forked: a forked worker inherited every open
    descriptor of the service, its listening socket among them, and the event loop's signal
    handlers, so one that outlived a killed service kept the service's port and ignored SIGTERM.
    Each worker also dies with the service (`die_with_parent`): a service killed by SIGKILL has no
    chance to stop them itself."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def get(self) -> ProcessPoolExecutor | None:
        if self.workers <= 0:
            return None
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
            )
        return self._pool

    def start(
        self,
        transform: Transform,
        timeout_s: float = POOL_START_TIMEOUT_S,
        warm: Warm | None = None,
    ) -> None:
        """Start every worker and wait until each has imported the transform's core and run
        `warm`, so the first batch does not wait seconds for that. (A pool replaced after a
        worker died starts cold: its first batch is a retry anyway.)"""
        executor = self.get()
        if executor is None:
            if warm is not None:
                warm()  # the transform runs in this process
            return
        deadline = time.monotonic() + timeout_s
        ready: set[int] = set()
        # A worker is spawned for each task submitted while none is idle, and a task is answered
        # only by a worker whose start is done: ask until every worker has answered.
        while len(ready) < self.workers:
            futures = [executor.submit(_warm_worker, transform, warm) for _ in range(self.workers)]
            try:
                ready |= {f.result(timeout=max(0.0, deadline - time.monotonic())) for f in futures}
            except TimeoutError as exc:
                raise RuntimeError(
                    f"{len(ready)} of {self.workers} worker processes started within "
                    f"{timeout_s:.0f}s: the machine is overloaded or a worker is stuck importing "
                    "the core; fewer workers (MEDWIRE_<SERVICE>_WORKERS) start faster"
                ) from exc
            if len(ready) < self.workers:
                time.sleep(0.1)  # the others are still importing

    def discard(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    shutdown = discard


def pool_handler(transform: Transform, pool: WorkerPool) -> BatchHandler:
    """A batch handler that runs `transform` on each record in worker processes (or inline when
    the pool has no workers), so CPU-heavy cores never block the event loop."""

    async def handle(records: Sequence[ConsumerRecord]) -> list[Processed]:
        executor = pool.get()
        if executor is None:
            return [apply_transform(transform, r.key, r.value) for r in records]
        loop = asyncio.get_running_loop()
        futures = [
            loop.run_in_executor(executor, apply_transform, transform, r.key, r.value)
            for r in records
        ]
        try:
            return list(await asyncio.gather(*futures))
        except BrokenProcessPool as exc:
            pool.discard()  # the next attempt gets fresh workers
            raise TransientError(f"worker process died: {exc}") from exc

    return handle


async def ensure_topics(
    settings: CommonSettings, names: Sequence[str], partitions: int = 3
) -> None:
    """Create the topics a stage uses if they are missing (idempotent)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [n for n in names if n not in existing]
        if missing:
            try:
                await admin.create_topics([NewTopic(n, partitions, 1) for n in missing])
            except TopicAlreadyExistsError:
                pass
    finally:
        await admin.close()


async def with_backoff(
    what: str,
    op: Callable[[], Awaitable[Any]],
    settings: CommonSettings,
    stop: asyncio.Event,
    on_retry: Callable[[], None] | None = None,
) -> Any:
    """Run `op` until it succeeds, sleeping 0.5 s, 1 s, 2 s … 30 s between failures. Once
    `stop` is set the last failure is raised, at once if it is set during a sleep."""
    delay = settings.retry_backoff_s
    while True:
        try:
            return await op()
        except (KafkaError, TransientError, OSError) as exc:
            if stop.is_set():
                raise
            log.warning(
                "%s failed (%s: %s); retrying in %.1fs", what, type(exc).__name__, exc, delay
            )
            if on_retry:
                on_retry()
            if await stopped_within(stop, delay):
                raise
            delay = min(delay * 2, 30.0)


async def stopped_within(stop: asyncio.Event, seconds: float) -> bool:
    """Wait `seconds`, or less if `stop` is set meanwhile; whether it was."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        return False
    return True


@contextmanager
def stop_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """While in this block, SIGTERM and SIGINT also set `stop`, then reach the handler that was
    there before (uvicorn's, which ends the server after its start-up): a process waiting for
    its database at start-up stops waiting when it is told to stop. Signals are only handled
    on the main thread; elsewhere the block changes nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    loop = asyncio.get_running_loop()
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

    def handler(sig: int, frame: FrameType | None) -> None:
        loop.call_soon_threadsafe(stop.set)
        before = previous[signal.Signals(sig)]
        if callable(before):
            before(sig, frame)

    for sig in previous:
        signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, before in previous.items():
            signal.signal(sig, before)


def failure_headers(
    reason: str, detail: str, stage: str, source: ConsumerRecord | None = None
) -> list[tuple[str, bytes]]:
    """The headers of a dead letter: why, where it failed and, for a consumed record, where it
    came from."""
    headers = [
        ("medwire-error-reason", reason.encode()),
        ("medwire-error-detail", detail.encode("utf-8")[:4000]),
        ("medwire-stage", stage.encode()),
    ]
    if source is not None:
        headers += [
            ("medwire-source-topic", source.topic.encode()),
            ("medwire-source-partition", str(source.partition).encode()),
            ("medwire-source-offset", str(source.offset).encode()),
        ]
    return [*headers, ("medwire-failed-at", datetime.now(UTC).isoformat().encode())]


def new_producer(settings: CommonSettings) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap,
        acks="all",
        enable_idempotence=True,
        # zstd level 3: smaller than gzip and several times cheaper than aiokafka's gzip level 9
        # (a crawler publishing 8 kB pages spent a third of its time compressing them).
        compression_type="zstd",
        max_request_size=settings.max_record_bytes,
        linger_ms=5,
    )


class Stage:
    """Consumes `in_topic`, hands each batch to `handler`, produces its outputs, commits."""

    def __init__(
        self,
        settings: CommonSettings,
        service: str,
        in_topic: str,
        out_topics: Sequence[str],
        handler: BatchHandler,
        metrics: StageMetrics,
    ) -> None:
        self.settings = settings
        self.service = service
        self.in_topic = settings.topic(in_topic)
        self.dlq_topic = settings.topic(f"{in_topic}.dlq")
        self.out_topics = [settings.topic(t) for t in out_topics]
        self.handler = handler
        self.metrics = metrics
        metrics.expect_input(self.in_topic)
        self.consumer: AIOKafkaConsumer | None = None
        self.producer: AIOKafkaProducer | None = None
        self.running = False
        self.last_batch_at: float | None = None
        self._lag_task: asyncio.Task[None] | None = None
        # Kafka timestamps (ms): of the first record of the batch in hand (the oldest waiting
        # while it is retried), and of the last record done on each partition.
        self._batch_started: dict[TopicPartition, int] = {}
        self._last_done: dict[TopicPartition, int] = {}

    async def health(self) -> dict[str, Any]:
        return {
            "ok": self.running,
            "service": self.service,
            "input": self.in_topic,
            "last_batch_at": self.last_batch_at,
        }

    async def _start_clients(self, stop: asyncio.Event) -> None:
        topics = [self.in_topic, self.dlq_topic, *self.out_topics]
        await with_backoff(
            "creating topics", lambda: ensure_topics(self.settings, topics), self.settings, stop
        )
        self.producer = new_producer(self.settings)
        await with_backoff("starting producer", self.producer.start, self.settings, stop)
        self.consumer = AIOKafkaConsumer(
            self.in_topic,
            bootstrap_servers=self.settings.kafka_bootstrap,
            group_id=self.settings.group(f"medwire-{self.service}"),
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=self.settings.batch_size,
            fetch_max_bytes=max(52428800, self.settings.max_record_bytes),
            max_partition_fetch_bytes=self.settings.max_record_bytes,
        )
        await with_backoff("starting consumer", self.consumer.start, self.settings, stop)

    async def run(self, stop: asyncio.Event) -> None:
        await self._start_clients(stop)
        assert self.consumer is not None and self.producer is not None
        self.running = True
        log.info("%s consuming %s", self.service, self.in_topic)
        try:
            while not stop.is_set():
                batches = await self.consumer.getmany(
                    timeout_ms=500, max_records=self.settings.batch_size
                )
                for tp, records in batches.items():
                    await self._process_partition_batch(tp, records, stop)
                await self._update_lag()
        finally:
            self.running = False
            if self._lag_task is not None:
                self._lag_task.cancel()
                await asyncio.gather(self._lag_task, return_exceptions=True)
            await self.consumer.stop()
            await self.producer.stop()

    async def _process_partition_batch(
        self, tp: TopicPartition, records: list[ConsumerRecord], stop: asyncio.Event
    ) -> None:
        assert self.consumer is not None
        self.metrics.consumed.labels(self.in_topic).inc(len(records))
        self._batch_started[tp] = records[0].timestamp
        results = await with_backoff(
            f"processing {len(records)} records of {tp.topic}[{tp.partition}]",
            lambda: self.handler(records),
            self.settings,
            stop,
            on_retry=self._process_retried,
        )
        await with_backoff(
            "producing outputs",
            lambda: self._produce(records, results),
            self.settings,
            stop,
            on_retry=lambda: self.metrics.retries.labels("produce").inc(),
        )
        await with_backoff(
            "committing offsets",
            lambda: self.consumer.commit({tp: records[-1].offset + 1}),  # type: ignore[union-attr]
            self.settings,
            stop,
            on_retry=lambda: self.metrics.retries.labels("commit").inc(),
        )
        self.last_batch_at = time.time()
        self._batch_started.pop(tp, None)
        self._last_done[tp] = records[-1].timestamp

    async def _produce(self, records: Sequence[ConsumerRecord], results: list[Processed]) -> None:
        assert self.producer is not None
        pending = []
        for record, result in zip(records, results, strict=True):
            self.metrics.processing.observe(result.seconds)
            if result.failure is not None:
                pending.append(await self._send_to_dlq(record, result.failure))
                continue
            for out in result.outputs:
                topic = self.settings.topic(out.topic)
                try:
                    pending.append(await self.producer.send(topic, out.value, key=out.key))
                except MessageSizeTooLargeError:
                    too_large = RecordError(
                        "output_too_large",
                        f"{self.service}: output for {topic} "
                        f"is {len(out.value)} bytes, over max_record_bytes",
                    )
                    pending.append(await self._send_to_dlq(record, too_large))
                    continue
                self.metrics.produced.labels(topic).inc()
        await asyncio.gather(*pending)

    async def _send_to_dlq(
        self, record: ConsumerRecord, failure: RecordError
    ) -> asyncio.Future[Any]:
        assert self.producer is not None
        detail = str(failure)
        # A page verdict (a 404, a page with no article) is the web as it is, not a failure of
        # the record or the stage: logged at info, still dead-lettered and counted.
        level = logging.INFO if failure.reason in PAGE_VERDICTS else logging.ERROR
        log.log(
            level,
            "%s: record %s[%d]@%d failed: %s; sent to %s",
            self.service,
            record.topic,
            record.partition,
            record.offset,
            detail,
            self.dlq_topic,
            extra={"reason": failure.reason, "key": (record.key or b"").decode("utf-8", "replace")},
        )
        self.metrics.dead_letter(self.in_topic, failure.reason)
        headers = failure_headers(failure.reason, detail, self.service, record)
        future: asyncio.Future[Any] = await self.producer.send(
            self.dlq_topic, record.value, key=record.key, headers=headers
        )
        return future

    def _process_retried(self) -> None:
        self.metrics.retries.labels("process").inc()
        if self._lag_task is None or self._lag_task.done():
            self._lag_task = asyncio.create_task(self._update_lag_while_retrying())

    async def _update_lag_while_retrying(self) -> None:
        """While a batch is retried (the database or OpenSearch away) no fetch moves the high
        watermarks, and the batch is fetched but not done: what waits is everything past the
        committed offsets, asked of the broker, so that the lag grows during the outage."""
        assert self.consumer is not None
        partitions = list(self.consumer.assignment())
        try:
            ends = await self.consumer.end_offsets(partitions)
            for tp in partitions:
                committed = await self.consumer.committed(tp) or 0
                self._set_lag(tp, max(0, ends[tp] - committed), self._batch_started.get(tp))
        except (KafkaError, OSError, TimeoutError) as exc:
            # The broker may be what is away: the lag is updated after the next batch.
            log.debug("%s: lag not updated while retrying: %s", self.service, exc)

    async def _update_lag(self) -> None:
        assert self.consumer is not None
        for tp in self.consumer.assignment():
            highwater = self.consumer.highwater(tp)
            if highwater is None:
                continue
            try:
                position = await self.consumer.position(tp)
            except KafkaError:
                continue
            self._set_lag(tp, max(0, highwater - position), self._last_done.get(tp))

    def _set_lag(self, tp: TopicPartition, records: int, oldest_ms: int | None) -> None:
        """The lag of `tp` in records, and in seconds: 0 when nothing waits, else the age of
        `oldest_ms`, the oldest record known to wait (while a batch is retried: its first) or,
        between batches, the last one done (the next is younger: an upper bound by at most the
        gap between two records). A record's Kafka timestamp is its produce time."""
        label = (tp.topic, str(tp.partition))
        self.metrics.lag.labels(*label).set(records)
        if records == 0:
            self.metrics.lag_seconds.labels(*label).set(0)
        elif oldest_ms is not None:
            age = max(0.0, time.time() - oldest_ms / 1000)
            self.metrics.lag_seconds.labels(*label).set(age)


async def run_service(
    stage: Stage,
    settings: CommonSettings,
    port: int,
    stop: asyncio.Event | None = None,
    health: HealthCheck | None = None,
) -> None:
    """Run a stage with its `/metrics` + `/healthz` server until SIGTERM/SIGINT (which set
    `stop`: a service that has work of its own to end on them passes its event). `/healthz`
    answers `health` (default: the stage's own)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    server, server_task = start_http_server(settings.http_host, port, health or stage.health)
    try:
        await stage.run(stop)
    finally:
        server.should_exit = True
        await server_task


def run_transform_service(
    service: str,
    settings: CommonSettings,
    port: int,
    workers: int,
    in_topic: str,
    out_topic: str,
    transform: Transform,
    warm: Warm | None = None,
) -> None:
    """Entry point of a pure transform stage (cleaner, extractor): logs, pool, stage, server.
    `warm` loads what the core would load on its first record (run in each worker at start)."""
    configure_logging(service, settings.log_level)
    log.info("%s starting", service, extra={"settings": settings.masked()})
    pool = WorkerPool(workers)
    stage = Stage(
        settings,
        service,
        in_topic,
        [out_topic],
        pool_handler(transform, pool),
        StageMetrics(service),
    )
    try:
        # Workers are ready before the port is bound: a healthy service has them warm.
        started = time.perf_counter()
        pool.start(transform, warm=warm)
        log.info(
            "%s: %d worker processes ready in %.1fs",
            service,
            workers,
            time.perf_counter() - started,
        )
        asyncio.run(run_service(stage, settings, port))
    finally:
        pool.shutdown()
