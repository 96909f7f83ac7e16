"""The extractor's gold annotations are well-formed: every annotated name, alias, role, policy,
agreement title and quantity occurs in the article's text (a typo in the gold would silently
cost F1), and every place carries the code and official name of the committed gazetteer."""

import sys
from pathlib import Path

import pytest

from medwire_extractor.core.locations import gazetteer

sys.path.insert(0, str(Path(__file__).parents[1] / "fixtures" / "extractor"))
from gold import load  # noqa: E402

GOLD = load()
FIELDS = {
    "id",
    "text",
    "published_at",
    "relevant",
    "organizations",
    "persons",
    "locations",
    "event_dates",
    "amounts",
    "quantities",
    "agreements",
    "policies",
}


def test_gold_covers_the_seeds_and_thirty_composed_articles() -> None:
    groups = [g["group"] for g in GOLD]
    assert groups.count("seeds") == 12 and groups.count("composed") >= 30
    assert len({g["id"] for g in GOLD}) == len(GOLD)


@pytest.mark.parametrize("gold", GOLD, ids=[g["id"] for g in GOLD])
def test_gold_names_occur_in_the_text(gold: dict) -> None:
    assert set(gold) >= FIELDS
    text = gold["text"].replace("\n", "")  # names broken across lines are annotated whole
    mentions = [n for o in gold["organizations"] for n in o.get("aliases", [])]
    mentions += [o["name"] for o in gold["organizations"] if not o.get("aliases")]
    mentions += [p["name"] for p in gold["persons"]]
    mentions += [r for p in gold["persons"] for r in p["roles"]]
    mentions += gold["policies"] + [q["text"] for q in gold["quantities"]]
    mentions += [a["text"] for a in gold["amounts"]]
    mentions += [a["title"] for a in gold["agreements"] if a["title"] != "签约落户" and a["title"]]
    assert [m for m in mentions if m not in text] == []
    names = {o["name"] for o in gold["organizations"]}
    for person in gold["persons"]:
        assert person.get("organization") in names | {None}, person


@pytest.mark.parametrize("gold", GOLD, ids=[g["id"] for g in GOLD])
def test_gold_places_are_gazetteer_entries(gold: dict) -> None:
    official = {d.adcode: d.name for ds in gazetteer().forms.values() for d in ds}
    assert [loc for loc in gold["locations"] if official.get(loc["adcode"]) != loc["name"]] == []
