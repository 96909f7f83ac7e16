"""Child processes that end with the process that started them: a worker left behind by a service
killed with SIGKILL (which no handler of the service's can catch) would keep the service's port
and its share of the work, and the restarted service would fail with "address already in use"."""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent() -> None:
    """Have this process killed when the process that spawned it ends, however it ends.

    Call it first thing in a child started by `multiprocessing` with the "spawn" method (a pool
    initializer, an app factory of a uvicorn worker): the child must be its parent's own child,
    as spawned ones are ("forkserver" children are the fork server's)."""
    parent = multiprocessing.parent_process()
    if parent is None or parent.pid is None:
        return  # not a multiprocessing child: nothing to follow
    if not _ask_kernel_for_signal_on_parent_death(signal.SIGKILL):
        threading.Thread(target=_exit_when_orphaned, args=(parent.pid,), daemon=True).start()
    # The parent may have ended before the kernel was asked: this process is then already an
    # orphan, adopted by another process, and no signal will come.
    if os.getppid() != parent.pid:
        os._exit(1)


def _ask_kernel_for_signal_on_parent_death(sig: signal.Signals) -> bool:
    """PR_SET_PDEATHSIG (Linux): the kernel sends `sig` to this process when its parent ends."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    return bool(libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0)


def _exit_when_orphaned(parent: int) -> None:
    """Elsewhere, look once a second: an orphan is adopted, so its parent pid changes."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)
