"""A service killed with SIGKILL leaves no child process behind, and a new one starts on the same
port: the cleaner's worker pool and the API's worker processes die with the process that started
them (a pool worker left behind kept the port, ignored SIGTERM, and the restart failed with
"address already in use"). Real Kafka, real PostgreSQL, each service as a real process."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from tests.integration.test_api_storage import make_article
from tests.integration.test_dead_letters import fixture_raw_page
from tests.integration.test_outages import http_status
from tests.support import ServiceProcess, consume, free_port, produce, service_env, wait_for

pytestmark = pytest.mark.integration

# A cleaner's workers import its core before it is healthy, and an API starts two workers: on a
# machine shared by several test runs that took over a minute.
START_TIMEOUT_S = 180

Process = tuple[int, str]  # (pid, start time in clock ticks): a pid alone may be reused


def proc_stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name, or None when there is no PID."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()  # the name, in parentheses, may hold spaces


def descendants(pid: int) -> list[Process]:
    """Every process below `pid` (children, their children…), read from /proc."""
    children: dict[int, list[Process]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := proc_stat(int(entry.name))):
            children.setdefault(int(fields[1]), []).append((int(entry.name), fields[19]))
    found: list[Process] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child[0])
    return found


def still_running(processes: list[Process]) -> list[str]:
    """The command lines of those `processes` that still run (a zombie has ended: it only waits
    to be reaped by whoever adopted it)."""
    running = []
    for pid, started in processes:
        fields = proc_stat(pid)
        if fields and fields[0] != "Z" and fields[19] == started:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
            running.append(f"{pid}: {cmdline.decode(errors='replace')}")
    return running


def kill_leftovers(processes: list[Process]) -> None:
    """Do not let a failed test leave its service's children running."""
    for entry in still_running(processes):
        os.kill(int(entry.split(":")[0]), signal.SIGKILL)


async def assert_none_outlives(service: ServiceProcess, children: list[Process]) -> None:
    assert service.proc is not None
    service.proc.send_signal(signal.SIGKILL)
    service.proc.wait(timeout=10)
    assert await wait_for(lambda: not still_running(children), timeout=15), (
        f"{service.name}'s children outlived it:\n" + "\n".join(still_running(children))
    )


async def test_a_killed_cleaner_leaves_no_worker_and_restarts_on_its_port(
    kafka: str, topic_prefix: str, log_dir: Path
) -> None:
    port = free_port()
    env = service_env(
        kafka, topic_prefix, MEDWIRE_CLEANER_PORT=str(port), MEDWIRE_CLEANER_WORKERS="2"
    )
    raw = fixture_raw_page()
    page = (raw.page_id.encode(), raw.model_dump_json().encode())
    (log_dir / "first").mkdir()
    cleaner = ServiceProcess("cleaner", port, env)
    children: list[Process] = []
    restarted: ServiceProcess | None = None
    try:
        cleaner.start(log_dir / "first", START_TIMEOUT_S)
        await produce(kafka, topic_prefix + "pages.raw", [page])
        out = await consume(kafka, topic_prefix + "articles.clean", lambda rs: len(rs) >= 1)
        assert out, f"the cleaner did not clean the page:\n{cleaner.log_tail()}"
        assert cleaner.proc is not None
        children = descendants(cleaner.proc.pid)
        assert children, "the cleaner has no worker process: the pool was not used"

        await assert_none_outlives(cleaner, children)

        (log_dir / "second").mkdir()
        restarted = ServiceProcess("cleaner", port, env)
        restarted.start(log_dir / "second", START_TIMEOUT_S)
        await produce(kafka, topic_prefix + "pages.raw", [page])
        again = await consume(kafka, topic_prefix + "articles.clean", lambda rs: len(rs) > len(out))
        assert len(again) > len(out), (
            f"the restarted cleaner did not clean:\n{restarted.log_tail()}"
        )
    finally:
        cleaner.stop()
        kill_leftovers(children)
        if restarted is not None:
            restarted.stop()


async def test_a_killed_api_leaves_no_worker_and_restarts_on_its_port(
    kafka: str, topic_prefix: str, fresh_database: str, log_dir: Path
) -> None:
    port = free_port()
    (log_dir / "metrics").mkdir()
    env = service_env(
        kafka,
        topic_prefix,
        MEDWIRE_API_PORT=str(port),
        MEDWIRE_DATABASE_URL=fresh_database,
        MEDWIRE_API_WORKERS="2",
        MEDWIRE_RATE_LIMIT="0",
        PROMETHEUS_MULTIPROC_DIR=str(log_dir / "metrics"),
    )
    (log_dir / "first").mkdir()
    api = ServiceProcess("api", port, env)
    children: list[Process] = []
    restarted: ServiceProcess | None = None
    try:
        api.start(log_dir / "first", START_TIMEOUT_S)
        assert api.proc is not None
        children = descendants(api.proc.pid)
        assert children, "the API has no worker process"

        await assert_none_outlives(api, children)

        (log_dir / "second").mkdir()
        restarted = ServiceProcess("api", port, env)
        restarted.start(log_dir / "second", START_TIMEOUT_S)
        article = make_article(1)
        await produce(
            kafka,
            topic_prefix + "articles.enriched",
            [(article.article_id.encode(), article.model_dump_json().encode())],
        )
        stored = f"{restarted.url}/v1/articles/{article.article_id}"
        assert await wait_for(lambda: http_status(stored) == 200, timeout=60), (
            f"the restarted API did not store the article:\n{restarted.log_tail()}"
        )
    finally:
        api.stop()
        kill_leftovers(children)
        if restarted is not None:
            restarted.stop()
