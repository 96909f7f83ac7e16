"""Worker processes never hold their service's listening socket, and end when their service is
killed (no Kafka here: tests/integration/test_process_hygiene.py kills real services)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from medwire_common.stage import WorkerPool
from tests.support import ROOT

# A service in miniature: it spawns one worker that calls die_with_parent, says the worker's
# pid, and sleeps until it is killed.
SERVICE = """
import multiprocessing, sys, time
from medwire_common.lifetime import die_with_parent

def worker():
    die_with_parent()
    time.sleep(120)

if __name__ == "__main__":
    child = multiprocessing.get_context("spawn").Process(target=worker)
    child.start()
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(child.pid))
    import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    time.sleep(120)
"""


def running(pid: int) -> bool:
    """True while `pid` runs (a zombie has ended; it waits only to be reaped by its adopter)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_until(check: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def test_a_worker_ends_when_its_service_is_killed(tmp_path: Path) -> None:
    script, pid_file = tmp_path / "service.py", tmp_path / "worker.pid"
    script.write_text(SERVICE)
    service = subprocess.Popen([sys.executable, str(script), str(pid_file)], cwd=ROOT)
    worker = 0
    try:
        assert wait_until(pid_file.exists, timeout=60), "the service did not start its worker"
        # Killed at any point of the worker's start: before die_with_parent, the worker finds
        # itself an orphan there; after it, the kernel kills it.
        worker = int(pid_file.read_text())
        service.send_signal(signal.SIGKILL)
        service.wait(timeout=10)
        assert wait_until(lambda: not running(worker), timeout=10), "the worker outlived it"
    finally:
        service.kill()
        service.wait(timeout=10)
        if worker and running(worker):
            os.kill(worker, signal.SIGKILL)


def listening_sockets(pid: int) -> set[str]:
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:"):
            found.add(target)
    return found


def test_pool_workers_do_not_hold_the_services_port() -> None:
    # The port is bound before the pool starts its worker, as it is when a pool whose worker
    # died is replaced while the service runs.
    with socket.create_server(("127.0.0.1", 0)) as server:
        inode = os.readlink(f"/proc/self/fd/{server.fileno()}")
        pool = WorkerPool(1)
        try:
            executor = pool.get()
            assert executor is not None
            worker = executor.submit(os.getpid).result(timeout=120)
            assert worker != os.getpid()
            assert inode not in listening_sockets(worker), "the worker holds the service's port"
        finally:
            pool.shutdown()
