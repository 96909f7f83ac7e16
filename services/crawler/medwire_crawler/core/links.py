"""Which links of a feed, sitemap or list page are articles and which are pages to follow."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urljoin

from lxml import etree

# Article URLs of Chinese news sites usually carry a date or a numeric id.
_ARTICLE_SHAPE = re.compile(
    r"/(?:20\d{2}[-/_]?\d{2}[-/_]?\d{2}|20\d{2}-\d{2}/\d{2}|content_\d+|\d{5,})[^/]*(?:/[^/]*)?$|\.s?html?$"
)


def is_article(url: str, pattern: str | None) -> bool:
    return bool(re.search(pattern, url)) if pattern else bool(_ARTICLE_SHAPE.search(url))


def classify_links(
    base: str, hrefs: Iterable[str], article_pattern: str | None, follow_pattern: str | None
) -> tuple[list[str], list[str]]:
    """Split the links of a list page into (articles, pages to follow), absolute, in order."""
    articles: list[str] = []
    follow: list[str] = []
    for href in hrefs:
        href = href.strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        url = urljoin(base, href).split("#", 1)[0]
        if follow_pattern and re.search(follow_pattern, url):
            follow.append(url)
        elif is_article(url, article_pattern):
            articles.append(url)
    return list(dict.fromkeys(articles)), list(dict.fromkeys(follow))


def feed_links(body: bytes) -> list[str]:
    """Item links of an RSS 2.0 or Atom feed."""
    root = etree.fromstring(body, parser=etree.XMLParser(recover=True, resolve_entities=False))
    if root is None:
        return []
    links = [
        el.text.strip()
        for el in root.iter("link")
        if el.text
        and el.text.strip()
        and el.getparent() is not None
        and el.getparent().tag == "item"
    ]
    atom = "{http://www.w3.org/2005/Atom}"
    for entry in root.iter(f"{atom}entry"):
        for link in entry.iter(f"{atom}link"):
            if link.get("rel", "alternate") == "alternate" and link.get("href"):
                links.append(link.get("href"))
    return list(dict.fromkeys(links))
