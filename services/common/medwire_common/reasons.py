"""Why a record goes to a dead-letter queue: every reason each stage can give, in one place.

A stage counts its dead letters by reason (`medwire_<service>_records_failed_total`) and exports
each of its reasons at 0 from the start: Prometheus then sees the first dead letter of a reason
as an increase, which an alert on `increase()` needs (a series that first appears at 21 has
increased by nothing). A reason given but missing here is still counted, and logged as an error.
"""

from __future__ import annotations

# Any stage: the record does not validate, the core crashed on it, or its output is too large.
ANY_STAGE = frozenset({"invalid_record", "unexpected_error", "output_too_large"})

# The crawler's pages that could not be fetched (after retries), dead-lettered as crawl requests
# of their URL on crawl.requests.dlq; counted per source too.
FETCH_FAILURES = frozenset({"fetch_failed", "oversized_page", "refused_target"})

# The cleaner's verdicts on a page that holds no article: an error page (non-2xx status), a
# binary body (an image, a PDF, NUL-heavy bytes), a page without text, and text that is no
# article (navigation, link lists, boilerplate). Dead-lettered so that each can be found and
# replayed, but routine on the web: the MedwireDeadLetters alert does not fire on them
# (deploy/prometheus/alerts.yml lists them; a unit test keeps the two lists equal).
PAGE_VERDICTS = frozenset({"error_status", "binary", "empty", "not_article"})

DEAD_LETTER_REASONS: dict[str, frozenset[str]] = {
    "crawler": ANY_STAGE | FETCH_FAILURES | {"invalid_request", "unknown_source"},
    "cleaner": ANY_STAGE | PAGE_VERDICTS | {"page_too_large"},
    "extractor": ANY_STAGE,
    "api": ANY_STAGE | {"rejected_by_database"},
    "indexer": ANY_STAGE | {"rejected_by_opensearch"},
}

# What a stage retries after a transient error (broker or database away), also exported at 0.
RETRIED_OPERATIONS = ("process", "produce", "commit")


def dead_letter_reasons(service: str) -> frozenset[str]:
    """The reasons `service` dead-letters records for; a KeyError names a service with none."""
    try:
        return DEAD_LETTER_REASONS[service]
    except KeyError:
        raise KeyError(
            f"no dead-letter reasons for service {service!r}: add its set to "
            "medwire_common.reasons.DEAD_LETTER_REASONS"
        ) from None
