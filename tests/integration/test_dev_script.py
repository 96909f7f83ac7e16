"""`scripts/dev restart SERVICE` stops a service with its process group and starts it again,
appending to its log after a timestamped line; its health checks give up on a wedged service.
The script runs against a state directory of the test's own, the real Kafka and free ports."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from tests.integration.test_process_hygiene import Process, descendants, proc_stat, still_running
from tests.support import ROOT, free_port, service_env

pytestmark = pytest.mark.integration

STARTING = re.compile(r"^=== starting cleaner \(pid (\d+)\) at (\S+) ===$", re.MULTILINE)


@pytest.fixture
def dev(kafka: str, topic_prefix: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Runs `scripts/dev ARGS` on the test's state directory and ports; `down` afterwards."""
    env = {
        **os.environ,
        **service_env(kafka, topic_prefix),
        "MEDWIRE_DEV_STATE": str(tmp_path),
        "MEDWIRE_CLEANER_WORKERS": "1",
        **{
            f"MEDWIRE_{s}_PORT": str(free_port())
            for s in ("API", "CLEANER", "EXTRACTOR", "CRAWLER")
        },
    }

    def run(*args: str, timeout: float = 180, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(ROOT / "scripts/dev"), *args],
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    yield run
    run("down", timeout=60)


def running_cleaner(state: Path) -> Process:
    pid = int((state / "cleaner.pid").read_text())
    fields = proc_stat(pid)
    assert fields, f"the cleaner of {state}/cleaner.pid ({pid}) does not run"
    return pid, fields[19]


def test_restart_keeps_the_log_and_leaves_nothing_of_the_run_before(dev, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = dev("restart", "cleaner")  # nothing to stop yet: it starts
    assert first.returncode == 0, first.stderr
    pid, _ = before = running_cleaner(tmp_path)
    assert os.getpgid(pid) == pid, "the cleaner does not lead a process group of its own"
    workers = descendants(pid)
    assert workers, "the cleaner has no worker process"

    second = dev("restart", "cleaner")
    assert second.returncode == 0, second.stderr
    after = running_cleaner(tmp_path)
    assert after != before
    assert not still_running([before, *workers])

    log = (tmp_path / "cleaner.log").read_text()
    starts = STARTING.findall(log)
    assert [int(p) for p, _ in starts] == [pid, after[0]], log
    for _, at in starts:
        datetime.fromisoformat(at)
    first_run = log[: log.index(f"(pid {after[0]})")]
    assert '"msg": "cleaner starting"' in first_run, "the first run's log was not kept"


def test_a_wedged_service_is_reported_down_and_restarted(dev, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert dev("restart", "cleaner").returncode == 0
    wedged = running_cleaner(tmp_path)
    os.kill(wedged[0], signal.SIGSTOP)  # its port still accepts connections, nothing answers
    try:
        status = dev("status", timeout=60)
        assert "cleaner: DOWN" in status.stdout, status.stdout

        restarted = dev("restart", "cleaner", MEDWIRE_DEV_STOP_TIMEOUT_S="2")
        assert restarted.returncode == 0, restarted.stderr
        assert "cleaner did not stop within 2s of SIGTERM, killing it" in restarted.stderr
        assert running_cleaner(tmp_path) != wedged
        assert not still_running([wedged])
    finally:
        if still_running([wedged]):
            os.kill(wedged[0], signal.SIGKILL)


def infra(command: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """Runs `command` with scripts/lib/infra.sh's functions."""
    return subprocess.run(
        ["bash", "-c", f"source {ROOT}/scripts/lib/infra.sh; {command}"],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def alive(pid: int) -> bool:
    fields = proc_stat(pid)
    return bool(fields) and fields[0] != "Z"  # type: ignore[index]


def within(seconds: float, check: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_stopping_a_dead_service_kills_what_it_left_in_its_process_group(tmp_path: Path) -> None:
    prefix, child_file = tmp_path / "svc", tmp_path / "child.pid"
    started = infra(
        f"start_detached {prefix} svc bash -c 'sleep 300 & echo $! >{child_file}; wait'"
    )
    assert started.returncode == 0, started.stderr
    leader, child = int((tmp_path / "svc.pid").read_text()), 0
    try:
        assert within(10, child_file.exists)
        child = int(child_file.read_text())
        os.kill(leader, signal.SIGKILL)  # it dies; its child is left behind, still in its group
        assert within(10, lambda: not alive(leader))

        stopped = infra(f"stop_pidfile {prefix}.pid svc 5")
        assert stopped.returncode == 0, stopped.stderr
        assert f"killing what svc left running in its process group: {child}" in stopped.stderr
        assert within(10, lambda: not alive(child))
        assert not (tmp_path / "svc.pid").exists()
    finally:
        for pid in (leader, child):
            if pid and alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_restart_opensearch_runs_a_node_unprivileged_and_keeps_its_data(
    dev, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    import json
    import pwd
    import urllib.request

    from tests.support import require_env, unique

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    if os.getuid() == 0:
        # pytest's tmp_path lies in a folder of mode 700: the node's user cannot reach it, and
        # scripts/dev says so instead of starting a node that dies on it.
        closed = dev("restart", "opensearch", MEDWIRE_DEV_OPENSEARCH_PORT=str(port))
        assert closed.returncode != 0
        assert "cannot reach" in closed.stderr and "MEDWIRE_DEV_STATE" in closed.stderr
    # scripts/test's state folder is open to other users.
    state = Path(require_env("MEDWIRE_TEST_STATE")) / unique("dev")
    env = {"MEDWIRE_DEV_STATE": str(state), "MEDWIRE_DEV_OPENSEARCH_PORT": str(port)}
    try:
        first = dev("restart", "opensearch", timeout=240, **env)
        assert first.returncode == 0, first.stderr
        pid = int((state / "opensearch" / "opensearch.pid").read_text())
        if os.getuid() == 0:  # OpenSearch refuses root: it runs as its own user, owning its data
            owner = pwd.getpwuid(os.stat(f"/proc/{pid}").st_uid).pw_name
            assert owner == "medwire-opensearch"
            assert pwd.getpwuid((state / "opensearch" / "data").stat().st_uid).pw_name == owner
        request = urllib.request.Request(f"{base}/kept", method="PUT")
        urllib.request.urlopen(request, timeout=30).close()

        second = dev("restart", "opensearch", timeout=240, **env)
        assert second.returncode == 0, second.stderr
        assert "stopped opensearch" in second.stderr
        assert not alive(pid)
        with urllib.request.urlopen(f"{base}/kept", timeout=10) as r:
            assert "kept" in json.loads(r.read())
        log = (state / "opensearch" / "opensearch.log").read_text()
        assert len(re.findall(r"^=== starting opensearch \(pid \d+\)", log, re.MULTILINE)) == 2
    finally:
        dev("down", timeout=120, **env)
