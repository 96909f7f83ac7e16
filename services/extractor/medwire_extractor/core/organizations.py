"""Organisations: names found by their endings (有限公司, 大学, 医院, 研究院, 管理局, 产业园…) and
by a list of national bodies, their left edge found by walking back to a clause boundary; then
canonical full names within the article:

- government bodies written short are written in full (`工信局` → `工业和信息化局`, `国家发改委`
  → `国家发展和改革委员会`), and `省…`/`市…` take the page's province or city (`省药监局` on a
  Shanxi page → `山西省药品监督管理局`);
- `X(Y)` and `X(以下简称“Y”)` make Y an alias of X; a company's short name (`泰邦生物` after
  `山东泰邦生物有限公司`) and abbreviations (`晋中开发区`) become aliases of the full name;
- party and legislative bodies, generic phrases (`多家医疗`, `高端医疗`) and anonymised names
  (`北京某…公司`) are not organisations.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from medwire_common.schemas import Organization, OrgType

from .locations import Mentions, gazetteer, page_provinces, place_prefix
from .scan import ArticleScan
from .spans import Coverage
from .vocab.organizations import (
    AGENCY_ABBREVIATIONS,
    BOUNDARY_CHARS,
    BOUNDARY_WORDS,
    COORDINATORS,
    ENDING_RE,
    ENDINGS,
    GENERIC,
    GENERIC_NAMES,
    GENERIC_NOUNS,
    NATIONAL_BODIES,
    NATIONAL_FORMS,
    NATIONAL_RE,
    NOT_ENDINGS,
    NOT_INVESTORS,
    NOT_NAMES,
    PROPER_START,
    RUN_START_ONLY,
    VERBS_AFTER_A_NAME,
)

_ENDING_INFO = {e: (t, w) for e, t, w in ENDINGS}
_NAME_CHARS = re.compile(r"[\u4e00-\u9fffA-Za-z·()]")
_COUNTED = re.compile(r"[\d一二三四五六七八九十百千多余几两数]+(?:家|个|所|名|位|批)")
_LATIN_COMPANY = re.compile(
    r"(?:美国|德国|瑞士|英国|法国|日本|韩国|丹麦|瑞典|荷兰|比利时|意大利|以色列|新加坡|澳大利亚|加拿大)"
    r"([A-Z][A-Za-z0-9&\-]*(?: [A-Z][A-Za-z0-9&\-]*)*)"
    r" (?:AG|GmbH|Inc\.?|Ltd\.?|Corp\.?|LLC|plc|SE|NV|BV|S\.A\.|A/S|AB)"
)
_INVESTS = re.compile(r"(?:持续|继续|再次|追加|共同|均|也|亦)?(?:联合)?(?:领投|跟投|参投)")
_SHORT_NAME = re.compile(r"\((?:以下)?简称“([^”]{2,12})”\)")


@dataclass
class _Candidate:
    start: int
    end: int
    type: OrgType
    weak: bool
    named_by_context: bool = False  # `由元禾控股领投`: no ending, but only a name fits there


def _left_edge(text: str, ending_start: int, in_places: frozenset[int] = frozenset()) -> int:
    """Where the name ending at `ending_start` starts: back over name characters (a `(` only
    when closed inside the name), then after the rightmost clause boundary."""
    i, depth, first_close = ending_start, 0, None
    while i > 0 and ending_start - i < 30:
        c = text[i - 1]
        if c == ")":
            depth += 1
            first_close = i if first_close is None else first_close
        elif c == "(":
            if depth == 0:
                break
            depth -= 1
        elif c == "—" and depth == 0 and _ends_like_a_name(text[max(0, i - 13) : i - 1]):
            pass  # `天津大学—天津天士宁药业有限公司…联合实验室`: a joint body
        elif not _NAME_CHARS.match(c):
            break
        i -= 1
    if depth > 0 and first_close is not None:
        i = first_close  # `(以下简称“恒康医药”)与中国药科大学`: the name starts after the `)`
    body = text[i:ending_start]
    cut = 1 if body[:1] in RUN_START_ONLY else 0
    for word in BOUNDARY_WORDS:
        at = body.rfind(word)
        if at >= 0 and at + len(word) > cut:
            cut = at + len(word)
    at = max(body.rfind("企业"), body.rfind("药企"))  # `生技企业台瑞生技…`, `药企恒瑞…`
    if at >= 0 and at + 2 > cut and _names_after_a_descriptor(body[at + 2 :]):
        cut = at + 2
    for verb in VERBS_AFTER_A_NAME:  # `华西医院联合上海医药…` but `香港联合交易所`
        at = body.rfind(verb)
        if (
            at > 0
            and at + len(verb) > cut
            and _ends_like_a_name(body[:at])
            and _names_after_a_descriptor(body[at + len(verb) :])  # not `…建设发展有限公司`
        ):
            cut = at + len(verb)
    for j in range(len(body) - 1, cut - 1, -1):
        c = body[j]
        if i + j in in_places:
            continue  # `天津市和平区…`: the 和 of 和平区 joins nothing
        if c in BOUNDARY_CHARS:
            cut = j + 1
            break
        if c in COORDINATORS and (
            j == 0 or _ends_like_a_name(body[:j]) or body[:j].isascii()  # `…A/S与青岛…`
        ):
            cut = j + 1
            break
    while cut < len(body) and body[cut] in COORDINATORS:
        cut += 1
    return i + cut


def _names_after_a_descriptor(rest: str) -> bool:
    """After `企业` in `生物医药企业苏州康诺…` a name starts; `中国医药企业管理协会`,
    `企业家协会`, `…企业管理有限公司` keep theirs."""
    if _starts_with_place(rest):
        return True
    return len(rest) >= 3 and not rest.startswith(
        ("管理", "发展", "服务", "家", "联合", "孵化", "投资", "开发", "运营", "工程")
    )


def _ends_like_a_name(before: str) -> bool:
    for ending, (_, weak) in _ENDING_INFO.items():
        if before.endswith(ending):
            return not weak or before[-len(ending) - 2 : -len(ending)] not in GENERIC
    return any(before.endswith(f) for f in NATIONAL_FORMS) or any(
        before.endswith(p) for p in ("省", "市", "区", "县")
    )


def _candidates(text: str, places: Mentions) -> list[_Candidate]:
    found: list[_Candidate] = []
    in_places = frozenset(k for s, e, _ in places for k in range(s, e))
    for m in ENDING_RE.finditer(text):
        ending = m.group(0)
        kind, weak = _ENDING_INFO[ending]
        if ending in ("局", "厅", "总局") and text.startswith("长", m.end()):
            continue  # `局长`, `厅长` are titles
        start = _left_edge(text, m.start(), in_places)
        if text[start : m.end()] in ("省政府", "市政府") and text[:start].endswith(
            ("省委、", "市委、", "省委", "市委")
        ):
            continue  # `省委、省政府` is a set phrase for the leadership, not a party here
        if text.startswith("以", start) and text.startswith("为", m.end()):
            start += 1  # `以泰山智能医疗器械产业园为载体`
        if text.startswith("原", start) and m.end() - start > 5:
            start += 1  # `原第四军医大学校长`
        if weak and m.end() < len(text) and _NAME_CHARS.match(text[m.end()]):
            nxt = text[m.end()]
            if nxt not in "与和及等在将已是的为作董总副首创跟":
                continue
        found.append(_Candidate(start, m.end(), kind, weak))
    for m in _LATIN_COMPANY.finditer(text):
        found.append(_Candidate(m.start(), m.end(), "company", False))
    found += _investors(text, in_places)
    nationals = []
    for m in NATIONAL_RE.finditer(text):
        kind = NATIONAL_BODIES[NATIONAL_FORMS[m.group(0)]][0]
        if m.group(0) == "国务院" and text.endswith("党中央", 0, m.start()):
            continue  # `党中央国务院` is a set phrase for the central authorities
        nationals.append(_Candidate(m.start(), m.end(), kind, False))
    for c in found:
        inner = next((n for n in nationals if c.start < n.start < c.end), None)
        if inner is not None and not _starts_with_place(text[c.start : inner.start] + "市"):
            c.start = inner.start  # `日获国家发改委` → `国家发改委`
    return found + nationals


def _investors(text: str, in_places: frozenset[int]) -> list[_Candidate]:
    """Whoever leads or follows a funding round is an organisation, ending or not:
    `由元禾控股领投,国投创合、深创投跟投`."""
    found = []
    for m in _INVESTS.finditer(text):
        end = m.start() - (1 if text.endswith("等", 0, m.start()) else 0)
        while True:
            start = _left_edge(text, end, in_places)
            name = text[start:end]
            if 3 <= len(name) <= 10 and not name.endswith(NOT_INVESTORS):
                found.append(_Candidate(start, end, "company", False, named_by_context=True))
            if not text.endswith("、", 0, start):
                break
            end = start - 1
    return found


def _acceptable(name: str, weak: bool, ending: str) -> bool:
    body = name[: len(name) - len(ending)]
    provincial = (
        name.startswith(("省", "市", "区", "县")) and len(name) >= 3
    )  # `省政府`, `市总工会`
    if len(name) < 4 and name not in NATIONAL_FORMS and not provincial:
        return False
    if name in GENERIC_NAMES or body == "集团":
        return False
    if any(w in name for w in NOT_NAMES) or _COUNTED.search(name):
        return False
    if name[-2:] in NOT_ENDINGS or name[0] in "该本这那各多首我其个家所名位批项":
        if not name.startswith("首都"):  # `首家…` is not a name, `首都医科大学` is
            return False
    if _only_places(name):
        return False  # `浦东新区`, `滨海新区` are districts
    if weak and (len(body) < 2 or len(name) > 8 or any(body.endswith(g) for g in GENERIC)):
        return False
    if (
        ending in ("中心", "实验室", "园区", "基金", "联盟", "基地")
        and not _starts_with_place(name)
        and not re.search("大学|医院|研究院|集团|公司", body)
    ):
        return False  # `…研发中心` is generic; `西南医科大学附属医院医学转化中心` is not
    if ending == "公司" and len(body) < 3 and not _starts_with_place(name):
        return False  # `补强公司`
    if name.endswith("子公司") and not _starts_with_place(name):
        return False  # `公司全资子公司`
    if any(g in body for g in GENERIC_NOUNS) and not name.startswith(PROPER_START):
        return False
    if ending in (
        "人民政府新闻办公室",
        "人民政府办公室",
        "政府办公室",
        "人民政府",
        "政府",
        "委员会",
        "办公厅",
        "厅",
        "管委会",
    ) and not (
        name in NATIONAL_FORMS
        or name.startswith(("省", "市", "区", "县"))
        or _starts_with_place(name)
        or any(body.endswith(e) for e in ("开发区", "高新区", "经开区", "园区"))
    ):
        return False
    return len(body) >= 2 or name in NATIONAL_FORMS or provincial


def _only_places(name: str) -> bool:
    at = 0
    while at < len(name):
        length = place_prefix(name, at)[0]
        if not length:
            return False
        at += length
    return True


def _starts_with_place(name: str) -> bool:
    if name.startswith(PROPER_START) or name.startswith(("省", "市")):
        return True
    return bool(place_prefix(name)[1])


def _ending_of(name: str) -> str:
    return max((e for e in _ENDING_INFO if name.endswith(e)), key=len, default="")


def canonical(
    name: str,
    province: str | None,
    city: str | None,
    government: bool = True,
    district: str | None = None,
) -> str:
    """The full name of a government body written short (`省药监局` → `山西省药品监督管理局`)."""
    if name in NATIONAL_FORMS:
        return NATIONAL_FORMS[name]
    for short, full in AGENCY_ABBREVIATIONS.items():
        if name.endswith(short):
            name = name[: -len(short)] + full
            break
    name = re.sub(r"(?<!人民)(?<!特区)政府(?=(?:办公室)?$)", "人民政府", name)
    if name.startswith("省") and province and not name.startswith("省立"):
        name = province + name[1:]
    elif name.startswith("自治区") and province and province.endswith("自治区"):
        name = province + name[3:]
    elif name.startswith("市") and city:
        name = city + name[1:]
    elif name.startswith(("区", "县")) and district and district.endswith(name[0]):
        name = district + name[1:]
    head = name[:12]
    first, province_first = place_prefix(head)
    if government and province_first and province_first[0].level == 0:
        city_next = place_prefix(head, first)[1]
        if city_next and city_next[0].level == 1:
            name = name[first:]  # `山东省枣庄市工信局` → `枣庄市…`
    return name


def _page_region(mentions: Mentions) -> tuple[str | None, str | None, str | None]:
    counts = page_provinces(mentions)
    districts = Counter(
        divisions[0].name
        for _, _, divisions in mentions
        if len(divisions) == 1 and divisions[0].level == 2
    )
    gaz = gazetteer()
    provinces = [
        (n, c) for n, c in counts.items() if any(d.level == 0 for d in gaz.forms.get(n, ()))
    ]
    cities = [(n, c) for n, c in counts.items() if any(d.level == 1 for d in gaz.forms.get(n, ()))]
    province = max(provinces, key=lambda nc: nc[1])[0] if provinces else None
    city = max(cities, key=lambda nc: nc[1])[0] if cities else None
    district = districts.most_common(1)[0][0] if districts else None
    return province, city, district


def find_organizations(scan: ArticleScan) -> list[Organization]:
    text, places = scan.text, scan.places
    quoted = Coverage(len(text), (m.span() for m in re.finditer(r"《[^》]*》", text)))
    chosen: list[_Candidate] = []
    taken = Coverage(len(text))
    for c in sorted(_candidates(text, places), key=lambda c: (c.start, -(c.end - c.start))):
        name = text[c.start : c.end]
        if quoted.covers(c.start):
            continue
        if not c.named_by_context and not _acceptable(
            name, c.weak, _ending_of(name) if name not in NATIONAL_FORMS else ""
        ):
            continue
        if taken.overlaps(c.start, c.end):
            continue
        chosen.append(c)
        taken.add(c.start, c.end)
    province, city, district = _page_region(places)
    orgs: dict[str, Organization] = {}
    alias_of: dict[str, str] = {}
    for c in sorted(chosen, key=lambda c: c.start):
        surface = text[c.start : c.end]
        full = canonical(surface, province, city, c.type == "government", district)
        if surface in alias_of:
            full = alias_of[surface]
        if text.startswith("(", c.start - 1) and text.startswith(")", c.end):
            before = next((o for o in chosen if o.end == c.start - 1), None)
            if before is not None:  # `齐鲁工业大学(山东省科学院)`
                full = alias_of.get(
                    text[before.start : before.end], text[before.start : before.end]
                )
        org = orgs.setdefault(full, Organization(name=full, type=c.type))
        if surface != full and surface not in org.aliases:
            org.aliases.append(surface)
        alias_of[surface] = full
        org.spans.append((c.start, c.end))
    _add_short_names(text, orgs)
    return _merge_abbreviations(list(orgs.values()))


def _add_short_names(text: str, orgs: dict[str, Organization]) -> None:
    """`(以下简称“恒康医药”)` after a name, and a company's core name used alone later
    (`泰邦生物` for `山东泰邦生物有限公司`), become aliases with their spans."""
    for org in list(orgs.values()):
        shorts: list[str] = []
        for _, e in org.spans[:1]:
            m = _SHORT_NAME.match(text, e)
            if m and len(set(m.group(1)) & set(org.name)) >= 2:
                shorts.append(m.group(1))
        latin = _LATIN_COMPANY.fullmatch(org.name)
        if latin:  # `Medivance公司`, `Medivance` for `德国Medivance GmbH`
            core = latin.group(1)
            shorts += [core + "公司", core]
        elif org.type == "company" and "分公司" not in org.name:
            core = re.sub(r"(股份有限公司|有限责任公司|有限公司|公司)$", "", org.name)
            core = core[place_prefix(core[:4])[0] :]
            if len(core) >= 4 and core[:2] not in GENERIC and core[:4] != org.name:
                shorts.append(core[:4])
        for short in shorts:
            named = Coverage(len(text), org.spans)
            spans = [
                (m.start(), m.end())
                for m in re.finditer(re.escape(short), text)
                if not named.covers(m.start())
            ]
            if spans or _SHORT_NAME.search(text):
                if short in orgs and short != org.name:
                    spans += orgs.pop(short).spans
                if short not in org.aliases and spans:
                    org.aliases.append(short)
                    org.spans = sorted(set(org.spans + spans))


def is_abbreviation(short: str, full: str) -> bool:
    """`省药监局` abbreviates `山西省药品监督管理局`: its characters appear in order in the full
    name, and both end alike (局, 院, 区…)."""
    if len(short) < 3 or len(short) >= len(full) or short[-1] != full[-1]:
        return False
    if full.endswith(short):
        return not full.endswith("分" + short) and short not in NATIONAL_FORMS
    place = place_prefix(short)[0]
    if place and _ending_of(short) == short[place:]:
        return False  # `浙江大学` is a name of its own, not short for `浙江工业大学`
    rest = iter(full)
    return (short[0] in full[:4] or short[:2] in full) and all(c in rest for c in short)


def _merge_abbreviations(orgs: list[Organization]) -> list[Organization]:
    by_length = sorted(orgs, key=lambda o: len(o.name), reverse=True)
    kept: list[Organization] = []
    for org in by_length:
        full = next((k for k in kept if is_abbreviation(org.name, k.name)), None)
        if full is None:
            kept.append(org)
        else:
            full.aliases.extend(a for a in [org.name, *org.aliases] if a not in full.aliases)
            full.spans = sorted(full.spans + org.spans)
    order = {o.name: min((s for s, _ in o.spans), default=0) for o in kept}
    return sorted(kept, key=lambda o: order[o.name])
