"""Agreements and policies. Agreements: `A与B签订…协议/备忘录`, `A、B、C签订了…`, `共同签署《…》`,
`N家企业集中签约落户X`. Policies: titles in `《》` that name a policy instrument (措施, 办法, 意见,
方案, 规划, 通知…), told apart from reports, agreements and books."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from medwire_common.schemas import Agreement, Organization, Policy

from .organizations import is_abbreviation  # noqa: F401  (re-exported)
from .scan import ArticleScan
from .spans import Coverage
from .vocab.agreements import NOT_POLICY_WORDS, POLICY_WORDS

_CLAUSE = re.compile(r"[^。；;!！?？\n]+")
_PARTIES_SIGN = re.compile(
    r"([^，,。；;：:]{2,120}?)(?:签订|签署|签约|达成|缔结)了?(?:([^，,。；;]{0,40}?(?:协议|备忘录|合同|协定|意向书|框架协议)(?:书)?)|[一二三四五六七八九十\d]+项合作)"
)
_JOINTLY = re.compile(
    r"([^，,。；;]{2,40}?)(?:与|和|同)([^，,。；;]{2,80}?)(?:分别|共同)?签署《([^》]{2,60})》"
)
_SETTLE = re.compile(
    r"([^,，。;；]{0,160}?)((?:\d+|[一二三四五六七八九十]+)(?:家|个)[\u4e00-\u9fff]{0,8}(?:企业|项目))(?:集中)?签约(?:落户|入驻)([\u4e00-\u9fff]{2,30}(?:园|区|基地|中心|谷))?"
)
# Any other signing: the parties are named before the verb or the agreement's name.
_SIGNING = re.compile(r"签署|签订|签约|达成|(?:协议|备忘录|合同|意向书)")
# Every pattern below needs one of these words: a clause without any is skipped before the
# patterns' lazy prefixes are tried at each of its positions (most clauses sign nothing).
_ANY_SIGNING_WORD = re.compile(r"签|达成|缔结|协议|备忘录|合同|意向书")
_AGREEMENT_NAME = re.compile(r"[\u4e00-\u9fff]{0,12}?(?:框架协议|协议|备忘录|合同|意向书)")
_CEREMONY = re.compile(
    r"([^，,。；;：:]{4,120}?)(?:在[^，,。；;]{1,12}?)?举行[^，,。；;]{0,20}?签约仪式"
)
_BOOK_TITLE = re.compile(r"《([^》]{2,80})》")


_PAREN = re.compile(r"\([^()]*\)")
_DESCRIBED = re.compile(r"(?:\d+|[一二三四五六七八九十两]+)(?:家|个)|企业|药企|单位|机构|项目")


def _named(text: str, organizations: list[Organization]) -> list[tuple[int, int, str]]:
    """Mentions of known organisations (names or aliases) in `text`, longest first where they
    overlap (`四川大学华西医院` rather than `四川大学` inside it)."""
    hits = []
    for org in organizations:
        for form in {org.name, *org.aliases}:
            hits += [(m.start(), m.end(), org.name) for m in re.finditer(re.escape(form), text)]
    hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    kept: list[tuple[int, int, str]] = []
    taken = Coverage(len(text))
    for hit in hits:
        if not taken.covers(hit[0]):
            kept.append(hit)
            taken.add(hit[0], hit[1])
    return kept


def resolve_party(party: str, organizations: list[Organization]) -> list[str]:
    """The organisations a party phrase names (`江苏恒康医药股份有限公司(以下简称“恒康医药”)`,
    `深圳湾实验室在深圳`, `产业园`), or the phrase itself when it describes an unnamed party
    (`8家入驻企业`, `一家欧洲药企`)."""
    named = _named(party, organizations)
    if named:
        return list(dict.fromkeys(name for _, _, name in named))
    party = _PAREN.sub("", party).strip(" 、,，与和及").removesuffix("分别").removesuffix("共同")
    longer = [o.name for o in organizations if is_abbreviation(party, o.name)]
    if longer:
        return [max(longer, key=len)]
    suffixed = [o.name for o in organizations if o.name.endswith(party) and len(party) >= 3]
    if len(suffixed) == 1:
        return suffixed  # `签约落户产业园` after `武汉光谷生物城医疗器械产业园`
    return [party] if 2 <= len(party) <= 16 and _DESCRIBED.search(party) else []


def _split_parties(text: str, organizations: list[Organization]) -> list[str]:
    """Named organisations in order of mention, then the unnamed parties the rest describes."""
    named = _named(text, organizations)
    parties = list(dict.fromkeys(name for _, _, name in named))
    rest = text
    for start, end, _ in sorted(named, reverse=True):
        piece = re.split(r"[、与和及,，]", rest[:start])[-1]
        start -= len(piece) if piece and _DESCRIBED.search(piece) else 0  # `生技企业台瑞…`
        rest = rest[:start] + "、" + rest[end:]
    for part in re.split(r"[、与和及]|以及", _PAREN.sub("", rest)):
        for party in resolve_party(part, organizations) if part.strip() else []:
            if party not in parties:
                parties.append(party)
    return parties


def _named_before(
    before: int, organizations: list[Organization], kind: str | None = None
) -> list[str]:
    """The organisations (of `kind`, if given) named before offset `before`, the latest first,
    each once: what `该公司`, an elided subject or `双方` refers to."""
    spans = sorted(
        (
            (s, o.name)
            for o in organizations
            if kind is None or o.type == kind
            for s, _ in o.spans
            if s < before
        ),
        reverse=True,
    )
    return list(dict.fromkeys(name for _, name in spans))


def _last_named(
    before: int, organizations: list[Organization], kind: str | None = None
) -> str | None:
    return next(iter(_named_before(before, organizations, kind)), None)


def _members(text: str, generic: str, organizations: list[Organization]) -> list[str]:
    """`合作共建单位包括A、B、C` → the organisations listed for a generic party."""
    m = re.search(re.escape(generic) + r"(?:包括|有|为)([^。;；]{4,400})", text)
    if not m:
        return []
    listed = re.split(r"等", m.group(1))[0]
    return _split_parties(listed, organizations)


def find_agreements(scan: ArticleScan, organizations: list[Organization]) -> list[Agreement]:
    text = scan.text
    found: list[Agreement] = []
    dates = [d for d in scan.dates if not d.period]  # `上半年` is no agreement's day

    def add(parties: list[str], title: str | None, when: date | None) -> None:
        expanded: list[str] = []
        for party in parties:
            members = (
                []
                if party in {o.name for o in organizations}
                else _members(text, party, organizations)
            )
            expanded += [p for p in (members or [party]) if p not in expanded]
        if len(expanded) >= 2:
            found.append(Agreement(parties=expanded, title=title, date=when))

    for clause in _CLAUSE.finditer(text):
        body, offset = clause.group(0), clause.start()
        if not _ANY_SIGNING_WORD.search(body):
            continue
        before = len(found)
        when = next((d.date for d in dates if offset <= d.start < clause.end()), None)
        if "该公司" in body:
            company = _last_named(offset + body.index("该公司"), organizations, "company")
            body = body.replace("该公司", company) if company else body
        for m in _JOINTLY.finditer(body):
            parties = _split_parties(m.group(1), organizations) + _split_parties(
                m.group(2), organizations
            )
            add(parties, m.group(3), when)
        if _JOINTLY.search(body):
            continue  # `A与B共同签署《…》` is read above; the plain pattern would read it again
        for m in _PARTIES_SIGN.finditer(body):
            head = (
                re.sub(r"^.*?(?:上|中|，|,)", "", m.group(1))
                if re.search(r"仪式上|现场", m.group(1))
                else m.group(1)
            )
            title = m.group(2).lstrip("了").strip() if m.group(2) else None
            title = (
                title
                if title and not re.fullmatch(r"[一二三四五六七八九十\d]+项合作", title)
                else None
            )
            each = re.search(r"(.+?)分别与(.+)", head) or re.search(r"(.+?)与(.+、.+)分别$", head)
            if each:  # `A分别与B、C签订…`: one agreement per pair
                first = _split_parties(each.group(1), organizations)
                for other in _split_parties(each.group(2), organizations):
                    add(first + [other], title, when)
                continue
            head = re.sub(r"(?:围绕|就).*$", "", head)
            owned = head.rsplit("的", 1)
            if len(owned) == 2 and _named(owned[1], organizations):
                head = owned[1]  # `A牵头组建的B与C签订…`: B signs
            parties = _split_parties(head, organizations)
            if not parties and head.strip().startswith("双方"):  # `双方签署了…协议`
                both = _named_before(offset + m.start(), organizations)[:2]
                parties = both[::-1] if len(both) == 2 else []
            if head.startswith(("与", "同", "和")):  # `X宣布,与Y就…达成…协议`: X is the subject
                subject = _last_named(offset + m.start(), organizations)
                parties = ([subject] if subject and subject not in parties else []) + parties
            add(parties, title, when)
        if not _PARTIES_SIGN.search(body):
            for m in _CEREMONY.finditer(body):  # `A、B和C在青岛举行三方战略合作签约仪式`
                add(_split_parties(m.group(1), organizations), None, when)
        settled = False
        for m in _SETTLE.finditer(body):
            named = re.search(r"(.{4,160}?)等$", m.group(1))
            settlers = [m.group(2)]
            if named:
                settlers = _split_parties(named.group(1), organizations) or settlers
                settlers = [p for p in settlers if p in {o.name for o in organizations}] or [
                    m.group(2)
                ]
            if m.group(3):
                place = resolve_party(m.group(3), organizations)[:1] or [m.group(3)]
            else:  # `X园区集中签约仪式举行,A、B等6个项目签约入驻`: the park named in the clause
                parks = [n for _, _, n in _named(body, organizations) if _is_park(n, organizations)]
                place = parks[:1]
            add([*settlers, *place], "签约落户", when)
            settled = True
        if len(found) == before and not settled:
            _any_signing(body, when, organizations, add)
    return found


def _is_park(name: str, organizations: list[Organization]) -> bool:
    return any(o.name == name and o.type == "park" for o in organizations)


# `现场签约项目15个`, `签约23个项目`: signings counted, their parties not named.
_COUNTED_SIGNINGS = re.compile(r"了?(?:项目)?[\d一二三四五六七八九十百]+(?:个|项)|了?项目")
_LATIN_PARTY = re.compile(
    r"(?:与|和|同)((?:[\u4e00-\u9fff]{1,3})?[A-Za-z][A-Za-z0-9&.\- ]{1,40}?)(?=签|就|达成|在|共同|,|，)"
)


def _any_signing(
    body: str,
    when: date | None,
    organizations: list[Organization],
    add: Callable[[list[str], str | None, date | None], None],
) -> None:
    """A clause that signs something the patterns above do not know
    (`A与B战略合作协议签约仪式在郑州举行`, `A与瑞士NovaPharma AG签署…`): the organisations named
    before the first signing word are the parties; the agreement's name is the phrase ending in
    协议/备忘录 after the last of them."""
    sign = next(
        (
            m
            for m in _SIGNING.finditer(body)
            if m.group(0) != "达成" or _AGREEMENT_NAME.match(body, m.end())
        ),
        None,
    )  # `达成合作意向23项` reports intentions, not an agreement
    if not sign or _COUNTED_SIGNINGS.match(body, sign.end()):
        return
    head = body[: sign.end()]
    named = _named(head, organizations)
    parties = list(dict.fromkeys(n for _, _, n in named))
    latin = _LATIN_PARTY.search(head)
    if latin and not any(latin.group(1).strip() in p for p in parties):
        parties.append(latin.group(1).strip())
    last_end = max((e for _, e, _ in named), default=0)
    title = _AGREEMENT_NAME.search(body, last_end)
    name = title.group(0) if title else None
    if name:
        name = re.sub(r"^.*?(?:签署|签订|达成|签约)了?", "", name) or None
    add(parties, name, when)


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
