"""Places: China's administrative divisions found in the text and normalised to province / city /
district with their six-digit administrative codes, from the committed gazetteer
(`medwire_common/data/adcodes.tsv`, read by `medwire_common.divisions`; see `scripts/gen-adcodes`).

Full names match everywhere (`晋中市`, `泰山区`, `新泰市`); provinces and prefecture-level cities
also match by their short forms (`山西`, `晋中`, `成都`) unless the short form is an ordinary word
(`安康杯`, `朝阳产业`). County-level names repeat across the country (`朝阳区`, `鼓楼区`): the
one in a province or city the article names elsewhere wins; with no such hint the place keeps its
name without a code. The caller leaves out places inside organisation names and 《》 titles.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from medwire_common.divisions import division_rows
from medwire_common.schemas import Location, Span

from .spans import Coverage
from .vocab.places import NOT_PLACES

if TYPE_CHECKING:  # scan.py reads this module's place_mentions
    from .scan import ArticleScan


@dataclass(frozen=True, slots=True)
class Division:
    adcode: str
    name: str
    province: str
    city: str | None
    district: str | None

    @property
    def level(self) -> int:
        """0 province, 1 city, 2 district: a short form prefers the higher level."""
        return 0 if self.city is None else 2 if self.district else 1


Mentions = list[tuple[int, int, tuple[Division, ...]]]


@dataclass(frozen=True, slots=True)
class Gazetteer:
    forms: dict[str, tuple[Division, ...]]
    # For each first character of a name, the lengths of the names it starts, longest first.
    lengths: dict[str, tuple[int, ...]]


@cache
def gazetteer() -> Gazetteer:
    rows = [(r.adcode, r.name, r.short, r.province, r.city) for r in division_rows()]
    names = {code: name for code, name, *_ in rows}
    forms: dict[str, list[Division]] = {}
    for code, name, short, province, city in rows:
        division = Division(
            adcode=code,
            name=name,
            province=names[province],
            city=names[city] if city else None,
            district=name if city and city != code else None,
        )
        forms.setdefault(name, []).append(division)
        if short and short != name and short not in NOT_PLACES:
            forms.setdefault(short, []).append(division)
    ranked = {
        form: tuple(sorted(divisions, key=lambda d: (d.level, d.adcode)))
        for form, divisions in forms.items()
    }
    lengths: dict[str, set[int]] = {}
    for form in ranked:
        lengths.setdefault(form[0], set()).add(len(form))
    return Gazetteer(
        forms=ranked,
        lengths={c: tuple(sorted(ls, reverse=True)) for c, ls in lengths.items()},
    )


def place_prefix(text: str, start: int = 0) -> tuple[int, tuple[Division, ...]]:
    """The length and divisions of the longest gazetteer name at `text[start:]` ((0, ()) if
    none)."""
    gaz = gazetteer()
    if start >= len(text):
        return 0, ()
    for length in gaz.lengths.get(text[start], ()):
        divisions = (
            gaz.forms.get(text[start : start + length]) if start + length <= len(text) else None
        )
        if divisions:
            return length, divisions
    return 0, ()


def place_mentions(text: str) -> Mentions:
    """Every gazetteer name in `text`, longest first at each position, never overlapping.
    (`place_prefix` at each position, inlined: this loop runs once per character of every
    article, and the call cost was most of `medwire process`'s extractor time.)"""
    gaz = gazetteer()
    forms, lengths = gaz.forms, gaz.lengths
    found: Mentions = []
    i, end = 0, len(text)
    while i < end:
        for length in lengths.get(text[i], ()):
            divisions = forms.get(text[i : i + length]) if i + length <= end else None
            if divisions:
                found.append((i, i + length, divisions))
                i += length
                break
        else:
            i += 1
    return found


def _pick(divisions: tuple[Division, ...], provinces: Counter[str]) -> Division | None:
    top = [d for d in divisions if d.level == divisions[0].level]
    if len(top) == 1:
        return top[0]
    for hinted in (
        [d for d in top if d.city and provinces[d.city]],
        [d for d in top if provinces[d.province]],
    ):
        if len(hinted) == 1:
            return hinted[0]
    return None


def page_provinces(
    mentions: Mentions,
) -> Counter[str]:
    """How often each province and city is named, unambiguous mentions only (also those inside
    organisation names: `山西省药品监督管理局` says the page is about Shanxi)."""
    counts: Counter[str] = Counter()
    for _, _, divisions in mentions:
        if len({d.province for d in divisions}) == 1:
            counts[divisions[0].province] += 1
            if divisions[0].level >= 1 and divisions[0].city:
                counts[divisions[0].city] += 1
    return counts


def _county_short_forms(text: str, mentions: Mentions) -> Mentions:
    """A county named in full somewhere on the page (even inside `浙江省长兴县人民医院`) is
    also meant by its short form there (`常驻长兴`); elsewhere `长兴` is too often a word."""
    taken = {k for s, e, _ in mentions for k in range(s, e)}
    found: Mentions = []
    for start, end, divisions in mentions:
        name = text[start:end]
        if len(divisions) != 1 or divisions[0].level != 2 or divisions[0].name != name:
            continue
        short = name[:-1]
        if len(short) < 2 or name[-1] not in "县区市旗":
            continue
        at = text.find(short)
        while at >= 0:
            if at not in taken and not text.startswith(name, at):
                found.append((at, at + len(short), divisions))
                taken.update(range(at, at + len(short)))
            at = text.find(short, at + len(short))
    return found


def find_locations(scan: ArticleScan, excluded: list[Span]) -> list[Location]:
    text = scan.text
    mentions = sorted(scan.places + _county_short_forms(text, scan.places))
    hints = page_provinces(mentions)
    found: dict[str, Location] = {}
    not_places = Coverage(len(text), excluded)
    for start, end, divisions in mentions:
        if not_places.covers(start):
            continue
        division = _pick(divisions, hints)
        key = division.adcode if division else text[start:end]
        location = found.get(key)
        if location is None:
            location = found[key] = (
                Location(
                    name=division.name,
                    province=division.province,
                    city=division.city,
                    district=division.district,
                    adcode=division.adcode,
                )
                if division
                else Location(name=text[start:end])
            )
        location.spans.append((start, end))
    return list(found.values())
