"""A search as an OpenSearch request: the terms of `q` (every one must occur, a term of several
characters as written), the article filters as exact-match clauses, the order (relevance or
date, with `search_after` keys in the API's opaque cursors), and the snippet from highlighting.
Pure: the request is built and the response read here, sent elsewhere (`queries.search`).

The index (services/indexer, `core/document.py`) cuts Chinese into overlapping bigrams, as
`tokens` below does, so a term's bigrams in a row are the term as written."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from .cursor import BadCursor, decode_cursor, encode_cursor

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKENS = re.compile(rf"([{_HAN}]+)|([^\W_{_HAN}]+)")

# Characters NFKC changes into letters or digits: full-width letters and digits, circled and
# parenthesised numbers and letters, ligatures, compatibility ideographs. (Full-width
# punctuation, in every Chinese text, separates words either way: not worth an NFKC pass.)
_COMPATIBILITY = re.compile(
    "[\u2460-\u24ff\u3200-\u33ff\uf900-\ufaff\ufb00-\ufb4f\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]"
)

# Title matches weigh this many times a match in the text (the subtitle twice).
TITLE_BOOST = 3.0
SUBTITLE_BOOST = 2.0
# Recency: a match a year old scores half a new one, two years old a quarter (the PostgreSQL
# search divided by 1 + age in years: half at one year too). An undated article scores as one
# RECENCY_HALF_LIFE_DAYS * log2(1 / UNDATED_WEIGHT) days old: four years.
RECENCY_HALF_LIFE_DAYS = 365
UNDATED_WEIGHT = 1 / 16
# A snippet: one passage of the text around the best match, about this many characters; the
# text's beginning when only the title matches.
SNIPPET_CHARS = 120

Order = Literal["relevance", "newest", "oldest"]


class EmptyQuery(ValueError):
    pass


def normalise(text: str) -> str:
    """Full-width forms to ASCII, upper to lower case: what the index's analyser does too."""
    if _COMPATIBILITY.search(text):  # NFKC over every text costs more than it finds
        text = unicodedata.normalize("NFKC", text)
    return text.lower()


def tokens(text: str) -> list[str]:
    """The words of `text` as the index has them: bigrams of each Han run (a lone character
    stands alone), Latin words and numbers whole."""
    out: list[str] = []
    for han, word in _TOKENS.findall(normalise(text)):
        if word:
            out.append(word)
        elif len(han) == 1:
            out.append(han)
        else:
            out += map(str.__add__, han[:-1], han[1:])
    return out


def query_terms(q: str) -> list[str]:
    """The search terms of `q`: its whitespace-separated parts that have something to find."""
    return [t for t in (normalise(part) for part in q.split()) if tokens(t)]


def checked_query(q: str) -> list[str]:
    """The terms of `q`, or EmptyQuery (the caller's error) when it has none."""
    terms = query_terms(q)
    if not terms:
        raise EmptyQuery(f"the query {q!r} has no letters, digits or characters to search for")
    return terms


def _is_han_character(term: str) -> bool:
    return len(term) == 1 and bool(re.fullmatch(f"[{_HAN}]", term))


_FIELDS = {"title": TITLE_BOOST, "subtitle": SUBTITLE_BOOST, "text": 1.0}


def term_clause(term: str) -> dict[str, Any]:
    """One term in the title, subtitle or text. A single Han character finds the bigrams it
    starts (`药` finds 药品, not 医药): the index holds no single characters of a Han run."""
    if _is_han_character(term):
        prefixes = [
            {"prefix": {field: {"value": term, "boost": boost}}} for field, boost in _FIELDS.items()
        ]
        return {"bool": {"should": prefixes, "minimum_should_match": 1}}
    return {
        "multi_match": {
            "query": term,
            "type": "phrase",
            "fields": [f"{field}^{boost:g}" for field, boost in _FIELDS.items()],
        }
    }


@dataclass(frozen=True)
class SearchFilters:
    """The article filters OpenSearch holds, as the index has them (`organizations`: every name
    the organisation filter stands for; `division`: the leading digits of a place code)."""

    source: str | None = None
    published_from: date | None = None
    published_to: date | None = None
    organizations: tuple[str, ...] | None = None
    person: str | None = None
    division: str | None = None
    topic: str | None = None
    event_type: str | None = None
    min_relevance: float | None = None


def filter_clauses(f: SearchFilters) -> list[dict[str, Any]]:
    """Exact-match clauses (filter context: they neither score nor cost scoring)."""
    clauses: list[dict[str, Any]] = []
    if f.source:
        either = [{"term": {"source": f.source}}, {"term": {"source_domain": f.source}}]
        clauses.append({"bool": {"should": either, "minimum_should_match": 1}})
    dates = {
        bound: day.isoformat()
        for bound, day in (("gte", f.published_from), ("lte", f.published_to))
        if day
    }
    if dates:
        clauses.append({"range": {"published_at": dates}})
    if f.organizations is not None:
        clauses.append({"terms": {"organizations": list(f.organizations)}})
    if f.person:
        clauses.append({"term": {"persons": f.person}})
    if f.division:
        clauses.append({"prefix": {"adcodes": f.division}})
    if f.topic:
        clauses.append({"term": {"topics": f.topic}})
    if f.event_type:
        clauses.append({"term": {"event_types": f.event_type}})
    if f.min_relevance is not None:
        clauses.append({"range": {"relevance": {"gte": f.min_relevance}}})
    return clauses


def scored_query(q: str, f: SearchFilters, today: date) -> dict[str, Any]:
    """Every term of `q` must match (BM25, title boosted), within the filters; the score decays
    with the article's age on `today` (passed in, so pages of one search agree on it)."""
    matched = {
        "bool": {"must": [term_clause(t) for t in checked_query(q)], "filter": filter_clauses(f)}
    }
    half_life = f"{RECENCY_HALF_LIFE_DAYS}d"
    undated = {"bool": {"must_not": {"exists": {"field": "published_at"}}}}
    return {
        "function_score": {
            "query": matched,
            "functions": [
                # An undated article has no age: the decay leaves it at 1, this weighs it down.
                {
                    "exp": {
                        "published_at": {
                            "origin": today.isoformat(),
                            "scale": half_life,
                            "decay": 0.5,
                        }
                    }
                },
                {"filter": undated, "weight": UNDATED_WEIGHT},
            ],
            "score_mode": "multiply",
            "boost_mode": "multiply",
        }
    }


def sort_of(order: Order) -> list[dict[str, Any]]:
    """The sort of a page, the article id last (unique: `search_after` needs a total order).
    By date, undated articles come last when newest first and first when oldest first, as in
    PostgreSQL's listings."""
    if order == "relevance":
        return [{"_score": "desc"}, {"article_id": "desc"}]
    direction, missing = ("desc", "_last") if order == "newest" else ("asc", "_first")
    return [
        {"published_at": {"order": direction, "missing": missing}},
        {"article_id": direction},
    ]


def highlight() -> dict[str, Any]:
    """One passage of the text, matches in <mark>, the rest HTML-escaped (the html encoder)."""
    return {
        "encoder": "html",
        "pre_tags": ["<mark>"],
        "post_tags": ["</mark>"],
        "fields": {
            "text": {
                "type": "unified",
                "fragment_size": SNIPPET_CHARS,
                "number_of_fragments": 1,
                "no_match_size": SNIPPET_CHARS,
            }
        },
    }


def search_body(
    q: str,
    f: SearchFilters,
    order: Order,
    today: date,
    size: int,
    after: list[Any] | None = None,
) -> dict[str, Any]:
    """The body of `POST /<alias>/_search` for a page of `size` hits after `after`."""
    body: dict[str, Any] = {
        "query": scored_query(q, f, today),
        "sort": sort_of(order),
        "size": size,
        "_source": False,
        # Sorted by date, OpenSearch computes no score unless asked: the response has one.
        "track_scores": True,
        # Counting every match is not needed for a page (`next_cursor` says whether more come).
        "track_total_hits": False,
        "highlight": highlight(),
    }
    if after is not None:
        body["search_after"] = after
    return body


def ids_body(q: str, f: SearchFilters, size: int, after: list[Any] | None = None) -> dict[str, Any]:
    """Every match of `q` within `f`, `size` ids a request, without scores or snippets (for the
    routes that count, export or feed the matches from PostgreSQL)."""
    body: dict[str, Any] = {
        "query": {
            "bool": {
                "must": [term_clause(t) for t in checked_query(q)],
                "filter": filter_clauses(f),
            }
        },
        "sort": [{"article_id": "asc"}],
        "size": size,
        "_source": False,
        "track_total_hits": False,
    }
    if after is not None:
        body["search_after"] = after
    return body


def snippet_of(hit: dict[str, Any]) -> str:
    """The hit's passage of text, HTML-escaped with matches in <mark> (OpenSearch's html
    encoder escaped it); empty when the article has no text."""
    passages = hit.get("highlight", {}).get("text") or [""]
    return str(passages[0])


# A date sort's key for an undated article (OpenSearch reports a missing date as the lowest or
# highest long): travels in cursors as it came.
_KEY_TYPES = {"relevance": float, "newest": int, "oldest": int}


def cursor_of(order: Order, sort_values: list[Any]) -> str:
    """The opaque cursor after a hit, from its sort values (score or date key, article id)."""
    key, article_id = sort_values
    return encode_cursor(order, _KEY_TYPES[order](key), str(article_id))


def search_after_of(order: Order, cursor: str) -> list[Any]:
    """The `search_after` values of a cursor this API issued for `order`; BadCursor otherwise."""
    key, article_id = decode_cursor(cursor, order, _strict(_KEY_TYPES[order]), str)
    return [key, article_id]


def _strict(kind: type) -> Any:
    """`kind` of a cursor key that is already one: a date cursor of a PostgreSQL listing (an
    ISO date) is not a search's, nor is a score a date key."""

    def convert(value: Any) -> Any:
        if kind is int and not isinstance(value, int):
            raise BadCursor("its date key is not one a search issued")
        if kind is float and not isinstance(value, int | float):
            raise BadCursor("its score is not a number")
        return kind(value)

    return convert
