"""Chinese full-text search without a dictionary: text is cut into overlapping character
bigrams (Latin words and numbers stay whole), the way Lucene's CJK analyser does, so that any
two or more characters of the text can be found whatever a segmenter would have made of them.

The `tsvector` and `tsquery` are written here as literals (PostgreSQL's `simple` parser would
treat a run of Han characters as one word, and what it calls a letter depends on the locale),
with positions so that a query term matches only as a contiguous phrase (`'恒瑞' <-> '瑞医'`).
"""

from __future__ import annotations

import html
import re
import unicodedata

# PostgreSQL keeps positions up to 16383 and at most 256 per lexeme; text beyond that is not
# indexed rather than indexed with wrong positions (which would make false phrase matches).
MAX_POSITION = 16383
MAX_WORD = 60

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKENS = re.compile(rf"([{_HAN}]+)|([^\W_{_HAN}]+)")


# Characters NFKC changes into letters or digits: full-width letters and digits, circled and
# parenthesised numbers and letters, ligatures, compatibility ideographs. (Full-width
# punctuation, in every Chinese text, separates lexemes either way: not worth an NFKC pass.)
_COMPATIBILITY = re.compile(
    "[\u2460-\u24ff\u3200-\u33ff\uf900-\ufaff\ufb00-\ufb4f\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]"
)


def normalise(text: str) -> str:
    """Full-width forms to ASCII, upper to lower case: what both sides of a search see."""
    if _COMPATIBILITY.search(text):  # NFKC over every text costs more than the bigrams
        text = unicodedata.normalize("NFKC", text)
    return text.lower()


def tokens(text: str) -> list[str]:
    """The lexemes of `text` in order: bigrams of each Han run (a lone character stands alone),
    whole words otherwise."""
    out: list[str] = []
    for han, word in _TOKENS.findall(normalise(text)):
        if word:
            out.append(word[:MAX_WORD])
        elif len(han) == 1:
            out.append(han)
        else:
            out += map(str.__add__, han[:-1], han[1:])
    return out


def tsvector_literal(title: str, text: str) -> str:
    """The article's `tsvector` as text: title lexemes weighted A, body lexemes D (default)."""
    # Lexemes repeat in the literal; PostgreSQL merges their positions (and keeps 256 of each).
    title_lexemes = tokens(title)[:MAX_POSITION]
    # The title's last lexeme does not run into the body's first: one position between.
    first = len(title_lexemes) + 2
    body = tokens(text)[: max(0, MAX_POSITION - first + 1)]
    return " ".join(
        [f"'{lexeme}':{i}A" for i, lexeme in enumerate(title_lexemes, 1)]
        + [f"'{lexeme}':{i}" for i, lexeme in enumerate(body, first)]
    )


class EmptyQuery(ValueError):
    pass


def query_terms(q: str) -> list[str]:
    """The search terms of `q`: its whitespace-separated parts that have something to find."""
    return [t for t in (normalise(part) for part in q.split()) if tokens(t)]


def tsquery_literal(q: str) -> str:
    """Every whitespace-separated term of `q` must occur; a term of several lexemes as a phrase.
    A single Han character matches the bigrams it starts (`药` finds 药品, not 医药)."""
    terms = []
    for term in query_terms(q):
        lexemes = (
            f"'{lexeme}'" + (":*" if len(lexeme) == 1 and _TOKENS.match(lexeme).group(1) else "")  # type: ignore[union-attr]
            for lexeme in tokens(term)
        )
        terms.append("(" + " <-> ".join(lexemes) + ")")
    if not terms:
        raise EmptyQuery(f"the query {q!r} has no letters, digits or characters to search for")
    return " & ".join(terms)


def snippet(text: str, q: str, width: int = 120) -> str:
    """A window of `text` around the first occurrence of a term of `q`, HTML-escaped, with the
    terms inside `<mark>`; the text's beginning when no term occurs literally."""
    terms = sorted(query_terms(q), key=len, reverse=True)
    if not terms:
        return html.escape(text[:width])
    folded = normalise(text)
    if len(folded) != len(text):  # NFKC changed lengths: offsets would not line up
        folded = text.lower()
    pattern = re.compile("|".join(re.escape(t) for t in terms))
    first = pattern.search(folded)
    start = max(0, first.start() - width // 4) if first else 0
    end = min(len(text), start + width)
    pieces, at = [], start
    for match in pattern.finditer(folded, start, end):
        if match.end() > end:
            break
        pieces += [html.escape(text[at : match.start()]), "<mark>"]
        pieces += [html.escape(text[match.start() : match.end()]), "</mark>"]
        at = match.end()
    pieces.append(html.escape(text[at:end]))
    return ("…" if start > 0 else "") + "".join(pieces) + ("…" if end < len(text) else "")
