"""The chaos harness: a Kafka broker and a PostgreSQL of its own (started, killed and restarted
with scripts/lib/infra.sh), the four services as processes, the generated site, a crawl of it,
faults injected while it runs, and what the pipeline holds once it has drained.

`run_scenario` is shared by tests/chaos/test_chaos.py (which asserts on its report) and
bench/chaos.py (which writes the figures to BENCHMARKS.md)."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from medwire_common.schemas import CrawlRequest
from tests.chaos.site import expected_article_ids
from tests.support import ROOT, ServiceProcess, crawler_env, free_port, produce

SERVICES = ("api", "cleaner", "extractor", "crawler")
# Each stage's input topic; the crawler's progress is what it publishes (pages.raw), since it
# commits its crawl request only when the whole crawl is done.
INPUTS = {
    "crawler": "crawl.requests",
    "cleaner": "pages.raw",
    "extractor": "articles.clean",
    "api": "articles.enriched",
}
DLQS = [f"{topic}.dlq" for topic in INPUTS.values()]
DATA_TOPICS = ("pages.raw", "articles.clean", "articles.enriched")
SOURCE = "chaos-site"


@dataclass(frozen=True)
class Fault:
    """`kind` is "kill" (SIGKILL `target`, then start it again), "broker" (SIGKILL Kafka, then
    start it again) or "postgres" (fast stop, start); injected once `at` of the site's pages
    have been published, and what it stopped stays down `down_s` before it is started again."""

    at: float
    kind: str
    target: str = ""
    down_s: float = 0

    @property
    def name(self) -> str:
        return {"kill": f"SIGKILL {self.target}", "broker": "SIGKILL Kafka"}.get(
            self.kind, "restart PostgreSQL"
        )

    @property
    def interrupts_crawl(self) -> bool:
        """Whether the fault is meant to land while the crawl runs (the others may land while
        the pipeline still works through what the crawl published)."""
        return self.kind == "broker" or self.target == "crawler"

    @property
    def stages(self) -> tuple[str, ...]:
        """The stages that stop while the fault lasts."""
        if self.kind == "kill":
            return (self.target,)
        return SERVICES if self.kind == "broker" else ("api", "crawler")


@dataclass(frozen=True)
class Scenario:
    pages: int
    site_delay_s: float  # each article response is held this long (the crawl's pace)
    faults: tuple[Fault, ...]
    drain_timeout_s: float


# Longer than a producer waits for the broker (aiokafka's request timeout, 40 s) once the time
# Kafka takes to start again (10-20 s here) is added: what was sent meanwhile times out.
BROKER_DOWN_S = 30

FULL = Scenario(
    pages=3000,
    site_delay_s=0.3,
    faults=(
        Fault(0.10, "kill", "crawler"),
        Fault(0.25, "broker", down_s=BROKER_DOWN_S),
        Fault(0.40, "kill", "cleaner"),
        Fault(0.55, "kill", "extractor"),
        Fault(0.65, "postgres"),
        Fault(0.75, "kill", "api"),
    ),
    drain_timeout_s=600,
)
SHORT = Scenario(
    pages=400,
    site_delay_s=0.3,
    faults=(Fault(0.2, "broker", down_s=BROKER_DOWN_S), Fault(0.5, "kill", "cleaner")),
    drain_timeout_s=240,
)


@dataclass(frozen=True)
class StageState:
    done: int  # records committed (the crawler: pages published)
    lag: int  # records of its input not yet committed


@dataclass
class Recovery:
    fault: Fault
    during_crawl: bool
    back_s: float | None = None  # until the killed process answered again
    resumed_s: float | None = None  # until every stopped stage progressed or had caught up
    error: str | None = None


@dataclass
class Report:
    scenario: Scenario
    expected: int = 0
    stored: int = 0
    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    duplicate_rows: int = 0
    lag: dict[str, int] = field(default_factory=dict)
    dead_letters: dict[str, int] = field(default_factory=dict)
    # (records, distinct keys) of each topic between stages: a record there twice is a
    # duplicate that the next stage absorbed (the same ids, an idempotent write)
    records: dict[str, tuple[int, int]] = field(default_factory=dict)
    recoveries: list[Recovery] = field(default_factory=list)
    crawl_s: float | None = None
    drain_s: float | None = None
    total_s: float = 0.0
    drained: bool = False
    error: str | None = None
    logs: str = ""

    @property
    def problems(self) -> list[str]:
        found = [self.error] if self.error else []
        if not self.drained:
            found.append(f"the pipeline did not drain within {self.scenario.drain_timeout_s:.0f} s")
        if self.missing:
            found.append(f"{len(self.missing)} articles missing, e.g. {self.missing[:3]}")
        if self.unexpected:
            found.append(f"{len(self.unexpected)} unexpected articles, e.g. {self.unexpected[:3]}")
        if self.duplicate_rows:
            found.append(f"{self.duplicate_rows} duplicate rows for one URL")
        found += [f"group {g} has lag {n}" for g, n in self.lag.items() if n]
        found += [f"{t} holds {n} dead letters" for t, n in self.dead_letters.items() if n]
        for r in self.recoveries:
            if r.fault.interrupts_crawl and not r.during_crawl:
                found.append(f"{r.fault.name} came after the crawl, which it was to interrupt")
            if r.error or r.resumed_s is None:
                error = (r.error or "its stages did not resume within 300 s").splitlines()
                found.append(f"{r.fault.name}: no recovery: {' / '.join(error[:1] + error[-2:])}")
        return found

    def summary(self) -> str:
        lines = [
            f"chaos: {self.scenario.pages} pages, {len(self.recoveries)} faults, "
            f"{self.total_s:.0f} s in all (crawl {fmt(self.crawl_s)}, drained "
            f"{fmt(self.drain_s)} after the last fault)",
            f"  articles: {self.stored} stored of {self.expected} expected, "
            f"{len(self.missing)} missing, {len(self.unexpected)} unexpected, "
            f"{self.duplicate_rows} duplicate rows",
            "  duplicates absorbed: "
            + ", ".join(
                f"{t} {n - d} ({n} records, {d} keys)" for t, (n, d) in self.records.items()
            ),
            f"  lag: {self.lag}; dead letters: {self.dead_letters}",
        ]
        for r in self.recoveries:
            lines.append(
                f"  {r.fault.name:<20} at {r.fault.at:.0%} ({'during' if r.during_crawl else 'after'}"
                f" the crawl): back {fmt(r.back_s)}, resumed {fmt(r.resumed_s)}"
                + (f" — {r.error}" if r.error else "")
            )
        return "\n".join(lines + [f"  problems: {self.problems or 'none'}"])


def fmt(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds:.1f} s"


class Infra:
    """Kafka and PostgreSQL of the chaos run, in `state`, by scripts/lib/infra.sh's recipes."""

    def __init__(self, state: Path) -> None:
        self.state = state
        self.kafka_port = free_port_pair()  # the broker's port and its controller's, next to it
        self.pg_port = free_port()
        self.kafka = f"127.0.0.1:{self.kafka_port}"
        self.database_url = f"postgresql://medwire@127.0.0.1:{self.pg_port}/medwire"

    async def infra(self, command: str, timeout: float = 180) -> None:
        with (self.state / "infra.log").open("ab") as log:
            proc = await asyncio.create_subprocess_exec(
                "bash", "-c", f"source scripts/lib/infra.sh; {command}",
                cwd=ROOT, stdout=log, stderr=log,
            )  # fmt: skip
            try:
                code = await asyncio.wait_for(proc.wait(), timeout)
            except TimeoutError:
                proc.kill()
                raise AssertionError(f"`{command}` did not finish within {timeout:.0f} s") from None
        if code:
            tail = (self.state / "infra.log").read_text(errors="replace")[-3000:]
            raise AssertionError(f"`{command}` failed ({code}):\n{tail}")

    async def start(self) -> None:
        await self.infra(f"kafka_start {self.state}/kafka {self.kafka_port}")
        await self.infra(f"pg_start {self.state}/pg {self.pg_port}")

    async def kill_broker(self) -> None:
        """SIGKILL the broker's JVM (its pid is the one infra.sh recorded), as a crash would."""
        pidfile = self.state / "kafka" / "kafka.pid"
        pid = int(pidfile.read_text())
        os.kill(pid, signal.SIGKILL)
        for _ in range(100):  # it is not our child: wait until it is gone (or a zombie)
            if not Path(f"/proc/{pid}").exists() or " Z " in Path(f"/proc/{pid}/stat").read_text():
                break
            await asyncio.sleep(0.1)
        pidfile.unlink()  # a zombie would still pass infra.sh's `kill -0`

    async def start_broker(self) -> None:
        """Start the broker again; on a loaded machine its JVM may take longer than infra.sh
        waits for its port (90 s): then wait for the process that is still starting."""
        try:
            await self.infra(f"kafka_start {self.state}/kafka {self.kafka_port}")
        except AssertionError:
            pid = int((self.state / "kafka" / "kafka.pid").read_text())
            if not Path(f"/proc/{pid}").exists():
                raise
            await wait_port(self.kafka_port, 300, f"Kafka (pid {pid}, log {self.state}/kafka)")

    async def restart_postgres(self, down_s: float = 0) -> None:
        await self.infra(f"pg_stop {self.state}/pg")
        await asyncio.sleep(down_s)
        await self.infra(f"pg_start {self.state}/pg {self.pg_port}")

    async def stop(self) -> None:
        await self.infra(f"kafka_stop {self.state}/kafka; pg_stop {self.state}/pg")


def free_port_pair() -> int:
    """A port p with p + 1 free too (Kafka's listener and its controller's)."""
    for _ in range(50):
        port = free_port()
        try:
            with __import__("socket").socket() as s:
                s.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            continue
    raise AssertionError("no two consecutive free ports on 127.0.0.1")


class Offsets:
    """Reads, on the chaos broker, each stage's committed offsets against its input's end
    offsets. Clients are made again after any failure (the broker may have been killed)."""

    def __init__(self, kafka: str, prefix: str) -> None:
        self.kafka, self.prefix = kafka, prefix
        self.admin: AIOKafkaAdminClient | None = None
        self.consumer: AIOKafkaConsumer | None = None

    async def _clients(self) -> tuple[AIOKafkaAdminClient, AIOKafkaConsumer]:
        if self.admin is None or self.consumer is None:
            admin = AIOKafkaAdminClient(bootstrap_servers=self.kafka, request_timeout_ms=5000)
            consumer = AIOKafkaConsumer(
                bootstrap_servers=self.kafka, group_id=None, request_timeout_ms=5000
            )
            self.admin, self.consumer = admin, consumer  # closed by close() if a start fails
            await admin.start()
            await consumer.start()
        return self.admin, self.consumer

    async def close(self) -> None:
        admin, consumer, self.admin, self.consumer = self.admin, self.consumer, None, None
        for client in (admin, consumer):
            if client is not None:
                with suppress(Exception):
                    await asyncio.wait_for(
                        client.close() if client is admin else client.stop(),  # type: ignore[union-attr]
                        5,
                    )

    async def end_offsets(self, topic: str) -> dict[TopicPartition, int]:
        _, consumer = await self._clients()
        partitions = consumer.partitions_for_topic(self.prefix + topic)
        if not partitions:
            await consumer._client.force_metadata_update()  # noqa: SLF001 - a topic just made
            partitions = consumer.partitions_for_topic(self.prefix + topic) or set()
        tps = [TopicPartition(self.prefix + topic, p) for p in sorted(partitions)]
        return dict(await consumer.end_offsets(tps)) if tps else {}

    async def committed(self, service: str) -> dict[TopicPartition, int]:
        admin, _ = await self._clients()
        offsets = await admin.list_consumer_group_offsets(f"{self.prefix}medwire-{service}")
        return {tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}

    async def lag(self, service: str) -> int:
        ends = await self.end_offsets(INPUTS[service])
        committed = await self.committed(service)
        return sum(max(0, end - committed.get(tp, 0)) for tp, end in ends.items())

    async def sample(self) -> dict[str, StageState] | None:
        """Every stage's state now, or None while the broker does not answer."""
        try:
            return await asyncio.wait_for(self._sample(), 8)
        except Exception:  # noqa: BLE001 - the broker is down or coming back: try again later
            await self.close()
            return None

    async def _sample(self) -> dict[str, StageState]:
        states = {}
        for service, topic in INPUTS.items():
            ends = await self.end_offsets(topic)
            committed = await self.committed(service)
            lag = sum(max(0, end - committed.get(tp, 0)) for tp, end in ends.items())
            states[service] = StageState(sum(committed.values()), lag)
        published = sum((await self.end_offsets("pages.raw")).values())
        states["crawler"] = StageState(published, states["crawler"].lag)
        return states


@dataclass
class Monitor:
    """Samples every stage's state once a second while the scenario runs."""

    offsets: Offsets
    samples: list[tuple[float, dict[str, StageState]]] = field(default_factory=list)

    async def run(self) -> None:
        while True:
            at = time.monotonic()  # a sample is no newer than its first read
            state = await self.offsets.sample()
            if state is not None:
                self.samples.append((at, state))
            await asyncio.sleep(1)

    def latest(self) -> dict[str, StageState] | None:
        return self.samples[-1][1] if self.samples else None

    async def wait(
        self, holds: Callable[[dict[str, StageState]], bool], timeout: float, after: float = 0
    ) -> tuple[float, dict[str, StageState]] | None:
        """The first sample taken after `after` in which `holds` (time, states), or None."""
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for at, state in self.samples[seen:]:
                if at > after and holds(state):
                    return at, state
            seen = len(self.samples)
            if time.monotonic() >= deadline:
                return None
            await asyncio.sleep(0.5)


class Stack:
    """The site, the broker, the database and the four services of one chaos run."""

    def __init__(self, scenario: Scenario, state: Path) -> None:
        self.scenario = scenario
        self.state = state
        self.infra = Infra(state)
        self.prefix = "chaos."
        self.site_port = free_port()
        self.site_url = f"http://127.0.0.1:{self.site_port}"
        self.site: subprocess.Popen[bytes] | None = None
        self.services: dict[str, ServiceProcess] = {}

    async def start(self) -> None:
        self.site = subprocess.Popen(
            [sys.executable, "-m", "tests.chaos.site", "--pages", str(self.scenario.pages),
             "--port", str(self.site_port), "--delay-s", str(self.scenario.site_delay_s)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=(self.state / "site.log").open("wb"),
        )  # fmt: skip
        await self.infra.start()
        (self.state / "sources.yaml").write_text(
            f"sources:\n  - name: {SOURCE}\n    kind: sitemap\n"
            f'    start_urls: ["{self.site_url}/sitemap.xml"]\n    region: 山东省\n',
            encoding="utf-8",
        )
        ports = {name: free_port() for name in SERVICES}
        env = crawler_env(
            self.infra.kafka,
            self.prefix,
            MEDWIRE_DATABASE_URL=self.infra.database_url,
            MEDWIRE_SOURCES=str(self.state / "sources.yaml"),
            MEDWIRE_CRAWLER_RECRAWL_S="0",  # the one crawl is the one the run asks for
            **{f"MEDWIRE_{name.upper()}_PORT": str(port) for name, port in ports.items()},
        )
        self.services = {name: ServiceProcess(name, port, env) for name, port in ports.items()}
        await asyncio.gather(  # together: each spends its first seconds importing
            *(asyncio.to_thread(s.start, self.state, 180) for s in self.services.values())
        )
        await wait_http(self.site_url + "/robots.txt", 30)

    async def request_crawl(self) -> None:
        request = CrawlRequest(source=SOURCE).model_dump_json().encode()
        await produce(self.infra.kafka, self.prefix + "crawl.requests", [(b"127.0.0.1", request)])

    async def inject(self, fault: Fault) -> None:
        """The fault, and what brings the piece back (the restart an operator would do)."""
        if fault.kind == "kill":
            service = self.services[fault.target]
            service.kill()
            await asyncio.sleep(fault.down_s)
            await asyncio.to_thread(service.start, self.state, 120)
        elif fault.kind == "broker":
            await self.infra.kill_broker()
            await asyncio.sleep(fault.down_s)
            await self.infra.start_broker()
        else:
            await self.infra.restart_postgres(fault.down_s)

    def logs(self) -> str:
        """The end of each service's log, each line cut short (a failed item is logged whole)."""
        return "\n\n".join(
            f"== {name} ({service.log_path})\n"
            + "\n".join(line[:300] for line in service.log_tail(15).splitlines())
            for name, service in self.services.items()
        )

    async def stop(self) -> None:
        for service in self.services.values():
            await asyncio.to_thread(service.stop)
        if self.site is not None:
            self.site.terminate()
            self.site.wait(timeout=20)
        await self.infra.stop()


async def wait_port(port: int, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.5)
    raise AssertionError(f"{what} did not listen on 127.0.0.1:{port} within {timeout:.0f} s")


async def wait_http(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            await asyncio.to_thread(lambda: urllib.request.urlopen(url, timeout=2).read())
            return
        except OSError:
            await asyncio.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {timeout:.0f} s")


def state_dir() -> Path:
    """A directory PostgreSQL's user can reach too (it runs as `postgres` under root)."""
    parent = os.environ.get("MEDWIRE_TEST_STATE") or None
    state = Path(tempfile.mkdtemp(prefix="medwire-chaos.", dir=parent))
    state.chmod(0o755)
    return state


async def run_scenario(scenario: Scenario, state: Path) -> Report:
    """Crawl the site once, inject every fault of `scenario` into that crawl (each after the
    previous one has recovered), wait for the pipeline to drain and report what it holds."""
    report = Report(scenario)
    stack = Stack(scenario, state)
    started = time.monotonic()
    monitor = Monitor(Offsets(stack.infra.kafka, stack.prefix))
    monitor_task = None
    # The test process's own clients log every refused connection while the broker is down.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    try:
        await stack.start()
        monitor_task = asyncio.create_task(monitor.run())
        await stack.request_crawl()
        crawl_started = time.monotonic()
        say(f"crawl of {scenario.pages} pages requested ({stack.site_url})")
        for fault in scenario.faults:
            recovery = await inject_and_recover(stack, monitor, fault)
            report.recoveries.append(recovery)
            say(f"{fault.name}: back {fmt(recovery.back_s)}, resumed {fmt(recovery.resumed_s)}"
                + (f" — {recovery.error}" if recovery.error else ""))  # fmt: skip
            if recovery.error:  # what did not come back cannot drain: no use waiting
                break
        else:
            last_fault = time.monotonic()
            drained = await monitor.wait(
                lambda s: all(st.lag == 0 for st in s.values()),
                scenario.drain_timeout_s,
                after=last_fault,
            )
            report.drained = drained is not None
            report.drain_s = drained[0] - last_fault if drained else None
            say(f"drained {fmt(report.drain_s)} after the last fault" if drained else "not drained")
        crawl_done = await monitor.wait(lambda s: s["crawler"].lag == 0, 0, after=crawl_started)
        report.crawl_s = crawl_done[0] - crawl_started if crawl_done else None
        try:
            await asyncio.wait_for(take_stock(stack, report), 300)
        except (Exception, TimeoutError) as exc:  # noqa: BLE001 - reported, with the logs
            report.error = f"could not take stock: {type(exc).__name__}: {exc}"
    finally:
        if monitor_task is not None:
            monitor_task.cancel()
            with suppress(asyncio.CancelledError):
                await monitor_task
        await monitor.offsets.close()
        report.logs = stack.logs()
        report.total_s = time.monotonic() - started
        await stack.stop()
    return report


def say(line: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] chaos: {line}", flush=True)


async def inject_and_recover(stack: Stack, monitor: Monitor, fault: Fault) -> Recovery:
    """Wait until `fault.at` of the pages are published, inject the fault, restart what it
    stopped and time how long until every stopped stage is working again: it has committed
    (the crawler: published) more than when the restart was done, or has nothing left to do."""
    due = fault.at * stack.scenario.pages
    await monitor.wait(lambda s: s["crawler"].done >= due, 300)
    latest = monitor.latest()
    recovery = Recovery(fault, during_crawl=bool(latest and latest["crawler"].lag > 0))
    at = time.monotonic()
    try:
        await stack.inject(fault)
    except AssertionError as exc:
        recovery.error = f"the restart failed: {exc}"
        return recovery
    recovery.back_s = time.monotonic() - at
    # A broker just started may listen minutes before it serves offsets on a loaded machine.
    baseline = await monitor.wait(lambda s: True, 180, after=time.monotonic())
    if baseline is None:
        recovery.error = "the broker's offsets could not be read for 180 s after the restart"
        return recovery
    since, before = baseline
    resumed = await monitor.wait(
        lambda s: all(s[n].done > before[n].done or s[n].lag == 0 for n in fault.stages),
        300,
        after=since,
    )
    recovery.resumed_s = resumed[0] - at if resumed is not None else None
    return recovery


async def take_stock(stack: Stack, report: Report) -> None:
    """What the database and the topics hold once the pipeline has drained."""
    expected = expected_article_ids(stack.site_url, stack.scenario.pages)
    report.expected = len(expected)
    db = await asyncpg.connect(stack.infra.database_url)
    try:
        ids = {r["article_id"] for r in await db.fetch("SELECT article_id FROM articles")}
        report.stored = await db.fetchval("SELECT count(*) FROM articles")
        report.duplicate_rows = await db.fetchval(
            "SELECT count(*) - count(DISTINCT canonical_url) FROM articles"
        )
    finally:
        await db.close()
    report.missing = sorted(expected[i] for i in set(expected) - ids)
    report.unexpected = sorted(ids - set(expected))
    offsets = Offsets(stack.infra.kafka, stack.prefix)
    try:
        report.lag = {name: await offsets.lag(name) for name in INPUTS}
        for topic in DLQS:
            report.dead_letters[topic] = sum((await offsets.end_offsets(topic)).values())
    finally:
        await offsets.close()
    for topic in DATA_TOPICS:
        report.records[topic] = await count_keys(stack, topic)


async def count_keys(stack: Stack, topic: str) -> tuple[int, int]:
    """(records, distinct keys) of a topic, read from the start."""
    consumer = AIOKafkaConsumer(
        stack.prefix + topic,
        bootstrap_servers=stack.infra.kafka,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        tps = [TopicPartition(stack.prefix + topic, p) for p in sorted(
            consumer.partitions_for_topic(stack.prefix + topic) or ()
        )]  # fmt: skip
        ends = await consumer.end_offsets(tps)
        records, keys = 0, set()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            positions = {tp: await consumer.position(tp) for tp in ends}
            if all(positions[tp] >= end for tp, end in ends.items()):
                break
            for batch in (await consumer.getmany(timeout_ms=1000)).values():
                records += len(batch)
                keys.update(r.key for r in batch)
        return records, len(keys)
    finally:
        await consumer.stop()
