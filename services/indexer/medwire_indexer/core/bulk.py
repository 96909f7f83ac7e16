"""A `_bulk` request of index actions with external versions, and what each item of its
response means for the record it came from."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal


def bulk_body(index: str, docs: list[tuple[str, int, dict[str, Any]]]) -> bytes:
    """NDJSON for `POST /_bulk`: one index action per (id, version, document)."""
    lines: list[str] = []
    for doc_id, version, doc in docs:
        action = {
            "index": {
                "_index": index,
                "_id": doc_id,
                "version": version,
                "version_type": "external",
            }
        }
        lines.append(json.dumps(action, ensure_ascii=False))
        lines.append(json.dumps(doc, ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode("utf-8")


@dataclass(frozen=True)
class BulkVerdict:
    """`indexed`: written; `current`: OpenSearch already holds this version or a newer one
    (redelivery, replay); `retry`: OpenSearch could not take it now (overloaded, a shard
    away) — the batch is tried again; `rejected`: the document itself was refused."""

    outcome: Literal["indexed", "current", "retry", "rejected"]
    detail: str = ""


def judge_item(item: dict[str, Any]) -> BulkVerdict:
    result: dict[str, Any] = item.get("index") or next(iter(item.values()), {})
    status = int(result.get("status", 0))
    if 200 <= status < 300:
        return BulkVerdict("indexed")
    error = result.get("error") or {}
    kind = error.get("type", "") if isinstance(error, dict) else str(error)
    reason = error.get("reason", "") if isinstance(error, dict) else ""
    if status == 409 and kind == "version_conflict_engine_exception":
        return BulkVerdict("current")
    if status == 429 or status >= 500 or status == 0:
        return BulkVerdict("retry", f"HTTP {status} {kind}: {reason}")
    return BulkVerdict("rejected", f"HTTP {status} {kind}: {reason}")


def judge_bulk_items(response: dict[str, Any], expected: int) -> list[BulkVerdict]:
    """One verdict per action sent, in order; a response that does not answer each action is
    OpenSearch misbehaving, retried as a whole."""
    items = response.get("items")
    if not isinstance(items, list) or len(items) != expected:
        got = len(items) if isinstance(items, list) else "no"
        return [
            BulkVerdict("retry", f"bulk response has {got} items for {expected} actions")
        ] * expected
    return [judge_item(i) for i in items]
