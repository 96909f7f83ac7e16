"""The indexer's pure core: the index's mapping, an article's search document and version, and
what each item of a bulk response means. No I/O."""

from .bulk import BulkVerdict, bulk_body, judge_bulk_items
from .document import MAPPING_VERSION, document_of, index_body, version_of

__all__ = [
    "MAPPING_VERSION",
    "BulkVerdict",
    "bulk_body",
    "document_of",
    "index_body",
    "judge_bulk_items",
    "version_of",
]
