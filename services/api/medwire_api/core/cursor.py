"""Opaque keyset cursors: base64url of `[order, *keys]`, the order a listing is sorted by and
the sort keys of the last item served. A cursor is valid only for the order that issued it."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any


class BadCursor(ValueError):
    pass


def encode_cursor(order: str, *keys: str | int | float) -> str:
    raw = json.dumps([order, *keys], separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, order: str, *types: Callable[[Any], Any]) -> tuple[Any, ...]:
    """The keys of `cursor`, each converted by its type (`date.fromisoformat`, `float`, `str`…)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        issued_for, *keys = json.loads(raw)
        if issued_for != order or len(keys) != len(types):
            raise ValueError(f"issued for another order ({issued_for})")
        return tuple(convert(key) for convert, key in zip(types, keys, strict=True))
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as exc:
        raise BadCursor(
            f"cursor {cursor[:40]!r} is not one this API issued for this order"
        ) from exc
