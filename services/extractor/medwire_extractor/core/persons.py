"""Persons with their roles, as Chinese news introduces them: `省药监局党组书记、局长李庭芳`,
`中国工程院院士、西安交通大学教授卢秉恒`, `记者黄晶`; interview speakers (`蒋永斌:` opening a
paragraph) take the roles they were introduced with."""

from __future__ import annotations

import re

from medwire_common.schemas import Organization, Person

from .vocab.persons import (
    AFTER_NAME,
    AFTER_TITLES,
    COMPOUND_SURNAMES,
    PARTICLES,
    SURNAMES,
    TITLES,
    VERB_STARTS,
)

_TITLE_ALT = "|".join(sorted(map(re.escape, TITLES), key=len, reverse=True))
_TITLE = re.compile(_TITLE_ALT)
_DELIMITERS = re.compile(r"[，,。；;：:“”\"\s()（）!！?？]")
_LEAD_IN = re.compile(
    r".*(?:(?<![自理缘])由|邀请|管理人)"
)  # `…环节由` / `邀请` open a clause; `自由贸易区` does not
_SPEAKER = re.compile(r"^([\u4e00-\u9fff]{2,3})[:：]")


_LATIN_NAME = re.compile(r"[A-Z][a-z]+(?: [A-Z][a-z]+){1,2}(?![A-Za-z])")
_TRANSLITERATED = re.compile(r"[\u4e00-\u9fff]{1,6}(?:·[\u4e00-\u9fff]{1,6})*·")


def _name_at(text: str, i: int) -> str | None:
    """The person's name starting at text[i], if any: surname + 1–2 characters, then a break;
    or a transliterated name joined by `·` (`艾尔肯·吐尔逊`), whatever its first character."""
    latin = _LATIN_NAME.match(text, i)
    if latin:
        return latin.group(0)
    joined = _TRANSLITERATED.match(text, i)
    if joined:
        for size in range(1, 7):
            end = joined.end() + size
            if re.fullmatch(r"[\u4e00-\u9fff]+", text[joined.end() : end]) and (
                end == len(text) or text[end] in AFTER_NAME or text.startswith(VERB_STARTS, end)
            ):
                return text[i:end]
        return None
    if text.startswith(VERB_STARTS, i + 2) and _plausible(text[i : i + 2]):
        return text[i : i + 2]
    if (
        text.startswith(VERB_STARTS, i + 3)
        and _plausible(text[i : i + 3])
        and text[i + 2] not in PARTICLES
    ):
        return text[i : i + 3]
    for size in (3, 2, 4):
        name = text[i : i + size]
        after = text[i + size : i + size + 1]
        if len(name) < size:
            continue
        if (
            _plausible(name)
            and name[-1] not in PARTICLES  # `李崇等` is 李崇 and a particle
            and (after == "" or after in AFTER_NAME or text.startswith(AFTER_TITLES, i + size))
            and not any(t in name for t in ("书记", "局长", "主任"))
        ):
            return name
    return None


def _plausible(name: str) -> bool:
    return bool(re.fullmatch(r"[\u4e00-\u9fff]+", name)) and (
        name[0] in SURNAMES or name[:2] in COMPOUND_SURNAMES
    )


# Short parentheticals inside a title (`康泽神州(北京)…副总裁`, `iPEG(TY)工会副经理`) do not end it.
_INNER_PAREN = re.compile(r"\([A-Za-z\u4e00-\u9fff]{1,6}\)(?=[A-Za-z\u4e00-\u9fff])")
_ROLE_SPLIT = re.compile(r"[、，,]|(?<=[长席理任事人官])兼")


def find_persons(text: str, organizations: list[Organization]) -> list[Person]:
    found: dict[str, Person] = {}
    last_name_end = 0
    masked = _INNER_PAREN.sub(lambda m: "x" * len(m.group(0)), text)
    for m in _TITLE.finditer(text):
        byline = m.group(0) in ("记者", "通讯员") and text.startswith(" ", m.end())
        at = m.end() + 1 if byline else m.end()
        name = _name_at(text, at)
        if not name:
            continue
        # Roles run back to the previous delimiter or the previous person (`…教授王卫东、…主任杨健`).
        delimiters = [
            d.end() for d in _DELIMITERS.finditer(masked, max(0, m.start() - 40), m.start())
        ]
        start = max([last_name_end, *delimiters, max(0, m.start() - 40)])
        # Titles listed with commas (`市人大常委会党组成员、副主任,市总工会主席,…专员蒋永斌`).
        while start > last_name_end + 1 and text[start - 1] in ",，":
            before = max(
                [
                    last_name_end,
                    *(d.end() for d in _DELIMITERS.finditer(masked, max(0, start - 41), start - 1)),
                ]
            )
            if not _TITLE.search(text[before : start - 1][-6:]) or not text[
                before : start - 1
            ].endswith(TITLES):
                break
            start = before
        segment = text[start : m.end()].lstrip("、")
        lead_in = _LEAD_IN.match(segment)
        segment = segment[lead_in.end() :] if lead_in else segment
        roles = [r for r in _ROLE_SPLIT.split(segment) if r]
        person = found.setdefault(name, Person(name=name))
        person.roles = list(dict.fromkeys(person.roles + roles))
        person.spans.append((at, at + len(name)))
        last_name_end = at + len(name)
        # One title for a list of names (`大同市领导王明厚、温旭斌`, `记者张丽 闫珊`).
        while text[last_name_end : last_name_end + 1] in ("、", " ") and last_name_end < len(text):
            other = _name_at(text, last_name_end + 1)
            if not other or other in found:
                break
            found[other] = Person(
                name=other,
                roles=list(roles),
                spans=[(last_name_end + 1, last_name_end + 1 + len(other))],
            )
            last_name_end += 1 + len(other)
        if person.organization is None:
            person.organization = next(
                (
                    o.name
                    for o in organizations
                    if any(o.name in r or any(a in r for a in o.aliases) for r in roles)
                ),
                None,
            )
    offset = 0
    for paragraph in text.split("\n"):
        speaker = _SPEAKER.match(paragraph)
        if speaker and speaker.group(1) in found:
            found[speaker.group(1)].spans.append((offset, offset + len(speaker.group(1))))
        elif speaker and (speaker.group(1)[0] in SURNAMES) and speaker.group(1) != "记者":
            found.setdefault(speaker.group(1), Person(name=speaker.group(1))).spans.append(
                (offset, offset + len(speaker.group(1)))
            )
        offset += len(paragraph) + 1
    return list(found.values())
