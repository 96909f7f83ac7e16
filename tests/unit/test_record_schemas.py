"""The records' JSON Schemas in docs/schemas are what the code produces, and a change never
breaks an old consumer: every field it knew keeps its name and definition."""

import json

import pytest

from medwire_cli.__main__ import record_schemas
from tests.support import ROOT

DOCS = ROOT / "docs" / "schemas"


def committed(name: str) -> dict:
    return json.loads((DOCS / f"{name}.v1.schema.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(record_schemas()))
def test_old_consumers_still_find_every_field_they_knew(name: str) -> None:
    old, new = committed(name), record_schemas()[name]
    for field, definition in old["properties"].items():
        assert field in new["properties"], f"{name}: field {field!r} was removed"
        assert new["properties"][field] == definition, (
            f"{name}: field {field!r} changed its definition"
        )
    for ref, definition in old.get("$defs", {}).items():
        for field, sub in definition.get("properties", {}).items():
            assert new["$defs"][ref]["properties"].get(field) == sub, (
                f"{name}: {ref}.{field} changed"
            )


@pytest.mark.parametrize("name", sorted(record_schemas()))
def test_docs_schemas_are_up_to_date(name: str) -> None:
    assert committed(name) == record_schemas()[name], (
        "docs/schemas is stale: after checking compatibility, run `medwire schemas --out docs/schemas`"
    )
