"""`python -m medwire_api`: serve the API (and its consumer) with uvicorn."""

import logging

import uvicorn

from medwire_common.logs import configure_logging

from .app import create_app
from .settings import ApiSettings


def main() -> None:
    settings = ApiSettings()
    configure_logging("api", settings.log_level)
    logging.getLogger(__name__).info("api starting", extra={"settings": settings.masked()})
    uvicorn.run(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
    )


main()
