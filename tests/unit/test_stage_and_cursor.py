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
    issued = encode_cursor("newest", "2025-08-01", "abc")
    assert decode_cursor(issued, "newest", date.fromisoformat, str) == (date(2025, 8, 1), "abc")
    score = encode_cursor("relevance", 0.1 + 0.2, "abc")  # floats survive exactly
    assert decode_cursor(score, "relevance", float, str) == (0.1 + 0.2, "abc")
    for bad in ("!!!", "bm90IGpzb24", issued[:-3]):
        with pytest.raises(BadCursor):
            decode_cursor(bad, "newest", date.fromisoformat, str)
    with pytest.raises(BadCursor, match="for this order"):  # another order's cursor
        decode_cursor(issued, "oldest", date.fromisoformat, str)
    with pytest.raises(BadCursor):  # keys that are not what the order sorts by
        decode_cursor(
            encode_cursor("newest", "yesterday", "abc"), "newest", date.fromisoformat, str
        )


def test_record_error_survives_the_trip_from_a_worker_process() -> None:
    import pickle

    err = pickle.loads(pickle.dumps(RecordError("page_too_large", "too big")))
    assert (err.reason, str(err)) == ("page_too_large", "too big")


def test_the_first_log_line_masks_secrets_and_passwords_in_urls() -> None:
    from medwire_api.settings import ApiSettings

    settings = ApiSettings(
        MEDWIRE_DATABASE_URL="postgresql://medwire:s3cret@db:5432/medwire",
        MEDWIRE_ADMIN_TOKEN="t0ken",
    )
    shown = str(settings.masked())
    assert "s3cret" not in shown and "t0ken" not in shown
    assert settings.masked()["database_url"] == "postgresql://medwire:***@db:5432/medwire"


def test_a_cursor_longer_than_any_issued_is_refused_before_decoding() -> None:
    with pytest.raises(BadCursor, match="longer than 400"):
        decode_cursor(encode_cursor("name", "a" * 400, 1), "name", str, int)
