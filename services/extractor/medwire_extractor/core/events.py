"""Typed events from trigger words, one per sentence at most: `启动仪式` → launch, `签订…协议`
→ signing, `论坛` → forum, `对接会` → matchmaking, `揭牌` → unveiling, `开工` → groundbreaking,
`调研` → visit, `成立` → founding, `印发`/`出台` → release; a dated sentence without a trigger
(`3月11日,国家药监局…批准了…`) reports an `other` event. The date is the one written in the
same sentence; the place is `在…举行/召开/举办`."""

from __future__ import annotations

import re
from bisect import bisect_left
from datetime import date

from medwire_common.schemas import Event, EventType, Organization

from .scan import ArticleScan
from .vocab.events import TRIGGERS

_PLACE = re.compile(r"在([\u4e00-\u9fff·]{2,16}?)(?:隆重)?(?:举行|召开|举办|开幕|启动|开工|揭牌)")


def event_type(sentence: str) -> EventType | None:
    for kind, words in TRIGGERS:
        if any(w in sentence for w in words):
            return kind
    return None


def find_events(scan: ArticleScan, organizations: list[Organization]) -> list[Event]:
    events: list[Event] = []
    dates = [d for d in scan.dates if not d.period]  # `上半年` is no event's day
    seen: set[tuple[str, date | None]] = set()
    starts = [d.start for d in dates]  # in text order: each sentence finds its dates by bisection
    for start, sentence in scan.sentences:
        end = start + len(sentence)
        in_sentence = dates[bisect_left(starts, start) : bisect_left(starts, end)]
        when = in_sentence[0].date if in_sentence else None
        kind = event_type(sentence) or ("other" if when else None)
        if kind is None:
            continue
        place = _PLACE.search(sentence)
        if when is None and place is None:
            continue  # a trigger word without a when or a where is usually not an event report
        later = [d.date for d in in_sentence if d.date != when]
        for other in later:  # `7月1日…印发…,自2025年9月1日起施行`: the second date is an event too
            if ("other", other) not in seen:
                seen.add(("other", other))
                events.append(Event(type="other", date=other, summary=sentence.strip()[:160]))
        if (kind, when) in seen:
            continue
        seen.add((kind, when))
        participants = [o.name for o in organizations if any(start <= s < end for s, _ in o.spans)]
        events.append(
            Event(
                type=kind,
                date=when,
                location=place.group(1) if place else None,
                participants=participants,
                summary=sentence.strip()[:160],
            )
        )
    return events
