"""Settings shared by every service, read from `MEDWIRE_*` environment variables (and `.env`)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MEDWIRE_", env_file=".env", extra="ignore")

    kafka_bootstrap: str = "127.0.0.1:9092"
    # Prepended to every topic and consumer group, so that tests (and tenants) do not collide.
    topic_prefix: str = ""
    log_level: str = "INFO"
    http_host: str = "0.0.0.0"
    # Largest record a producer may send (pages are bodies in base64).
    max_record_bytes: int = 16 * 1024 * 1024
    # Records fetched and processed per batch; offsets are committed per batch.
    batch_size: int = 64
    # First retry delay after a transient failure (broker or database down); doubles to 30 s.
    retry_backoff_s: float = 0.5
    # The search engine (issue #21). Empty: not used, reported "off". Probed for /healthz and
    # medwire_opensearch_up every opensearch_probe_s seconds.
    opensearch_url: str = "http://127.0.0.1:9200"
    opensearch_probe_s: float = 5.0

    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"

    def group(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"

    def masked(self) -> dict[str, Any]:
        """The settings as a dict for the first log line, secrets masked."""
        out: dict[str, Any] = {}
        for key, value in self.model_dump().items():
            if isinstance(getattr(self, key), SecretStr):
                value = "***"
            elif isinstance(value, str) and "://" in value:  # a password in a URL
                value = re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", value)
            out[key] = value
        return out
