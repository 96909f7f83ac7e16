"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 documents of a list of articles (pure)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from email.utils import format_datetime
from xml.etree import ElementTree as ET

ATOM_NS = "http://www.w3.org/2005/Atom"


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    url: str
    summary: str
    source: str
    published: date | None
    fetched: datetime


@dataclass(frozen=True)
class Feed:
    title: str
    self_url: str  # this feed's URL, with its filters
    home_url: str  # the same filters on /v1/articles
    entries: list[Entry]


def _when(entry: Entry) -> datetime:
    """Publication date at midnight UTC, or the fetch time for undated articles."""
    if entry.published is None:
        return entry.fetched.astimezone(UTC)
    return datetime.combine(entry.published, time(), UTC)


def _updated(feed: Feed) -> datetime:
    return max((_when(e) for e in feed.entries), default=datetime(2000, 1, 1, tzinfo=UTC))


def _xml(root: ET.Element) -> bytes:
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def rss(feed: Feed) -> bytes:
    root = ET.Element("rss", {"version": "2.0"})
    root.set("xmlns:atom", ATOM_NS)
    channel = ET.SubElement(root, "channel")
    for tag, text in (("title", feed.title), ("link", feed.home_url)):
        ET.SubElement(channel, tag).text = text
    ET.SubElement(channel, "description").text = f"{feed.title}: articles newest first"
    ET.SubElement(channel, "language").text = "zh-CN"
    ET.SubElement(channel, "lastBuildDate").text = format_datetime(_updated(feed))
    ET.SubElement(
        channel, "atom:link", {"href": feed.self_url, "rel": "self", "type": "application/rss+xml"}
    )
    for e in feed.entries:
        item = ET.SubElement(channel, "item")
        ET.SubElement(item, "title").text = e.title
        ET.SubElement(item, "link").text = e.url
        ET.SubElement(item, "guid", {"isPermaLink": "false"}).text = e.id
        ET.SubElement(item, "pubDate").text = format_datetime(_when(e))
        ET.SubElement(item, "description").text = e.summary
        ET.SubElement(item, "source", {"url": feed.home_url}).text = e.source
    return _xml(root)


def atom(feed: Feed) -> bytes:
    root = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": "zh-CN"})
    ET.SubElement(root, "id").text = feed.self_url
    ET.SubElement(root, "title").text = feed.title
    ET.SubElement(root, "updated").text = _updated(feed).isoformat()
    ET.SubElement(root, "link", {"rel": "self", "href": feed.self_url})
    ET.SubElement(root, "link", {"rel": "alternate", "href": feed.home_url})
    ET.SubElement(ET.SubElement(root, "author"), "name").text = "medwire"
    for e in feed.entries:
        entry = ET.SubElement(root, "entry")
        ET.SubElement(entry, "id").text = f"urn:medwire:article:{e.id}"
        ET.SubElement(entry, "title").text = e.title
        ET.SubElement(entry, "link", {"rel": "alternate", "href": e.url})
        ET.SubElement(entry, "updated").text = _when(e).isoformat()
        ET.SubElement(entry, "published").text = _when(e).isoformat()
        ET.SubElement(entry, "summary").text = e.summary
        ET.SubElement(ET.SubElement(entry, "author"), "name").text = e.source
    return _xml(root)


def json_feed(feed: Feed) -> bytes:
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "home_page_url": feed.home_url,
        "feed_url": feed.self_url,
        "language": "zh-CN",
        "items": [
            {
                "id": e.id,
                "url": e.url,
                "title": e.title,
                "summary": e.summary,
                "content_text": e.summary,
                "date_published": _when(e).isoformat(),
                "authors": [{"name": e.source}],
            }
            for e in feed.entries
        ],
    }
    return json.dumps(document, ensure_ascii=False).encode()
