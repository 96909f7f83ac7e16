"""Which links of a feed, sitemap or list page are articles and which are pages to follow."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree

# Article URLs of Chinese news sites usually carry a date or a numeric id.
_ARTICLE_SHAPE = re.compile(
    r"/(?:20\d{2}[-/_]?\d{2}[-/_]?\d{2}|20\d{2}-\d{2}/\d{2}|t20\d{6}_\d+|content_\d+|\d{5,})"
    r"[^/]*(?:/[^/]*)?$"
)
_PAGE_SUFFIX = re.compile(r"\.(?:s?html?|jhtml|jsp|aspx?|php)$|/[^/.]*\d[^/.]*/?$", re.I)
# Pagination: by the anchor's text (下一页, 尾页, a page number) or the URL's shape. Not 首页:
# in a navigation bar it is the site's home, and following it would crawl the whole site.
_PAGINATION_TEXT = re.compile(
    r"^(?:下一?页|上一?页|尾页|末页|more|next|prev|[›»>]+|\[?\d{1,4}\]?)$", re.I
)
_PAGINATION_URL = re.compile(
    r"(?:index|list|default|page)[_-]\d+\.s?html?$|[?&](?:page|p|pageno|pageindex|cur)=\d+", re.I
)
_HAN = re.compile(r"[\u4e00-\u9fff]")
# Documents are recorded as links (a notice often is a PDF); other binaries are skipped.
DOCUMENTS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".ofd")
BINARIES = (
    ".zip", ".rar", ".7z", ".gz", ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".svg",
    ".mp3", ".mp4", ".avi", ".flv", ".apk", ".exe", ".dmg", ".ppt", ".pptx", ".css", ".js",
)  # fmt: skip
HEADLINE_MIN_HAN = 8


def is_article(url: str, pattern: str | None, text: str = "") -> bool:
    """With a pattern, whether it matches. Without, whether the URL has an article's shape
    (a date or a long id), or the link reads like a headline (eight Han characters or more)
    and leads to a page rather than a directory."""
    if pattern:
        return bool(re.search(pattern, url))
    path = urlsplit(url).path
    if _ARTICLE_SHAPE.search(path):
        return True
    return len(_HAN.findall(text)) >= HEADLINE_MIN_HAN and bool(_PAGE_SUFFIX.search(path))


def is_pagination(url: str, text: str) -> bool:
    return bool(_PAGINATION_TEXT.match(text.strip()) or _PAGINATION_URL.search(url))


@dataclass
class Links:
    """A page's links, absolute, without fragments, each once, in page order."""

    articles: list[str] = field(default_factory=list)
    follow: list[str] = field(default_factory=list)  # list pages, editions, next pages
    documents: list[str] = field(default_factory=list)  # PDFs and office files, not fetched


def classify_links(
    base: str,
    anchors: Iterable[tuple[str, str]],
    article_pattern: str | None,
    follow_pattern: str | None,
    domain: str | None = None,
) -> Links:
    """Split a list page's anchors (href, text) into articles, pages to follow and documents.
    Links off `domain` (and its subdomains) and binaries are dropped."""
    links = Links()
    for href, text in anchors:
        href = href.strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        url = urljoin(base, href).split("#", 1)[0]
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or (
            domain and host != domain and not host.endswith("." + domain)
        ):
            continue
        path = parts.path.lower()
        if path.endswith(DOCUMENTS):
            links.documents.append(url)
        elif path.endswith(BINARIES):
            continue
        elif follow_pattern and re.search(follow_pattern, url):
            links.follow.append(url)
        elif is_article(url, article_pattern, text):
            links.articles.append(url)
        elif not follow_pattern and is_pagination(url, text):
            links.follow.append(url)
    for name in ("articles", "follow", "documents"):
        setattr(links, name, list(dict.fromkeys(getattr(links, name))))
    return links


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
