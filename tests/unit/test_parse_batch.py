"""A batch is validated record by record: the records that parse keep their place in the batch,
each one that does not is a failure of its own (dead-lettered), never the batch's."""

from __future__ import annotations

from aiokafka import ConsumerRecord

from medwire_common.schemas import Source
from medwire_common.stage import parse_batch


def record(offset: int, value: bytes) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(
        topic="t",
        partition=0,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=None,
        value=value,
        checksum=None,
        serialized_key_size=-1,
        serialized_value_size=len(value),
        headers=(),
    )


def test_each_record_is_parsed_or_failed_in_its_place() -> None:
    batch = [
        record(0, b'{"name": "a", "domain": "a.example"}'),
        record(1, b"not json"),
        record(2, b'{"name": "c", "domain": "c.example"}'),
    ]
    parsed, results = parse_batch(Source, batch, "test: not a Source")
    assert [(i, s.name) for i, s in parsed] == [(0, "a"), (2, "c")]
    assert [r.failure is None for r in results] == [True, False, True]
    failure = results[1].failure
    assert failure is not None and failure.reason == "invalid_record"
    assert "test: not a Source" in str(failure)
