"""Extractor settings (`MEDWIRE_*`, plus `MEDWIRE_EXTRACTOR_PORT`, `MEDWIRE_EXTRACTOR_WORKERS` and
`MEDWIRE_EXTRACTOR_MODEL_ENTITIES`)."""

from pydantic import AliasChoices, Field

from medwire_common.settings import CommonSettings


class ExtractorSettings(CommonSettings):
    http_port: int = Field(8002, validation_alias=AliasChoices("MEDWIRE_EXTRACTOR_PORT"))
    workers: int = Field(1, validation_alias=AliasChoices("MEDWIRE_EXTRACTOR_WORKERS"))
    # The types the NER model adds beside the rules: a comma-separated subset of PER,ORG,LOC, or
    # empty for the rules alone (docs/extractor.md says what each costs on the gold).
    model_entities: str = Field(
        "PER",
        pattern=r"^((PER|ORG|LOC)(,(PER|ORG|LOC))*)?$",
        validation_alias=AliasChoices("MEDWIRE_EXTRACTOR_MODEL_ENTITIES"),
    )
