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


def _is_prefix(lexeme: str) -> bool:
    """Whether `lexeme` is a single Han character, searched as the bigrams it starts."""
    return len(lexeme) == 1 and bool(_TOKENS.match(lexeme).group(1))  # type: ignore[union-attr]


def _term_lexemes(term: str) -> list[str]:
    """A term's lexemes as tsquery operands; a single Han character matches as a prefix."""
    return [f"'{lexeme}'" + (":*" if _is_prefix(lexeme) else "") for lexeme in tokens(term)]


def tsquery_literal(q: str) -> str:
    """Every whitespace-separated term of `q` must occur; a term of several lexemes as a phrase.
    A single Han character matches the bigrams it starts (`药` finds 药品, not 医药)."""
    terms = ["(" + " <-> ".join(_term_lexemes(term)) + ")" for term in query_terms(q)]
    if not terms:
        raise EmptyQuery(f"the query {q!r} has no letters, digits or characters to search for")
    return " & ".join(terms)


def rarest_lexemes_literal(q: str, fractions: dict[str, float]) -> str:
    """What the search index is asked for `q`: the rarest lexeme of each term, by `fractions`
    (see `match_fraction`; a lexeme not there is rarer than any). The index answers that
    without reading an article, where a phrase it must check in every article it finds; and its
    lists of articles for the other lexemes of a word (医药, 公司) can be ten times longer."""
    picks = []
    for term in query_terms(q):
        lexemes = tokens(term)
        rarest = min(range(len(lexemes)), key=lambda i: fractions.get(lexemes[i], 0.0))
        picks.append(_term_lexemes(term)[rarest])
    if not picks:
        raise EmptyQuery(f"the query {q!r} has no letters, digits or characters to search for")
    return " & ".join(picks)


def has_phrase(q: str) -> bool:
    """Whether a term of `q` has several lexemes (so that their order matters)."""
    return any(len(tokens(term)) > 1 for term in query_terms(q))


def match_fraction(q: str, fractions: dict[str, float], rare: float) -> float:
    """The fraction of articles expected to match `q`, from `fractions` (the share of articles
    that have each common lexeme; any other lexeme is taken to be in `rare` of them).

    The bigrams of a word come together: a term is as common as its rarest lexeme (where
    PostgreSQL, multiplying, takes 片仔癀 to be twenty times rarer than it is). Terms are taken
    to be independent."""
    share = 1.0
    for term in query_terms(q):
        lexemes = tokens(term)
        if len(lexemes) == 1 and _is_prefix(lexemes[0]):
            found = sum(f for lexeme, f in fractions.items() if lexeme.startswith(lexemes[0]))
            share *= min(1.0, max(found, rare))
        else:
            share *= min(fractions.get(lexeme, rare) for lexeme in lexemes)
    return share


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


# --- how a search is run ---------------------------------------------------------------------
# A search ranks the newest matches (SEARCH_WINDOW of them). At a million articles, how they are
# found decides everything; what costs is reading an article's search vector (kilobytes, stored
# out of line), then reading its row, then the search index's lists of articles per lexeme.
#
# - The index is asked for the articles that have the rarest lexeme of each term (see
#   `rarest_lexemes_literal`): it answers that exactly, without reading a search vector. Only
#   the ranked articles are read, and those that do not have the terms as written are dropped
#   then (the bigrams of a word mostly come together: few are).
# - A term in most articles (a fraction of at least ORDERED_FROM) is found by reading the newest
#   articles in order until enough match: a few thousand at most, where the index's lists for it
#   hold hundreds of thousands.
# - Otherwise the index's answer is cut to a window of the newest articles (a date range,
#   intersected inside PostgreSQL's bitmap scan) sized for the matches wanted, so that only
#   those rows are read; the older articles are searched only if the window held too few.
#
# The fraction of articles a query matches comes from PostgreSQL's statistics of lexemes (see
# `match_fraction`); a query with a rarer lexeme than those, or matching too few articles for a
# window to pay, finds every match and reads them.

ORDERED_FROM = 0.3
# Window sizes: the newest 1,024 articles, 1,448, 2,048, ... (steps of √2, so that a window is
# at most √2 larger than needed), as long as a window leaves out at least a third of the articles.
WINDOW_STEPS = 40
FIRST_WINDOW = 1024
# Estimates are rough (terms are not independent, filters still less): a window is made for
# this many times the matches wanted.
WINDOW_MARGIN = 2.0
# Cutting the index's answer to a window costs a look at each article of the window (in the
# index of dates); reading a match costs about ten times that. A window no cheaper than reading
# every match is not used (a term in one article of a hundred: 200,000 articles for 10,000).
WINDOW_ARTICLE_COST = 0.1


def window_ranks(total: int, want: int) -> list[int]:
    """The window sizes (numbers of newest articles) worth having for `total` articles when
    `want` matches are wanted: a window leaves out a third of the articles at least, and is
    used only if it costs less than reading every match (see `window_rank`), which bounds it
    by √(WINDOW_MARGIN·want·total / WINDOW_ARTICLE_COST) (141,000 for 1,000 of a million)."""
    useful = (WINDOW_MARGIN * want * total / WINDOW_ARTICLE_COST) ** 0.5 * 2**0.5
    ranks = [round(FIRST_WINDOW * 2 ** (step / 2)) for step in range(WINDOW_STEPS)]
    return [rank for rank in ranks if rank <= min(total * 2 // 3, useful)]


def window_rank(estimate: float, total: int, want: int, ranks: list[int]) -> int | None:
    """The smallest window of newest articles expected to hold `want` matches when `estimate`
    of `total` articles match; None when no window would save much (search them all)."""
    if estimate <= 0 or total <= 0:
        return None
    needed = WINDOW_MARGIN * want * total / estimate
    if needed * WINDOW_ARTICLE_COST >= estimate:
        return None
    return next((rank for rank in ranks if rank >= needed), None)
