"""Short forms of China's divisions to their official names (medwire_common.divisions), as the
API's `region=` filter takes them (issue #22)."""

from __future__ import annotations

import pytest

from medwire_common.divisions import division_rows, official_names


@pytest.mark.parametrize(
    "name, names",
    [
        ("山西", ("山西", "山西省")),
        ("太原", ("太原", "太原市")),
        ("广西", ("广西", "广西壮族自治区")),
        ("北京", ("北京", "北京市")),
        ("太原市", ("太原市",)),  # an official name is itself
        ("小店区", ("小店区",)),
        ("没有这里", ("没有这里",)),
    ],
)
def test_a_short_form_adds_the_official_names_it_stands_for(
    name: str, names: tuple[str, ...]
) -> None:
    assert official_names(name) == names


def test_the_gazetteer_has_every_level() -> None:
    rows = division_rows()
    assert len(rows) > 3000
    assert {r.adcode for r in rows if r.name == "太原市"} == {"140100"}
