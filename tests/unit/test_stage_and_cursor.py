from datetime import date

import pytest

from medwire_api.core.cursor import BadCursor, decode_cursor, encode_cursor
from medwire_cleaner.worker import transform as clean_transform
from medwire_common.stage import Output, RecordError, apply_transform


def failing(key: bytes | None, value: bytes) -> list[Output]:
    raise ZeroDivisionError("boom")


def test_a_crash_of_the_core_becomes_a_failure_with_its_reason() -> None:
    result = apply_transform(failing, None, b"x")
    assert result.failure is not None and result.failure.reason == "unexpected_error"
    assert "ZeroDivisionError: boom" in str(result.failure)


def test_malformed_page_record_fails_with_the_place_of_the_error() -> None:
    with pytest.raises(RecordError) as err:
        clean_transform(b"k", b'{"schema_version": 1, "url": 5}')
    assert err.value.reason == "invalid_record"
    assert "not a RawPage v1" in str(err.value)


def test_cursor_round_trips_and_rejects_forgeries() -> None:
    assert decode_cursor(encode_cursor(date(2025, 8, 1), "abc")) == (date(2025, 8, 1), "abc")
    for bad in ("!!!", "bm90IGpzb24", encode_cursor(date(2025, 8, 1), "x")[:-3]):
        with pytest.raises(BadCursor):
            decode_cursor(bad)


def test_record_error_survives_the_trip_from_a_worker_process() -> None:
    import pickle

    err = pickle.loads(pickle.dumps(RecordError("page_too_large", "too big")))
    assert (err.reason, str(err)) == ("page_too_large", "too big")
