"""Persons with their roles, as Chinese news introduces them: `省药监局党组书记、局长李庭芳`,
`中国工程院院士、西安交通大学教授卢秉恒`, `记者黄晶`; interview speakers (`蒋永斌:` opening a
paragraph) take the roles they were introduced with."""

from __future__ import annotations

import re

from medwire_common.schemas import Organization, Person

# The commonest surnames (single and compound); a name is a surname and one or two characters.
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季"
    "裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦"
    "戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻"
    "苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练"
    "廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿"
    "鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由赖"
)
COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "令狐",
    "夏侯",
)
TITLES = (
    "党组书记",
    "党委书记",
    "副书记",
    "书记",
    "常委",
    "副局长",
    "局长",
    "副市长",
    "市长",
    "副省长",
    "省长",
    "副主任",
    "主任",
    "副院长",
    "院长",
    "副校长",
    "校长",
    "院士",
    "教授",
    "研究员",
    "副主席",
    "主席",
    "秘书长",
    "董事长",
    "副总经理",
    "总经理",
    "总裁",
    "首席执行官",
    "CEO",
    "创始人",
    "所长",
    "处长",
    "厅长",
    "部长",
    "专员",
    "调研员",
    "总工程师",
    "高级工程师",
    "工程师",
    "经理",
    "负责人",
    "主持人",
    "记者",
    "通讯员",
    "会长",
    "副会长",
    "理事长",
    "区长",
    "县长",
    "主委",
    "委员",
    "代表",
    "医师",
    "主任医师",
    "系主任",
    "领导",
    "工作人员",
    "护师",
    "党组成员",
    "高级副总裁",
    "副总裁",
    "首席科学家",
    "首席医学官",
    "首席技术官",
    "首席财务官",
    "首席运营官",
    "董事会秘书",
    "董秘",
    "副司长",
    "司长",
    "副巡视员",
    "巡视员",
    "副行长",
    "行长",
    "副组长",
    "组长",
    "副处长",
    "副所长",
    "副科长",
    "科长",
    "护士长",
    "站长",
    "馆长",
    "社长",
    "总编辑",
    "主编",
    "总监",
    "首席专家",
    "执行董事",
    "董事",
    "链长",
)
_TITLE_ALT = "|".join(sorted(map(re.escape, TITLES), key=len, reverse=True))
_TITLE = re.compile(_TITLE_ALT)
_DELIMITERS = re.compile(r"[，,。；;：:“”\"\s()（）!！?？]")
_LEAD_IN = re.compile(
    r".*(?:(?<![自理缘])由|邀请|管理人)"
)  # `…环节由` / `邀请` open a clause; `自由贸易区` does not
_AFTER_NAME = set(
    "\n，,、。；;：:）)（( 出主表致介指说强在参分以围和等为带作宣解代发称认希要就对向与也将则回担率会进现一同深及到"
)
_SPEAKER = re.compile(r"^([\u4e00-\u9fff]{2,3})[:：]")


# Words that follow a name (`钱俊共同`, `李强说`, `沈华陪同`, `崔岩荣获`): a three-character
# candidate whose last character starts one of them is a two-character name.
_VERB_STARTS = (
    "共同",
    "陪同",
    "被表彰",
    "被评",
    "荣获",
    "获得",
    "表示",
    "指出",
    "介绍",
    "出席",
    "主持",
    "强调",
    "认为",
    "说",
    "致辞",
    "参加",
    "解读",
    "近日",
    "接受",
    "作",
    "通报",
    "宣读",
    "部署",
    "要求",
    "讲话",
    "发言",
    "带队",
    "一行",
    "见证",
    "院士工作站",
    "工作室",
    "团队",
    "课题组",
)


_PARTICLES = "等和及与在为的了是将对向并"
# Titles written after the name (`胸外科主任孙立新教授介绍`).
_AFTER_TITLES = ("教授", "院士", "研究员", "博士", "医生", "女士", "先生")


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
                end == len(text) or text[end] in _AFTER_NAME or text.startswith(_VERB_STARTS, end)
            ):
                return text[i:end]
        return None
    if text.startswith(_VERB_STARTS, i + 2) and _plausible(text[i : i + 2]):
        return text[i : i + 2]
    if (
        text.startswith(_VERB_STARTS, i + 3)
        and _plausible(text[i : i + 3])
        and text[i + 2] not in _PARTICLES
    ):
        return text[i : i + 3]
    for size in (3, 2, 4):
        name = text[i : i + size]
        after = text[i + size : i + size + 1]
        if len(name) < size:
            continue
        if (
            _plausible(name)
            and name[-1] not in _PARTICLES  # `李崇等` is 李崇 and a particle
            and (after == "" or after in _AFTER_NAME or text.startswith(_AFTER_TITLES, i + size))
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
