"""Indexer settings (`MEDWIRE_*`, plus `MEDWIRE_INDEXER_PORT`, `MEDWIRE_INDEXER_ALIAS`,
`MEDWIRE_INDEXER_SHARDS`, `MEDWIRE_INDEXER_REPLICAS`)."""

from pydantic import AliasChoices, Field

from medwire_common.settings import CommonSettings


class IndexerSettings(CommonSettings):
    http_port: int = Field(8004, validation_alias=AliasChoices("MEDWIRE_INDEXER_PORT"))
    # The alias searches and writes go through (with MEDWIRE_TOPIC_PREFIX in front); the index
    # behind it is `<alias>-v<MAPPING_VERSION>`, so a new mapping is built beside the old one.
    alias: str = Field("articles", validation_alias=AliasChoices("MEDWIRE_INDEXER_ALIAS"))
    shards: int = Field(1, ge=1, validation_alias=AliasChoices("MEDWIRE_INDEXER_SHARDS"))
    # 0 on a single node (a replica there would keep the cluster yellow); 1 or more on a cluster.
    replicas: int = Field(0, ge=0, validation_alias=AliasChoices("MEDWIRE_INDEXER_REPLICAS"))
    # Seconds one bulk request may take before it counts as OpenSearch being away.
    request_timeout_s: float = Field(
        30, gt=0, validation_alias=AliasChoices("MEDWIRE_INDEXER_REQUEST_TIMEOUT_S")
    )
