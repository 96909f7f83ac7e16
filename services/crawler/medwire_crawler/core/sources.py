"""`sources.yaml`: what to crawl, validated at start with errors that name the bad entry."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from medwire_common.ids import domain_of

_ENV = re.compile(r"\$\{([A-Z0-9_]+)(?::-([^}]*))?\}")


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    kind: Literal["sitemap", "rss", "list", "epaper"]
    start_urls: list[str] = Field(min_length=1)
    # Regexes on absolute URLs: which links are articles, which are list/edition pages to follow.
    article_pattern: str | None = None
    follow_pattern: str | None = None
    region: str | None = None
    language: str = "zh"
    verified: bool = Field(True, description="False when the source could not be checked from here")

    @field_validator("start_urls")
    @classmethod
    def _http_only(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"start URL {url!r} is not http(s)")
        return urls

    @field_validator("article_pattern", "follow_pattern")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{pattern!r} is not a valid regular expression: {exc}") from exc
        return pattern

    @property
    def domain(self) -> str:
        return domain_of(self.start_urls[0])


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
