"""The indexer: articles.enriched → OpenSearch (search, issue #21)."""
