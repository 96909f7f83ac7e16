"""Cleaner settings (`MEDWIRE_*`, plus `MEDWIRE_CLEANER_PORT` and `MEDWIRE_CLEANER_WORKERS`)."""

from pydantic import AliasChoices, Field

from medwire_common.settings import CommonSettings


class CleanerSettings(CommonSettings):
    http_port: int = Field(8001, validation_alias=AliasChoices("MEDWIRE_CLEANER_PORT"))
    # Worker processes running clean(); 0 runs it in the event loop's thread (tests, debugging).
    workers: int = Field(1, validation_alias=AliasChoices("MEDWIRE_CLEANER_WORKERS"))
