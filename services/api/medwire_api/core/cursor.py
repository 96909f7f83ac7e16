"""Opaque keyset cursors: base64url of `[order, *keys]`, the order a listing is sorted by and
the sort keys of the last item served. A cursor is valid only for the order that issued it.

A cursor comes back from the client, so it is untrusted input: every key is checked here, once
for every listing, before it reaches a query (PostgreSQL text cannot hold NUL, a bigint holds
64 bits; either would fail inside the query as a 500)."""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Callable
from typing import Any

# Longer than any cursor this API issues (a date or a score, an article id, a position); it
# bounds the length of every key too.
MAX_CURSOR_CHARS = 400
INT64 = (-(2**63), 2**63 - 1)


class BadCursor(ValueError):
    pass


def encode_cursor(order: str, *keys: str | int | float) -> str:
    raw = json.dumps([order, *keys], separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, order: str, *types: Callable[[Any], Any]) -> tuple[Any, ...]:
    """The keys of `cursor`, each converted by its type (`date.fromisoformat`, `float`, `str`…)
    and checked (see `checked_key`)."""
    shown = repr(cursor[:40])
    if len(cursor) > MAX_CURSOR_CHARS:
        raise BadCursor(f"cursor {shown}… is longer than {MAX_CURSOR_CHARS} characters")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        issued_for, *keys = json.loads(raw)
        if issued_for != order or len(keys) != len(types):
            raise ValueError(f"issued for another order ({issued_for})")
        return tuple(
            checked_key(convert(_scalar(key))) for convert, key in zip(types, keys, strict=True)
        )
    except BadCursor as exc:
        raise BadCursor(f"cursor {shown}: {exc}") from exc
    except (binascii.Error, ValueError, TypeError, OverflowError, RecursionError) as exc:
        # UnicodeDecodeError and json's errors are ValueErrors.
        raise BadCursor(f"cursor {shown} is not one this API issued for this order") from exc


def _scalar(key: Any) -> Any:
    if not isinstance(key, str | int | float):
        raise BadCursor(f"a key is a {type(key).__name__}, not text or a number")
    return checked_key(key)


def checked_key(key: Any) -> Any:
    """`key` if a query can bind it: text without NUL, an integer within a bigint, a finite
    number; a `BadCursor` saying what is wrong otherwise."""
    if isinstance(key, str):
        if "\x00" in key:
            raise BadCursor("a key contains a NUL character")
    elif isinstance(key, bool):
        raise BadCursor("a key is a boolean")
    elif isinstance(key, int):
        if not INT64[0] <= key <= INT64[1]:
            raise BadCursor("a key is an integer beyond 64 bits")
    elif isinstance(key, float) and not math.isfinite(key):
        raise BadCursor("a key is not a finite number")
    return key
