"""How the NER model's spans (`ner.py`) join what the rules found: the rules keep everything they
name (canonical names, aliases, roles, organisation types, adcodes); the model adds names no rule
fired on (`张文宏表示`, `恒瑞医药`, `美国`), where they overlap nothing the rules took."""

from __future__ import annotations

import re
from collections.abc import Collection

from medwire_common.schemas import Location, Organization, Person

from .locations import place_prefix
from .ner import Entity, EntityType
from .spans import Coverage
from .vocab.model_names import NOT_ORG_END, NOT_ORG_START, NOT_PLACE_END, TITLE_ENDS
from .vocab.organizations import GENERIC_NAMES, GENERIC_NOUNS, NOT_NAMES
from .vocab.persons import SURNAMES

# A model name is letters of a name only: `·` joins transliterated given names and surnames.
_NAME = re.compile(r"[\u4e00-\u9fffA-Za-z](?:[\u4e00-\u9fffA-Za-z·]{0,18}[\u4e00-\u9fffA-Za-z])")


def join_model_entities(
    text: str,
    entities: list[Entity],
    kinds: Collection[EntityType],
    organizations: list[Organization],
    persons: list[Person],
    locations: list[Location],
) -> tuple[list[Organization], list[Person], list[Location]]:
    """The rules' organisations, persons and places plus the model's entities of `kinds` that
    overlap no rule span and repeat no rule name or alias."""
    taken = Coverage(
        len(text),
        (s for found in (organizations, persons, locations) for x in found for s in x.spans),
    )
    known = {o.name for o in organizations} | {a for o in organizations for a in o.aliases}
    known |= {p.name for p in persons} | {loc.name for loc in locations}
    added: dict[tuple[EntityType, str], list[tuple[int, int]]] = {}
    for start, end, kind in entities:
        if kind == "PER":
            start = _without_title_tail(text, start, end)
        name = text[start:end]
        if kind not in kinds or taken.overlaps(start, end) or not _NAME.fullmatch(name):
            continue
        if name in known or (kind == "LOC" and place_prefix(name)[0] == len(name)):
            continue  # a gazetteer place the rules left out on purpose (inside a name, a title)
        if (kind == "ORG" and not _plausible_org(name)) or (
            kind == "LOC" and name.endswith(NOT_PLACE_END)
        ):
            continue
        added.setdefault((kind, name), []).append((start, end))
    orgs = [*organizations]
    people = [*persons]
    places = [*locations]
    for (kind, name), spans in added.items():
        if kind == "ORG":
            orgs.append(Organization(name=name, spans=spans))
        elif kind == "PER":
            people.append(Person(name=name, spans=spans))
        else:
            places.append(Location(name=name, spans=spans))
    return orgs, people, places


def _plausible_org(name: str) -> bool:
    return not (
        any(w in name for w in NOT_NAMES)
        or name in GENERIC_NAMES
        or any(w in name for w in GENERIC_NOUNS)
        or name.startswith(NOT_ORG_START)
        or name.endswith(NOT_ORG_END)
    )


def _without_title_tail(text: str, start: int, end: int) -> int:
    """The start of a model person name without the last character of a title glued before it
    (`首席医学官高敏` tagged `官高敏`): three characters, the first a title's last (`官`, `长`,
    `员`; 官 is a surname too, but rarely), the second a surname."""
    if end - start == 3 and text[start] in TITLE_ENDS and text[start + 1] in SURNAMES:
        return start + 1
    return start
