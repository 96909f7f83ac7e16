"""China's administrative divisions, from the committed `data/adcodes.tsv` (see
`scripts/gen-adcodes`): the extractor's gazetteer reads them to find places, the API to take a
place's short form (`太原`, `山西`) where a filter expects its official name."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class DivisionRow:
    adcode: str
    name: str  # official: 山西省, 太原市, 小店区
    short: str  # of provinces and prefecture-level cities (山西, 太原); "" for the rest
    province: str  # its province's adcode
    city: str  # its city's adcode; "" for a province


@cache
def division_rows() -> tuple[DivisionRow, ...]:
    text = resources.files("medwire_common").joinpath("data/adcodes.tsv").read_text("utf-8")
    return tuple(
        DivisionRow(*line.split("\t"))
        for line in text.splitlines()
        if line and not line.startswith("#")
    )


@cache
def _names_by_short_form() -> dict[str, tuple[str, ...]]:
    names: dict[str, list[str]] = {}
    for row in division_rows():
        if row.short and row.short != row.name and row.name not in names.get(row.short, []):
            names.setdefault(row.short, []).append(row.name)
    return {short: tuple(found) for short, found in names.items()}


def official_names(name: str) -> tuple[str, ...]:
    """`name` and the official names of the divisions it is the short form of: `太原` is
    (`太原`, `太原市`), `山西` (`山西`, `山西省`); an official or unknown name is itself alone."""
    return (name, *_names_by_short_form().get(name, ()))
