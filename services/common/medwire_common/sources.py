"""`sources.yaml`: what to crawl, validated at start with errors that name the bad entry. Read
by the crawler, and by the API to key crawl requests of a named source by its domain."""

from __future__ import annotations

import os
import re
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from .schemas import SourceConfig

_ENV = re.compile(r"\$\{([A-Z0-9_]+)(?::-([^}]*))?\}")


# One model for both: an entry of the file and a source managed through the admin API.
Source = SourceConfig


class SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sources: list[Source]


class SourcesError(ValueError):
    pass


def expand_env(text: str, env: dict[str, str]) -> str:
    """`${VAR}` and `${VAR:-default}` in the YAML are replaced from the environment."""
    return _ENV.sub(lambda m: env.get(m.group(1)) or (m.group(2) or ""), text)


def parse_sources(
    text: str, env: dict[str, str], origin: str = "sources.yaml"
) -> dict[str, Source]:
    try:
        data = yaml.safe_load(expand_env(text, env))
        parsed = SourcesFile.model_validate(data)
    except yaml.YAMLError as exc:
        raise SourcesError(f"{origin} is not valid YAML: {exc}") from exc
    except ValidationError as exc:
        lines = [f"  {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise SourcesError(f"{origin} is invalid:\n" + "\n".join(lines)) from exc
    by_name: dict[str, Source] = {}
    for source in parsed.sources:
        if source.name in by_name:
            raise SourcesError(f"{origin}: source name {source.name!r} appears twice")
        by_name[source.name] = source
    return by_name


def load_sources(path: str | Path) -> dict[str, Source]:
    p = Path(path)
    if not p.is_file():
        raise SourcesError(f"sources file {p} does not exist (set MEDWIRE_SOURCES)")
    return parse_sources(p.read_text(encoding="utf-8"), dict(os.environ), str(p))
