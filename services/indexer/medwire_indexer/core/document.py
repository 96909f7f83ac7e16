"""The search index: its explicit mapping (Chinese text as overlapping bigrams, exact-match
keyword fields for every filter, dates) and an enriched article's document in it."""

from __future__ import annotations

from typing import Any

from medwire_common.schemas import EnrichedArticle

# Bumped when the mapping changes: a new index `<alias>-v<N>` is built beside the old one.
MAPPING_VERSION = 1

# Chinese has no spaces: the standard tokenizer yields one token per Han character, cjk_bigram
# joins neighbours into overlapping bigrams (恒瑞医药 → 恒瑞 瑞医 医药), cjk_width folds
# full-width Latin and half-width kana first, lowercase folds Latin case.
ANALYSIS = {
    "analyzer": {
        "cjk_bigram_text": {
            "type": "custom",
            "tokenizer": "standard",
            "filter": ["cjk_width", "lowercase", "cjk_bigram"],
        }
    }
}

_TEXT = {"type": "text", "analyzer": "cjk_bigram_text"}
_KEYWORD = {"type": "keyword"}

PROPERTIES: dict[str, Any] = {
    "article_id": _KEYWORD,
    "url": {"type": "keyword", "index": False},
    "title": _TEXT,
    "subtitle": _TEXT,
    "text": _TEXT,
    "source": _KEYWORD,
    "source_domain": _KEYWORD,
    "published_at": {"type": "date", "format": "strict_date"},
    "fetched_at": {"type": "date", "format": "strict_date_optional_time"},
    "topics": _KEYWORD,
    "event_types": _KEYWORD,
    "organizations": _KEYWORD,
    "persons": _KEYWORD,
    "adcodes": _KEYWORD,
    "relevance": {"type": "float"},
    "dup_cluster": _KEYWORD,
}


def index_body(shards: int, replicas: int, alias: str) -> dict[str, Any]:
    """The body of `PUT /<alias>-v<N>`: settings, a strict mapping (a field the mapping does
    not name is refused, not guessed) and the alias."""
    return {
        "settings": {
            "index": {"number_of_shards": shards, "number_of_replicas": replicas},
            "analysis": ANALYSIS,
        },
        "mappings": {"dynamic": "strict", "properties": PROPERTIES},
        "aliases": {alias: {}},
    }


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def document_of(article: EnrichedArticle) -> dict[str, Any]:
    """What is searched and filtered on; the full record stays in PostgreSQL. Organisations
    are indexed by canonical name and every alias, so a filter by either finds the article."""
    return {
        "article_id": article.article_id,
        "url": article.url,
        "title": article.title,
        "subtitle": article.subtitle,
        "text": article.text,
        "source": article.source.name,
        "source_domain": article.source.domain,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "fetched_at": article.fetched_at.isoformat(),
        "topics": _unique(article.topics),
        "event_types": _unique([e.type for e in article.events]),
        "organizations": _unique([n for o in article.organizations for n in (o.name, *o.aliases)]),
        "persons": _unique([p.name for p in article.persons]),
        "adcodes": _unique([loc.adcode or "" for loc in article.locations]),
        "relevance": article.relevance,
        "dup_cluster": article.dup_cluster,
    }


def version_of(article: EnrichedArticle) -> int:
    """The document's external version: when the page was fetched, in milliseconds. A page
    fetched again is newer and replaces the document; the same fetch delivered again (a
    redelivery, a replay of the topic) is not newer and changes nothing."""
    return int(article.fetched_at.timestamp() * 1000)
