"""What the HTML and plain-text readers hand to the normaliser: one article before cleaning."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class Draft:
    title: str
    paragraphs: list[str]
    published_at: date | None = None
    authors: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)
    subtitle: str | None = None
    flags: set[str] = field(default_factory=set)
    published_time: str | None = None
    origin: str | None = None
    captions: list[str] = field(default_factory=list)
