"""Helpers for integration and end-to-end tests: they talk to the real Kafka broker and
PostgreSQL that scripts/test starts, and run the services as real processes."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord

ROOT = Path(__file__).resolve().parents[1]


def require_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(
            f"{name} is not set: run the suite with scripts/test, which starts real Kafka, "
            "PostgreSQL and OpenSearch (integration tests never fake them)",
            pytrace=False,
        )
    return value


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


@dataclass
class ServiceProcess:
    """One medwire service run as `python -m medwire_<name>`, with its log kept for failures."""

    name: str
    port: int
    env: dict[str, str]
    args: list[str] = field(default_factory=list)
    log_path: Path | None = None
    proc: subprocess.Popen[bytes] | None = None
    # Every process group this service was started in (each start is a group of its own), so
    # that what a killed service left behind (its pool's workers) can be ended with it.
    groups: list[int] = field(default_factory=list)

    def start(
        self, log_dir: Path, timeout: float = 60, wait_healthy: bool = True
    ) -> ServiceProcess:
        self.log_path = log_dir / f"{self.name}-{self.port}.log"
        env = {**os.environ, **self.env}
        with self.log_path.open("ab") as log:  # appended: a restart keeps the crash's log
            log.write(f"--- {self.name} starting at {time.strftime('%H:%M:%S')}\n".encode())
            self.proc = subprocess.Popen(
                [sys.executable, "-m", f"medwire_{self.name}", *self.args],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.groups.append(self.proc.pid)
        if not wait_healthy:
            return self
        return self.wait_healthy(timeout)

    def wait_healthy(self, timeout: float = 60) -> ServiceProcess:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"{self.name} exited with {self.proc.returncode}:\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"{self.name} not healthy within {timeout}s:\n{self.log_tail()}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path or not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def metrics_text(self) -> str:
        with urllib.request.urlopen(f"{self.url}/metrics", timeout=5) as r:
            return r.read().decode()

    def kill(self) -> None:
        """SIGKILL the service's process (only it, as `kill -9 PID` would) and reap it."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=20)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for group in self.groups:  # whatever a killed start left running
            try:
                os.killpg(group, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self.groups.clear()


def promtool(*args: str) -> str:
    """promtool's output for `args` (installed with Prometheus by scripts/setup); fails the
    test when it finds a fault."""
    tool = shutil.which("promtool")
    assert tool, "promtool is not installed: scripts/setup installs prometheus from Debian"
    done = subprocess.run([tool, *args], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def service_env(kafka: str, prefix: str, **extra: str) -> dict[str, str]:
    env = {
        "MEDWIRE_KAFKA_BOOTSTRAP": kafka,
        "MEDWIRE_TOPIC_PREFIX": prefix,
        "MEDWIRE_LOG_LEVEL": "INFO",
        "MEDWIRE_RETRY_BACKOFF_S": "0.2",
    }
    env.update(extra)
    return env


def crawler_env(kafka: str, prefix: str, **extra: str) -> dict[str, str]:
    """A crawler's environment for tests: no politeness delay against the local fixture site,
    which is on 127.0.0.1 (an internal address the crawler reaches only when allow-listed)."""
    return service_env(
        kafka,
        prefix,
        **{
            "MEDWIRE_CRAWLER_DOWNLOAD_DELAY_S": "0",
            "MEDWIRE_CRAWLER_AUTOTHROTTLE_START_DELAY_S": "0.01",
            "MEDWIRE_CRAWLER_RETRY_BACKOFF_S": "0.05",
            "MEDWIRE_CRAWL_ALLOW": "127.0.0.1",
            **extra,
        },
    )


async def produce(kafka: str, topic: str, records: list[tuple[bytes | None, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=kafka, acks="all")
    await producer.start()
    try:
        for key, value in records:
            await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()


async def consume(
    kafka: str, topic: str, until: Callable[[list[ConsumerRecord]], bool], timeout: float = 60
) -> list[ConsumerRecord]:
    """Read `topic` from the start until `until(records)` holds or the time is up."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=kafka,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    records: list[ConsumerRecord] = []
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not until(records):
            batch = await consumer.getmany(timeout_ms=500)
            for msgs in batch.values():
                records.extend(msgs)
    finally:
        await consumer.stop()
    return records


def headers_of(record: ConsumerRecord) -> dict[str, str]:
    return {k: v.decode() for k, v in (record.headers or ())}


async def wait_for(check: Callable[[], Any], timeout: float = 60, interval: float = 0.5) -> Any:
    """Poll `check` (sync or async) until it returns something truthy."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if asyncio.iscoroutine(last):
            last = await last
        if last:
            return last
        await asyncio.sleep(interval)
    return last


class TcpProxy:
    """A loopback TCP proxy to a real server that a test can cut (refusing and dropping every
    connection) and restore, to play an outage of PostgreSQL or Kafka without faking either."""

    def __init__(self, target_host: str, target_port: int) -> None:
        import threading

        self.target = (target_host, target_port)
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self._server: asyncio.base_events.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=10)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._writers |= {writer, up_writer}
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        self._writers -= {writer, up_writer}

    def open(self) -> TcpProxy:
        async def start() -> None:
            self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)

        self._call(start())
        return self

    def cut(self) -> None:
        async def stop() -> None:
            if self._server is not None:
                self._server.close()
                self._server = None
            for writer in list(self._writers):
                writer.transport.abort()
            self._writers.clear()

        self._call(stop())


async def every_page(client: Any, path: str, params: dict[str, Any], pages: int = 40) -> list[str]:
    """The ids of every item of `path`'s pages, following `next_cursor` (at most `pages`)."""
    ids: list[str] = []
    cursor = None
    for _ in range(pages):
        response = await client.get(
            path, params={**params, **({"cursor": cursor} if cursor else {})}
        )
        assert response.status_code == 200, response.text
        ids += [item["article_id"] for item in response.json()["items"]]
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return ids
    raise AssertionError(f"the pages of {path} did not end within {pages}")
