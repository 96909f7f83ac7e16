"""Agreements and policies. Agreements: `A与B签订…协议/备忘录`, `A、B、C签订了…`, `共同签署《…》`,
`N家企业集中签约落户X`. Policies: titles in `《》` that name a policy instrument (措施, 办法, 意见,
方案, 规划, 通知…), told apart from reports, agreements and books."""

from __future__ import annotations

import re
from datetime import date

from medwire_common.schemas import Agreement, Organization, Policy

from .timeexpr import find_dates

_CLAUSE = re.compile(r"[^。；;!！?？\n]+")
_PARTIES_SIGN = re.compile(
    r"([^，,。；;：:]{2,80}?)(?:签订|签署|签约)了?([^，,。；;]{0,40}?(?:协议|备忘录|合同|协定|意向书|框架协议)(?:书)?)"
)
_JOINTLY = re.compile(
    r"([^，,。；;]{2,40}?)(?:与|和|同)([^，,。；;]{2,80}?)(?:分别|共同)?签署《([^》]{2,60})》"
)
_SETTLE = re.compile(
    r"((?:\d+|[一二三四五六七八九十]+)家[\u4e00-\u9fff]{0,6}企业)(?:集中)?签约落户([\u4e00-\u9fff]{2,30}(?:园|区|基地|中心))"
)
_BOOK_TITLE = re.compile(r"《([^》]{2,80})》")
POLICY_WORDS = (
    "措施",
    "办法",
    "意见",
    "方案",
    "规划",
    "通知",
    "条例",
    "规定",
    "细则",
    "指引",
    "纲要",
    "政策",
    "清单",
    "决定",
    "计划",
    "指南",
    "标准",
)
NOT_POLICY_WORDS = (
    "报告",
    "协议",
    "备忘录",
    "合同",
    "白皮书",
    "蓝皮书",
    "年鉴",
    "杂志",
    "日报",
    "丛书",
    "指数",
)


def is_abbreviation(short: str, full: str) -> bool:
    """`省药监局` abbreviates `山西省药品监督管理局`: its characters appear in order in the full
    name, and both end alike (局, 院, 区…)."""
    if len(short) < 3 or len(short) >= len(full) or short[-1] != full[-1]:
        return False
    if full.endswith(short):
        return True  # `晋中开发区` in `山西转型综改示范区晋中开发区`
    rest = iter(full)
    return short[0] in full[:4] and all(c in rest for c in short)


def resolve_party(party: str, organizations: list[Organization]) -> str:
    party = party.strip(" 、,，与和及").removesuffix("分别").removesuffix("共同")
    for org in organizations:
        if party == org.name or party in org.aliases:
            return org.name
    longer = [o.name for o in organizations if is_abbreviation(party, o.name)]
    return max(longer, key=len) if longer else party


def _split_parties(text: str, organizations: list[Organization]) -> list[str]:
    parts = [p for p in re.split(r"[、与和及]|以及", text) if p.strip()]
    return [resolve_party(p, organizations) for p in parts if 2 <= len(p.strip()) <= 40]


def find_agreements(
    text: str, page_date: date | None, organizations: list[Organization]
) -> list[Agreement]:
    found: list[Agreement] = []
    dates = find_dates(text, page_date)
    for clause in _CLAUSE.finditer(text):
        body, offset = clause.group(0), clause.start()
        when = next((d.date for d in dates if offset <= d.start < clause.end()), None)
        for m in _JOINTLY.finditer(body):
            parties = _split_parties(m.group(1), organizations) + _split_parties(
                m.group(2), organizations
            )
            found.append(Agreement(parties=parties, title=m.group(3), date=when))
        if _JOINTLY.search(body):
            continue  # `A与B共同签署《…》` is read above; the plain pattern would read it again
        for m in _PARTIES_SIGN.finditer(body):
            head = (
                re.sub(r"^.*?(?:上|中|，|,)", "", m.group(1))
                if re.search(r"仪式上|现场", m.group(1))
                else m.group(1)
            )
            parties = _split_parties(head, organizations)
            if len(parties) >= 2:
                found.append(
                    Agreement(parties=parties, title=m.group(2).lstrip("了").strip(), date=when)
                )
        for m in _SETTLE.finditer(body):
            found.append(Agreement(parties=[m.group(1), m.group(2)], title="签约落户", date=when))
    return found


def find_policies(text: str) -> list[Policy]:
    titles = []
    for m in _BOOK_TITLE.finditer(text):
        title = m.group(1)
        if any(w in title for w in NOT_POLICY_WORDS) or not any(
            title.endswith(w) or f"{w}(" in title for w in POLICY_WORDS
        ):
            continue
        titles.append(title)
    return [Policy(title=t) for t in dict.fromkeys(titles)]
