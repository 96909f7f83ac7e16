"""`python -m medwire_api`: serve the API (and its consumer) with uvicorn, in one process or in
`MEDWIRE_API_WORKERS` worker processes sharing the port."""

import logging
import os
import shutil
import tempfile
from pathlib import Path

import uvicorn

from medwire_common.logs import configure_logging

from .app import create_app
from .protocol import ProblemHttpProtocol
from .settings import ApiSettings

log = logging.getLogger(__name__)


def main() -> None:
    settings = ApiSettings()
    configure_logging("api", settings.log_level)
    log.info("api starting", extra={"settings": settings.masked()})
    serve = {
        "host": settings.http_host,
        "port": settings.http_port,
        "log_config": None,
        "access_log": False,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
        "http": ProblemHttpProtocol,  # an unparsable request is answered problem+json too
    }
    if settings.workers == 1:
        uvicorn.run(create_app(settings), **serve)
        return
    # Each worker counts in files of its own in this directory, and /metrics adds them up
    # (prometheus_client's multiprocess mode, chosen by this variable when a worker imports it).
    # A directory given is emptied of an earlier run's counts; one made here is removed after.
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    metrics = Path(given or tempfile.mkdtemp(prefix="medwire-api-metrics."))
    metrics.mkdir(parents=True, exist_ok=True)
    for stale in metrics.glob("*.db"):
        stale.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics)
    try:
        uvicorn.run("medwire_api.app:worker_app", factory=True, workers=settings.workers, **serve)
    finally:
        if not given:
            shutil.rmtree(metrics, ignore_errors=True)


if __name__ == "__main__":
    main()
