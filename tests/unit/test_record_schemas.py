"""The records' JSON Schemas in docs/schemas are what the code produces, and a change never
breaks an old consumer: every field of v1 as released keeps its name and definition, and may only
be tightened (a bound, a pattern, a length added). A tightening is a change old producers could
violate: their out-of-bounds records are dead-lettered as invalid_record (docs/operations.md)."""

import json
from pathlib import Path
from typing import Any

import pytest

from medwire_cli.__main__ import record_schemas
from tests.support import ROOT

DOCS = ROOT / "docs" / "schemas"
# v1 as first released, frozen: `medwire schemas` regenerates docs/schemas, never these.
RELEASED = ROOT / "tests" / "fixtures" / "schemas" / "v1-released"
# Keywords that only narrow what a valid value is: adding one cannot break a consumer.
TIGHTENINGS = frozenset(
    {
        "pattern",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "formatMinimum",
        "formatMaximum",
        "contentEncoding",
    }
)


def load(directory: Path, name: str) -> dict[str, Any]:
    return json.loads((directory / f"{name}.v1.schema.json").read_text(encoding="utf-8"))


def loosened(definition: Any) -> Any:
    """The definition without its tightening keywords."""
    if isinstance(definition, dict):
        return {k: loosened(v) for k, v in definition.items() if k not in TIGHTENINGS}
    if isinstance(definition, list):
        return [loosened(v) for v in definition]
    return definition


def bounds(definition: Any, path: str = "") -> set[tuple[str, str]]:
    """Every tightening keyword with its value and where it is."""
    found: set[tuple[str, str]] = set()
    if isinstance(definition, dict):
        for key, value in definition.items():
            if key in TIGHTENINGS:
                found.add((f"{path}/{key}", json.dumps(value)))
            else:
                found |= bounds(value, f"{path}/{key}")
    elif isinstance(definition, list):
        for i, value in enumerate(definition):
            found |= bounds(value, f"{path}/{i}")
    return found


def assert_same_or_tightened(old: Any, new: Any, where: str) -> None:
    assert new is not None, f"{where} was removed"
    assert loosened(new) == loosened(old), f"{where} changed its definition"
    dropped = bounds(old) - bounds(new)
    assert not dropped, f"{where} loosened or dropped a bound: {sorted(dropped)}"


@pytest.mark.parametrize("name", sorted(record_schemas()))
def test_old_consumers_still_find_every_field_they_knew(name: str) -> None:
    old, new = load(RELEASED, name), record_schemas()[name]
    for field, definition in old["properties"].items():
        assert_same_or_tightened(definition, new["properties"].get(field), f"{name}: {field!r}")
    for ref, definition in old.get("$defs", {}).items():
        for field, sub in definition.get("properties", {}).items():
            new_sub = new["$defs"].get(ref, {}).get("properties", {}).get(field)
            assert_same_or_tightened(sub, new_sub, f"{name}: {ref}.{field}")


def test_the_compatibility_check_refuses_a_changed_type_and_a_loosened_bound() -> None:
    old = {"type": "string", "maxLength": 20}
    assert_same_or_tightened(old, {"type": "string", "maxLength": 20, "pattern": "^a$"}, "ok")
    with pytest.raises(AssertionError, match="changed its definition"):
        assert_same_or_tightened(old, {"type": "integer", "maxLength": 20}, "type")
    with pytest.raises(AssertionError, match="loosened"):
        assert_same_or_tightened(old, {"type": "string", "maxLength": 200}, "bound")


@pytest.mark.parametrize("name", sorted(record_schemas()))
def test_docs_schemas_are_up_to_date(name: str) -> None:
    assert load(DOCS, name) == record_schemas()[name], (
        "docs/schemas is stale: after checking compatibility, run `medwire schemas --out docs/schemas`"
    )


@pytest.mark.parametrize("url", ["http://[::1/", "http://example.com:99999/"])
def test_a_crawl_request_whose_url_does_not_split_is_refused_by_the_schema(url: str) -> None:
    from pydantic import ValidationError

    from medwire_common.schemas import CrawlRequest

    with pytest.raises(ValidationError, match="does not parse as a URL"):
        CrawlRequest(url=url)
