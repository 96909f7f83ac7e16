"""The extractor's gold annotations are well-formed: every annotated name, alias, role, policy and
agreement title occurs in the article's text (a typo in the gold would silently cost F1)."""

import json
from pathlib import Path

import pytest

GOLD = sorted((Path(__file__).parents[1] / "fixtures" / "extractor").glob("*.json"))


@pytest.mark.parametrize("path", GOLD, ids=[p.stem for p in GOLD])
def test_gold_names_occur_in_the_text(path: Path) -> None:
    gold = json.loads(path.read_text(encoding="utf-8"))
    text = gold["text"]
    mentions = [n for o in gold["organizations"] for n in o.get("aliases", [])]
    mentions += [o["name"] for o in gold["organizations"] if not o.get("aliases")]
    mentions += [p["name"] for p in gold["persons"]] + [
        r for p in gold["persons"] for r in p["roles"]
    ]
    mentions += [loc["name"] for loc in gold["locations"]] + gold["policies"]
    mentions += [a["title"] for a in gold["agreements"]] + [q["text"] for q in gold["quantities"]]
    assert [m for m in mentions if m not in text] == []
    assert set(gold) >= {
        "id",
        "text",
        "published_at",
        "organizations",
        "persons",
        "locations",
        "event_dates",
        "amounts",
        "agreements",
        "policies",
    }
