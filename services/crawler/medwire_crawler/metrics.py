"""The crawler's Prometheus metrics, fed from Scrapy signals by `PrometheusStats`."""

from prometheus_client import Counter, Histogram

from medwire_common.metrics import LATENCY_BUCKETS, StageMetrics

STAGE = StageMetrics("crawler")
PAGES = Counter("medwire_crawler_pages_fetched", "Pages fetched", ["source", "status"])
BYTES = Counter("medwire_crawler_bytes_fetched", "Response body bytes fetched", ["source"])
PUBLISHED = Counter("medwire_crawler_pages_published", "Pages published to pages.raw", ["source"])
PUBLISH_FAILED = Counter(
    "medwire_crawler_publish_failures", "Pages that could not be published", ["source"]
)
SCHEDULED = Counter(
    "medwire_crawler_crawls_scheduled", "Re-crawls enqueued by this instance's schedule", ["source"]
)
UNCHANGED = Counter(
    "medwire_crawler_pages_unchanged",
    "Pages not published again: a 304, or the same status and body as last time",
    ["source"],
)
FETCH_FAILED = Counter(
    "medwire_crawler_fetch_failures",
    "Pages not fetched (oversized_page; fetch_failed: unreachable, or 5xx/408/429 after retries;"
    " refused_target), sent to crawl.requests.dlq",
    ["source", "reason"],
)
ROBOTS_REFUSED = Counter(
    "medwire_crawler_robots_refused", "Requests refused by robots.txt", ["source"]
)
DOWNLOAD_LATENCY = Histogram(
    "medwire_crawler_download_seconds", "Download latency", ["source"], buckets=LATENCY_BUCKETS
)
