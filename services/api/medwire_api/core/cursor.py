"""Opaque keyset cursors: base64url of `[sort_date, article_id]` of the last item served."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date


class BadCursor(ValueError):
    pass


def encode_cursor(sort_date: date, article_id: str) -> str:
    raw = json.dumps([sort_date.isoformat(), article_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[date, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        when, article_id = json.loads(raw)
        return date.fromisoformat(when), str(article_id)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as exc:
        raise BadCursor(f"cursor {cursor[:40]!r} is not one this API issued") from exc
