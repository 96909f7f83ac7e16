"""Extractor settings (`MEDWIRE_*`, plus `MEDWIRE_EXTRACTOR_PORT` and `MEDWIRE_EXTRACTOR_WORKERS`)."""

from pydantic import AliasChoices, Field

from medwire_common.settings import CommonSettings


class ExtractorSettings(CommonSettings):
    http_port: int = Field(8002, validation_alias=AliasChoices("MEDWIRE_EXTRACTOR_PORT"))
    workers: int = Field(1, validation_alias=AliasChoices("MEDWIRE_EXTRACTOR_WORKERS"))
