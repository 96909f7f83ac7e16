"""What a search needs to know of the articles to choose how to run (see `core.search`): how
many there are, where the newest N begin, how common each common lexeme is. Read at most once
per STATS_TTL_S per process."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import date
from typing import Any

from sqlalchemy import ClauseElement, Executable, Select, text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler

from .core.search import window_rank, window_ranks

# The dates move as articles arrive, the statistics as PostgreSQL analyses the table: a few
# minutes stale, a window is still the right size.
STATS_TTL_S = 300.0

_TOTAL = text(
    "SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = 'articles'::regclass"
)
_DATES = text(
    "SELECT rank, sort_date FROM (SELECT sort_date, row_number() OVER (ORDER BY sort_date DESC,"
    " article_id DESC) AS rank FROM articles ORDER BY sort_date DESC, article_id DESC"
    " LIMIT :deepest) newest WHERE rank = ANY(:ranks)"
)
# ANALYZE keeps the lexemes in more than about 1% of the sampled search vectors; their fractions
# are followed by the least and greatest (paired with no lexeme here).
_LEXEMES = text(
    "SELECT lexeme, fraction FROM pg_stats, unnest(most_common_elems::text::text[],"
    " most_common_elem_freqs) AS common(lexeme, fraction)"
    " WHERE schemaname = current_schema() AND tablename = 'articles' AND attname = 'search'"
    " AND lexeme IS NOT NULL"
)


class Explain(Executable, ClauseElement):
    """`EXPLAIN (FORMAT JSON)` of a statement: the plan with the planner's row estimates."""

    inherit_cache = False

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement


@compiles(Explain)
def _explain(element: Explain, compiler: SQLCompiler, **kw: Any) -> str:
    return "EXPLAIN (FORMAT JSON) " + compiler.process(element.statement, **kw)


async def estimated_rows(conn: AsyncConnection, statement: Select[Any]) -> float:
    """How many rows the planner expects `statement` to return (planned, not run)."""
    plan = (await conn.execute(Explain(statement))).scalar_one()
    return float((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"])


class SearchStats:
    """The number of articles, the sort date at which the newest 1,024, 1,448, 2,048, ...
    begin (one index-only scan of the newest 141,000 at most, for `want` 1,000 of a million),
    and the fraction of articles that have each common lexeme."""

    def __init__(self, want: int) -> None:
        self.want = want
        self._lock = asyncio.Lock()
        self._expires = 0.0
        self.total = 0
        self.lexemes: dict[str, float] = {}
        self._dates: dict[int, date] = {}

    def cutoff(self, estimate: float, want: int) -> date | None:
        """The oldest sort date of a window expected to hold `want` matches when `estimate`
        articles match; None to search all."""
        rank = window_rank(estimate, self.total, want, list(self._dates))
        return self._dates.get(rank) if rank else None

    async def refresh(self, conn: AsyncConnection) -> None:
        """Read the statistics again if they are older than STATS_TTL_S. While one request
        reads them, the others go on with the old ones."""
        if time.monotonic() < self._expires or (self._lock.locked() and self._dates):
            return
        async with self._lock:
            if time.monotonic() < self._expires:
                return
            total = int((await conn.execute(_TOTAL)).scalar_one())
            ranks = window_ranks(total, self.want)
            dates = await conn.execute(_DATES, {"deepest": max(ranks, default=0), "ranks": ranks})
            lexemes = await conn.execute(_LEXEMES)
            self.total, self._dates = total, {rank: day for rank, day in dates}
            self.lexemes = {lexeme: fraction for lexeme, fraction in lexemes}
            self._expires = time.monotonic() + STATS_TTL_S
